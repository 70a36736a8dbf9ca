#include "journal/segment_index.h"

#include <algorithm>

#include "journal/event.h"
#include "journal/format.h"
#include "journal/hash_chain.h"
#include "journal/records.h"

namespace zagent {
namespace {

Hash hash_at(std::span<const uint8_t> bytes, uint64_t end) {
  Hash h{};
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(end - format::kHashSize),
            bytes.begin() + static_cast<std::ptrdiff_t>(end), h.begin());
  return h;
}

// Where the end record starts: the last frame, so the one whose stated size
// reaches exactly to the end of the file. 0 when there is none.
uint64_t find_end_record(std::span<const uint8_t> bytes, uint64_t not_before) {
  const uint64_t size = bytes.size();
  const uint32_t magic = format::record_magic(format::Record::SegmentEnd);
  const uint64_t min_frame = format::kFrameHeaderSize + format::kHashSize;
  if (size < not_before + min_frame) return 0;
  const uint64_t lowest = std::max<uint64_t>(not_before, size > format::kMaxRecordPayload + format::kFrameHeaderSize
                                                             ? size - format::kMaxRecordPayload - format::kFrameHeaderSize
                                                             : 0);
  for (uint64_t pos = size - min_frame + 1; pos-- > lowest;) {
    if (bytes[pos] != static_cast<uint8_t>(magic) || format::load_le32(bytes.data() + pos) != magic) continue;
    if (pos + format::kFrameHeaderSize + format::load_le32(bytes.data() + pos + 4) == size) return pos;
  }
  return 0;
}

}  // namespace

std::optional<ScanPrefix> read_segment_index(const std::string& file, std::span<const uint8_t> bytes) {
  bool damaged = false;
  SegmentScanner head(file, bytes, [&damaged](const Damage&) { damaged = true; });
  if (head.next() != SegmentScanner::Item::Segment || damaged || !head.segment().header_ok) return std::nullopt;
  const uint64_t header_end = head.resume_point().pos;
  const uint64_t end_at = find_end_record(bytes, header_end);
  if (end_at == 0) return std::nullopt;

  const auto payload = bytes.subspan(end_at + format::kFrameHeaderSize);
  if (payload.size() < format::kHashSize) return std::nullopt;
  const auto fb = payload.first(payload.size() - format::kHashSize);
  const Hash stored = hash_at(bytes, bytes.size());
  SegmentEnd end;
  if (!decode_record(fb, &end) || end.blocks.size() != end.block_count) return std::nullopt;
  // The blocks must lie back to back from the header to the end record...
  uint64_t next = header_end;
  for (const IndexedBlock& b : end.blocks) {
    if (b.data_offset != next || b.trailer_size < format::kFrameHeaderSize + format::kHashSize) return std::nullopt;
    next += uint64_t{b.data_size} + b.trailer_size;
    if (next > end_at) return std::nullopt;
  }
  if (next != end_at) return std::nullopt;
  // ...and the end record hold its link to the last of them.
  const Hash prev = end.blocks.empty() ? head.segment().stored_hash : hash_at(bytes, end_at);
  if (chain_hash(format::Record::SegmentEnd, prev, fb) != stored) return std::nullopt;

  ScanPrefix p;
  p.records.reserve(end.blocks.size() + 2);
  ScanRecord seg;
  seg.kind = SegmentScanner::Item::Segment;
  seg.segment = head.segment();
  p.records.push_back(std::move(seg));
  for (size_t i = 0; i < end.blocks.size(); ++i) {
    const IndexedBlock& b = end.blocks[i];
    ScanRecord r;
    r.kind = SegmentScanner::Item::Block;
    r.indexed = true;
    BlockTrailer& t = r.block.trailer;
    t.block_index = i;
    t.data_offset = b.data_offset;
    t.data_size = b.data_size;
    t.min_ts = b.min_ts;
    t.max_ts = b.max_ts;
    t.first_seq = b.first_seq;
    t.last_seq = b.last_seq;
    t.event_count = b.event_count;
    // Which types it holds: all that judging a block by its types needs.
    for (size_t type = 0; type < kEventTypeCount; ++type) t.type_counts.push_back((b.types >> type) & 1);
    r.block.data_offset = b.data_offset;
    r.block.trailer_offset = b.data_offset + b.data_size;
    r.block.end_offset = r.block.trailer_offset + b.trailer_size;
    r.data_size = b.data_size;
    r.trailer_fb_offset = r.block.trailer_offset + format::kFrameHeaderSize;
    r.trailer_fb_size = b.trailer_size - format::kFrameHeaderSize - format::kHashSize;
    p.records.push_back(std::move(r));
  }
  ScanRecord e;
  e.kind = SegmentScanner::Item::End;
  e.end = ScannedEnd{std::move(end), end_at, bytes.size(), stored};
  p.records.push_back(std::move(e));
  p.resume = SegmentScanner::Resume{bytes.size(), true, stored, head.segment()};
  return p;
}

bool complete_indexed_block(std::span<const uint8_t> bytes, const Hash& header_hash, ScannedBlock* block,
                            std::string* why) {
  const uint64_t at = block->trailer_offset;
  if (format::load_le32(bytes.data() + at) != format::record_magic(format::Record::BlockTrailer) ||
      at + format::kFrameHeaderSize + format::load_le32(bytes.data() + at + 4) != block->end_offset) {
    *why = "the segment's end index places a trailer where there is none";
    return false;
  }
  BlockTrailer written;
  if (!decode_record(block->trailer_fb, &written)) {
    *why = "block trailer does not parse";
    return false;
  }
  const BlockTrailer& listed = block->trailer;
  if (written.data_offset != listed.data_offset || written.data_size != listed.data_size ||
      written.min_ts != listed.min_ts || written.max_ts != listed.max_ts || written.first_seq != listed.first_seq ||
      written.last_seq != listed.last_seq || written.event_count != listed.event_count ||
      written.block_index != listed.block_index) {
    *why = "the segment's end index disagrees with the block's trailer";
    return false;
  }
  block->trailer = std::move(written);
  block->stored_hash = hash_at(bytes, block->end_offset);
  block->prev_hash = block->trailer.block_index == 0 ? header_hash : hash_at(bytes, block->data_offset);
  return true;
}

}  // namespace zagent
