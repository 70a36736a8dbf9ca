#include "journal/records.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>

#include "journal/event.h"
#include "schemas/journal_generated.h"
#include "schemas/schema_hash.h"

namespace zagent {

namespace {

using flatbuffers::FlatBufferBuilder;

constexpr flatbuffers::uoffset_t kMaxDepth = 8;
constexpr flatbuffers::uoffset_t kMaxTables = 1024;

std::vector<uint8_t> finish(FlatBufferBuilder& fbb) {
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

flatbuffers::Offset<flatbuffers::Vector<uint8_t>> bytes(FlatBufferBuilder& fbb,
                                                        std::span<const uint8_t> b) {
  return fbb.CreateVector(b.data(), b.size());
}
flatbuffers::Offset<flatbuffers::Vector<uint8_t>> bytes(FlatBufferBuilder& fbb, const std::string& s) {
  return fbb.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }
std::string str(const flatbuffers::Vector<uint8_t>* v) {
  return v ? std::string(reinterpret_cast<const char*>(v->data()), v->size()) : std::string();
}

// FlatBuffers reads scalars in place, so a buffer must start at an address
// aligned for them; a record's payload lies at any offset of a file. The
// record is verified and read in `aligned`, a copy (operator new aligns it).
template <typename T>
const T* verified(std::span<const uint8_t> b, std::vector<uint8_t>* aligned) {
  if (b.size() < 8 || b.size() > format::kMaxRecordPayload) return nullptr;
  aligned->assign(b.begin(), b.end());
  flatbuffers::Verifier verifier(aligned->data(), aligned->size(), kMaxDepth, kMaxTables);
  if (!verifier.VerifyBuffer<T>(nullptr)) return nullptr;
  return flatbuffers::GetRoot<T>(aligned->data());
}

}  // namespace

std::vector<uint8_t> encode_record(const SegmentHeader& h) {
  FlatBufferBuilder fbb(512);
  flatbuffers::Offset<fb::Origin> origin;
  if (h.origin) {
    const Origin& o = *h.origin;
    origin = fb::CreateOrigin(fbb, bytes(fbb, o.journal_id), fbb.CreateString(o.host_name),
                              o.first_segment, o.last_segment, o.since_ts, o.until_ts,
                              o.exported_ts, fbb.CreateString(o.tool), fbb.CreateString(o.types));
  }
  auto header = fb::CreateSegmentHeader(
      fbb, h.format_version, bytes(fbb, h.journal_id), h.segment_index, h.created_ts, h.first_seq,
      fbb.CreateString(h.host_name), fbb.CreateString(h.machine_id), fbb.CreateString(h.boot_id),
      fbb.CreateString(h.agent_version), bytes(fbb, h.schema_hash), bytes(fbb, h.prev_hash),
      origin, h.seq_reserve);
  fbb.Finish(header);
  return finish(fbb);
}

std::vector<uint8_t> encode_record(const BlockTrailer& t) {
  FlatBufferBuilder fbb(256);
  auto counts = fbb.CreateVector(t.type_counts);
  fbb.Finish(fb::CreateBlockTrailer(fbb, t.block_index, t.data_offset, t.data_size, t.raw_size,
                                    t.min_ts, t.max_ts, t.first_seq, t.last_seq, t.event_count,
                                    counts));
  return finish(fbb);
}

std::vector<uint8_t> encode_record(const SegmentEnd& e) {
  FlatBufferBuilder fbb(64 + e.blocks.size() * sizeof(fb::BlockIndexEntry));
  flatbuffers::Offset<flatbuffers::Vector<const fb::BlockIndexEntry*>> blocks;
  if (!e.blocks.empty()) {
    std::vector<fb::BlockIndexEntry> entries;
    entries.reserve(e.blocks.size());
    for (const IndexedBlock& b : e.blocks) {
      entries.emplace_back(b.data_offset, b.min_ts, b.max_ts, b.first_seq, b.last_seq, b.data_size, b.trailer_size,
                           b.event_count, b.types);
    }
    blocks = fbb.CreateVectorOfStructs(entries);
  }
  fbb.Finish(fb::CreateSegmentEnd(fbb, e.block_count, e.event_count, e.next_seq, e.closed_ts, blocks));
  return finish(fbb);
}

bool decode_record(std::span<const uint8_t> b, SegmentHeader* out) {
  std::vector<uint8_t> aligned;
  const fb::SegmentHeader* h = verified<fb::SegmentHeader>(b, &aligned);
  if (!h) return false;
  out->format_version = h->format_version();
  out->journal_id = str(h->journal_id());
  out->segment_index = h->segment_index();
  out->created_ts = h->created_ts();
  out->first_seq = h->first_seq();
  out->host_name = str(h->host_name());
  out->machine_id = str(h->machine_id());
  out->boot_id = str(h->boot_id());
  out->agent_version = str(h->agent_version());
  out->schema_hash = str(h->schema_hash());
  if (!h->prev_hash() || h->prev_hash()->size() != format::kHashSize) return false;
  std::copy(h->prev_hash()->begin(), h->prev_hash()->end(), out->prev_hash.begin());
  out->origin.reset();
  if (const fb::Origin* o = h->origin()) {
    out->origin = Origin{str(o->journal_id()), str(o->host_name()), o->first_segment(),
                         o->last_segment(), o->since_ts(), o->until_ts(), o->exported_ts(),
                         str(o->tool()), str(o->types())};
  }
  out->seq_reserve = h->seq_reserve();
  return true;
}

bool decode_record(std::span<const uint8_t> b, BlockTrailer* out) {
  std::vector<uint8_t> aligned;
  const fb::BlockTrailer* t = verified<fb::BlockTrailer>(b, &aligned);
  if (!t) return false;
  *out = BlockTrailer{t->block_index(), t->data_offset(), t->data_size(), t->raw_size(),
                      t->min_ts(),      t->max_ts(),      t->first_seq(), t->last_seq(),
                      t->event_count(), {}};
  if (t->type_counts()) out->type_counts.assign(t->type_counts()->begin(), t->type_counts()->end());
  return true;
}

bool decode_record(std::span<const uint8_t> b, SegmentEnd* out) {
  std::vector<uint8_t> aligned;
  const fb::SegmentEnd* e = verified<fb::SegmentEnd>(b, &aligned);
  if (!e) return false;
  *out = SegmentEnd{e->block_count(), e->event_count(), e->next_seq(), e->closed_ts(), {}};
  if (const auto* blocks = e->blocks()) {
    out->blocks.reserve(blocks->size());
    for (const fb::BlockIndexEntry* b : *blocks) {
      out->blocks.push_back(IndexedBlock{b->data_offset(), b->min_ts(), b->max_ts(), b->first_seq(), b->last_seq(),
                                         b->data_size(), b->trailer_size(), b->event_count(), b->types()});
    }
  }
  return true;
}

std::string current_schema_hash() {
  std::string out;
  const std::string_view hex = kSchemaSha256Hex;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace zagent
