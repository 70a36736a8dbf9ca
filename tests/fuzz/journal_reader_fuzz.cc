// libFuzzer target for the journal reader. The input is a journal file: one
// segment, segments concatenated with cat, or any damage of either. It is
// read the ways zagent reads journals from hosts that may be compromised:
//
// - SegmentScanner over the bytes: every item, every damage report;
// - on every block the scanner returns, link_holds() and BlockDecoder::decode()
//   (whether or not the link holds: a mutated file rarely keeps its hashes,
//   and decode must be safe on any bytes anyway);
// - every decoded event through append_event_json, which reads every field;
// - every decoded block checked again with no type wanted and read in
//   place (block_rows.h), as the SQL tables read it, which must give the
//   same events;
// - JournalReader over the same bytes as a file (a memfd, rewritten for each
//   input), which must return exactly the events of the blocks whose links
//   hold, and with a window exactly those of them the window wants.
//
// Byte mutations of a compressed, checksummed, hash-chained block almost never
// decode, so a custom mutator also mutates the inside of the file: it
// decompresses a block (or takes a record's FlatBuffer, or moves whole
// blocks), mutates that, and frames the file again, with recompressed data,
// trailers that match their data frames and a hash chain rebuilt end to end.
// The FlatBuffers verifier, the decoder, the JSON and the reader's checks
// across blocks then see mutated contents too.
#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "journal/block_codec.h"
#include "journal/block_decoder.h"
#include "journal/block_rows.h"
#include "journal/event_json.h"
#include "journal/format.h"
#include "journal/journal_reader.h"
#include "journal/records.h"
#include "journal/segment_scanner.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

using namespace zagent;
using format::Record;

// Blocks the mutator decompresses; larger ones are left to byte mutations.
constexpr size_t kMaxMutatedRawSize = 1u << 20;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "journal_reader_fuzz: check failed: %s\n", what);
  std::abort();
}

bool within(std::span<const uint8_t> whole, std::span<const uint8_t> part) {
  return part.data() >= whole.data() && part.size() <= whole.size() &&
         part.data() - whole.data() <= static_cast<ptrdiff_t>(whole.size() - part.size());
}

void check_damage(const Damage& d, uint64_t input_size) {
  check(d.offset <= input_size && d.length <= input_size - d.offset,
        "a damage report lies inside the input");
  check(!d.to_string().empty(), "a damage report has text");
}

// append_json_string promises valid UTF-8 without control characters,
// whatever the bytes.
void check_json(std::string_view json) {
  check(json.size() >= 2 && json.front() == '{' && json.back() == '}', "an event is a JSON object");
  for (size_t i = 0; i < json.size();) {
    const auto c = static_cast<unsigned char>(json[i]);
    check(c >= 0x20, "event JSON holds no raw control character");
    size_t n = 1;
    uint32_t cp = c;
    if (c >= 0x80) {
      check(c >= 0xc2 && c <= 0xf4, "event JSON is UTF-8 (lead byte)");
      n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      check(i + n <= json.size(), "event JSON is UTF-8 (length)");
      cp = c & (0x7f >> n);
      for (size_t k = 1; k < n; ++k) {
        const auto t = static_cast<unsigned char>(json[i + k]);
        check((t & 0xc0) == 0x80, "event JSON is UTF-8 (continuation)");
        cp = cp << 6 | (t & 0x3f);
      }
      check(!(n == 3 && cp < 0x800) && !(n == 4 && cp < 0x10000) && cp <= 0x10ffff &&
                !(cp >= 0xd800 && cp <= 0xdfff),
            "event JSON is UTF-8 (code point)");
    }
    i += n;
  }
}

void to_json(const Event& e, std::string_view host, std::string* json) {
  json->clear();
  append_event_json(e, host, json);
  check_json(*json);
}

// A checked block's events as the SQL tables read them: in place, checked
// with no type wanted (journal/block_rows.h).
std::vector<Event> read_in_place(std::span<const uint8_t> raw) {
  const fb::Block* block = verified_block(raw);
  std::vector<Event> none, out;
  BlockSummary summary;
  std::string why;
  check(block && decode_block(*block, 0, &none, &summary, &why) && none.empty(),
        "a block that decodes passes the check alone");
  BlockRows rows(block);
  while (rows.next()) out.push_back(rows.event());
  return out;
}

// What reading the bytes directly found, for comparison with JournalReader.
struct DirectRead {
  std::vector<Event> linked;  // events of blocks whose links hold, in order
  uint64_t blocks = 0;
};

DirectRead read_directly(std::span<const uint8_t> bytes) {
  const ReadOptions all;
  DirectRead result;
  SegmentScanner scanner("input", bytes, [&](const Damage& d) { check_damage(d, bytes.size()); });
  // One for the whole run, as a reader keeps one for all its blocks: a zstd
  // context is too large to allocate for every input.
  static BlockDecoder decoder;
  std::vector<Event> events;
  std::string json;
  for (auto item = scanner.next(); item != SegmentScanner::Item::Done; item = scanner.next()) {
    check(scanner.last_good_end() <= bytes.size(), "last_good_end lies inside the input");
    if (item == SegmentScanner::Item::Segment) {
      const ScannedSegment& s = scanner.segment();
      check(s.offset < bytes.size(), "a segment header lies inside the input");
      continue;
    }
    if (item == SegmentScanner::Item::End) {
      check(scanner.end().end_offset <= bytes.size(), "an end record lies inside the input");
      continue;
    }
    const ScannedBlock& b = scanner.block();
    ++result.blocks;
    check(within(bytes, b.data) && within(bytes, b.trailer_fb) && b.end_offset <= bytes.size(),
          "a block lies inside the input");
    check(b.data.data() == bytes.data() + b.data_offset, "a block's data is at its data_offset");
    const bool linked = b.link_holds();
    events.clear();
    std::string why;
    if (!decoder.decode(b.data, b.trailer, &events, &why)) {
      check(events.empty() && !why.empty(), "a failed decode says why and returns nothing");
      continue;
    }
    check(verified_block(decoder.raw()) != nullptr, "raw() holds a verified block");
    check(events.size() == b.trailer.event_count, "a decoded block holds its trailer's events");
    check(read_in_place(decoder.raw()) == events, "reading a block in place gives its decoded events");
    const std::string host = scanner.in_segment() ? scanner.segment().header.host_name : "";
    for (const Event& e : events) to_json(e, host, &json);
    if (linked && all.wants(b.trailer)) {
      for (Event& e : events) {
        if (all.wants(e)) result.linked.push_back(std::move(e));
      }
    }
  }
  return result;
}

std::vector<Event> read_as_file(const std::string& path, uint64_t size, const ReadOptions& options,
                                const DirectRead* direct) {
  JournalReader reader({path}, options, [&](const Damage& d) { check_damage(d, size); });
  reader.on_segment([&](const std::string&, const ScannedSegment& s) {
    check(s.offset < size, "on_segment: the header lies inside the file");
  });
  reader.on_end([&](const std::string&, const ScannedEnd& e) {
    check(e.end_offset <= size, "on_end: the end record lies inside the file");
  });
  std::vector<Event> got;
  ReadBlock block;
  std::string json;
  while (reader.next_block(&block)) {
    check(!block.events.empty(), "next_block returns events");
    check(block.end_offset <= size, "a read block lies inside the file");
    const std::string host = block.segment ? block.segment->header.host_name : "";
    for (Event& e : block.events) {
      check(options.wants(e), "next_block returns only wanted events");
      to_json(e, host, &json);
      got.push_back(std::move(e));
    }
  }
  if (direct) {
    const ReadStats& s = reader.stats();
    check(s.blocks_read + s.blocks_skipped + s.blocks_damaged == direct->blocks,
          "JournalReader accounts for every block the scanner finds");
  }
  return got;
}

// The input as a file for JournalReader: one memfd, rewritten for each input.
class InputFile {
 public:
  InputFile() {
    fd_ = ::memfd_create("journal_reader_fuzz", MFD_CLOEXEC);
    if (fd_ < 0) {
      std::perror("journal_reader_fuzz: memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }

  const std::string& write(std::span<const uint8_t> bytes) {
    for (size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      check(n > 0, "pwrite to the memfd");
      done += static_cast<size_t>(n);
    }
    check(::ftruncate(fd_, static_cast<off_t>(bytes.size())) == 0, "ftruncate the memfd");
    return path_;
  }

 private:
  int fd_ = -1;
  std::string path_;
};

InputFile* input_file = nullptr;

// ---- The structure-aware mutator ----

struct Frame {
  enum Kind { Data, Record, Opaque } kind;
  std::vector<uint8_t> bytes;  // the whole frame, header included
};

// Splits a journal file into frames; whatever does not parse as a frame is
// one opaque frame to the end.
std::vector<Frame> split_frames(std::span<const uint8_t> bytes) {
  std::vector<Frame> frames;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t left = bytes.size() - pos;
    const uint8_t* p = bytes.data() + pos;
    size_t n = 0;
    Frame::Kind kind = Frame::Opaque;
    if (left >= format::kFrameHeaderSize) {
      const uint32_t magic = format::load_le32(p);
      if (magic == format::kZstdMagic) {
        const size_t z = ZSTD_findFrameCompressedSize(p, left);
        if (!ZSTD_isError(z)) {
          n = z;
          kind = Frame::Data;
        }
      } else if (format::is_skippable(magic)) {
        const uint64_t payload = format::load_le32(p + 4);
        if (payload <= left - format::kFrameHeaderSize) {
          n = format::kFrameHeaderSize + payload;
          const auto type = static_cast<Record>(magic & 0xF);
          const bool ours = type == Record::SegmentHeader || type == Record::BlockTrailer ||
                            type == Record::SegmentEnd;
          kind = ours && payload >= format::kHashSize ? Frame::Record : Frame::Opaque;
        }
      }
    }
    if (n == 0) n = left;
    frames.push_back(Frame{kind, std::vector<uint8_t>(p, p + n)});
    pos += n;
  }
  return frames;
}

std::span<const uint8_t> record_fb(const Frame& f) {
  return std::span<const uint8_t>(f.bytes).subspan(
      format::kFrameHeaderSize, f.bytes.size() - format::kFrameHeaderSize - format::kHashSize);
}
Hash record_hash(const Frame& f) {
  Hash h;
  std::copy(f.bytes.end() - format::kHashSize, f.bytes.end(), h.begin());
  return h;
}
Record record_type(const Frame& f) { return static_cast<Record>(format::load_le32(f.bytes.data()) & 0xF); }

void append_record(std::vector<uint8_t>* out, Record type, std::span<const uint8_t> fb, const Hash& hash) {
  uint8_t header[format::kFrameHeaderSize];
  format::store_le32(header, format::record_magic(type));
  format::store_le32(header + 4, static_cast<uint32_t>(fb.size() + hash.size()));
  out->insert(out->end(), header, header + sizeof header);
  out->insert(out->end(), fb.begin(), fb.end());
  out->insert(out->end(), hash.begin(), hash.end());
}

// The trailer summary of a data frame whose contents decode, as the writer
// would have written it.
bool summarize(std::span<const uint8_t> frame, BlockTrailer* t) {
  const unsigned long long raw_size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > kMaxMutatedRawSize) {
    return false;
  }
  t->raw_size = raw_size;
  std::vector<uint8_t> raw(raw_size);
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != raw_size) return false;
  const fb::Block* block = verified_block(raw);
  if (!block) return false;
  std::vector<Event> events;
  std::string why;
  if (!decode_block(*block, &events, &why) || events.empty()) return false;
  t->event_count = static_cast<uint32_t>(events.size());
  t->first_seq = events.front().seq;
  t->last_seq = events.back().seq;
  t->min_ts = t->max_ts = events.front().ts;
  t->type_counts.assign(kEventTypeCount, 0);
  for (const Event& e : events) {
    t->min_ts = std::min(t->min_ts, e.ts);
    t->max_ts = std::max(t->max_ts, e.ts);
    ++t->type_counts[e.body.index()];
  }
  return true;
}

// Frames the file again as a writer would have: every trailer names its data
// frame's offset and size, the trailer of `resummarized` (a data frame index)
// summarizes its new contents, and every hash is recomputed along the chain,
// segment headers included where they chained to the previous segment.
// `verbatim` (a frame index) keeps its FlatBuffer as mutated.
std::vector<uint8_t> reframe(const std::vector<Frame>& frames, std::optional<size_t> resummarized,
                             std::optional<size_t> verbatim) {
  std::vector<uint8_t> out;
  uint64_t segment_start = 0;
  bool in_segment = false;
  Hash chain{};
  Hash old_chain{};  // the chain as the input had it
  bool any_record = false;
  std::optional<size_t> pending;  // frame index of a data frame awaiting its trailer
  uint64_t pending_offset = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Frame& f = frames[i];
    if (f.kind == Frame::Opaque) {
      out.insert(out.end(), f.bytes.begin(), f.bytes.end());
      continue;
    }
    if (f.kind == Frame::Data) {
      pending = i;
      pending_offset = out.size();
      out.insert(out.end(), f.bytes.begin(), f.bytes.end());
      continue;
    }
    const Record type = record_type(f);
    std::span<const uint8_t> fb = record_fb(f);
    std::vector<uint8_t> encoded;
    Hash hash = record_hash(f);
    if (type == Record::SegmentHeader) {
      SegmentHeader h;
      if (decode_record(fb, &h)) {
        if (any_record && h.prev_hash == old_chain && h.prev_hash != chain && verbatim != i) {
          h.prev_hash = chain;
          encoded = encode_record(h);
          fb = encoded;
        }
        hash = chain_hash(Record::SegmentHeader, h.prev_hash, fb);
      }
      segment_start = out.size();
      in_segment = true;
      pending.reset();
    } else if (type == Record::BlockTrailer) {
      BlockTrailer t;
      if (pending && decode_record(fb, &t)) {
        const Frame& data = frames[*pending];
        BlockTrailer u = t;
        u.data_offset = pending_offset - (in_segment ? segment_start : 0);
        u.data_size = data.bytes.size();
        if (resummarized == *pending) summarize(data.bytes, &u);
        if (u != t && verbatim != i) {
          encoded = encode_record(u);
          fb = encoded;
        }
        hash = chain_hash(Record::BlockTrailer, chain,
                          std::span<const uint8_t>(out).subspan(pending_offset, data.bytes.size()), fb);
      }
      pending.reset();
    } else if (type == Record::SegmentEnd) {
      hash = chain_hash(Record::SegmentEnd, chain, fb);
      pending.reset();
    }
    old_chain = record_hash(f);
    any_record = true;
    chain = hash;
    append_record(&out, type, fb, hash);
  }
  return out;
}

// Grows `bytes` room for libFuzzer's byte mutations and applies them.
void mutate_bytes(std::vector<uint8_t>* bytes) {
  if (bytes->empty()) bytes->push_back(0);
  const size_t size = bytes->size();
  bytes->resize(std::max<size_t>(size * 2, size + 256));
  bytes->resize(LLVMFuzzerMutate(bytes->data(), size, bytes->size()));
}

// Mutates the FlatBuffer inside one data frame and recompresses it.
bool mutate_block(std::vector<Frame>* frames, std::minstd_rand& rng, size_t* index) {
  std::vector<size_t> data;
  for (size_t i = 0; i < frames->size(); ++i) {
    if ((*frames)[i].kind == Frame::Data) data.push_back(i);
  }
  if (data.empty()) return false;
  *index = data[rng() % data.size()];
  Frame& f = (*frames)[*index];
  const unsigned long long raw_size = ZSTD_getFrameContentSize(f.bytes.data(), f.bytes.size());
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > kMaxMutatedRawSize) {
    return false;
  }
  std::vector<uint8_t> raw(raw_size);
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), f.bytes.data(), f.bytes.size());
  if (ZSTD_isError(n) || n != raw_size) return false;
  mutate_bytes(&raw);

  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (!cctx) return false;
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  // Now and then a frame that does not state its size, which readers reject.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, rng() % 16 != 0);
  std::vector<uint8_t> compressed(ZSTD_compressBound(raw.size()));
  const size_t c = ZSTD_compress2(cctx, compressed.data(), compressed.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(c)) return false;
  compressed.resize(c);
  f.bytes = std::move(compressed);
  return true;
}

// Mutates the FlatBuffer of one record (header, trailer or end).
bool mutate_record(std::vector<Frame>* frames, std::minstd_rand& rng, size_t* index) {
  std::vector<size_t> records;
  for (size_t i = 0; i < frames->size(); ++i) {
    if ((*frames)[i].kind == Frame::Record) records.push_back(i);
  }
  if (records.empty()) return false;
  *index = records[rng() % records.size()];
  Frame& f = (*frames)[*index];
  const Hash hash = record_hash(f);
  const std::span<const uint8_t> old_fb = record_fb(f);
  std::vector<uint8_t> fb(old_fb.begin(), old_fb.end());
  mutate_bytes(&fb);
  std::vector<uint8_t> bytes;
  append_record(&bytes, record_type(f), fb, hash);
  f.bytes = std::move(bytes);
  return true;
}

// Drops, duplicates or swaps whole blocks (a data frame and its trailer), or
// drops a header or end record.
bool move_frames(std::vector<Frame>* frames, std::minstd_rand& rng) {
  std::vector<size_t> blocks;  // index of the data frame
  std::vector<size_t> others;  // headers and ends
  for (size_t i = 0; i < frames->size(); ++i) {
    const Frame& f = (*frames)[i];
    if (f.kind == Frame::Data && i + 1 < frames->size() && (*frames)[i + 1].kind == Frame::Record &&
        record_type((*frames)[i + 1]) == Record::BlockTrailer) {
      blocks.push_back(i);
    } else if (f.kind == Frame::Record && record_type(f) != Record::BlockTrailer) {
      others.push_back(i);
    }
  }
  const auto at = [&](size_t i) { return frames->begin() + static_cast<ptrdiff_t>(i); };
  switch (rng() % 4) {
    case 0: {  // drop a block
      if (blocks.empty()) return false;
      const size_t i = blocks[rng() % blocks.size()];
      frames->erase(at(i), at(i + 2));
      return true;
    }
    case 1: {  // duplicate a block, right after itself or at the end
      if (blocks.empty()) return false;
      const size_t i = blocks[rng() % blocks.size()];
      const std::vector<Frame> copy(at(i), at(i + 2));
      const size_t to = rng() % 2 ? i + 2 : frames->size();
      frames->insert(at(to), copy.begin(), copy.end());
      return true;
    }
    case 2: {  // swap two blocks
      if (blocks.size() < 2) return false;
      const size_t a = blocks[rng() % blocks.size()];
      const size_t b = blocks[rng() % blocks.size()];
      std::swap((*frames)[a], (*frames)[b]);
      std::swap((*frames)[a + 1], (*frames)[b + 1]);
      return true;
    }
    default: {  // drop a header or end record
      if (others.empty()) return false;
      frames->erase(at(others[rng() % others.size()]));
      return true;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "journal_reader_fuzz: libsodium failed to initialise\n");
    std::abort();
  }
  input_file = new InputFile();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const DirectRead direct = read_directly(bytes);

  const std::string& path = input_file->write(bytes);
  const std::vector<Event> all = read_as_file(path, size, ReadOptions{}, &direct);
  check(all == direct.linked, "JournalReader returns the events of the blocks whose links hold");

  if (!all.empty()) {
    // A window cut through the events just read: half the time, a third of
    // the seq range, and one type less.
    ReadOptions window;
    window.since_ts = all[all.size() / 2].ts;
    window.from_seq = all[all.size() / 3].seq;
    window.type_mask &= ~(1u << all.front().body.index());
    std::vector<Event> wanted;
    for (const Event& e : all) {
      if (window.wants(e)) wanted.push_back(e);
    }
    check(read_as_file(path, size, window, nullptr) == wanted,
          "JournalReader with a window returns exactly the wanted events");
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::minstd_rand rng(seed);
  const unsigned choice = rng() % 8;
  if (choice >= 4) {
    std::vector<Frame> frames = split_frames({data, size});
    std::optional<size_t> resummarized, verbatim;
    size_t index = 0;
    bool mutated = false;
    if (choice <= 5) {
      mutated = mutate_block(&frames, rng, &index);
      resummarized = index;
    } else if (choice == 6) {
      mutated = mutate_record(&frames, rng, &index);
      verbatim = index;
    } else {
      mutated = move_frames(&frames, rng);
    }
    if (mutated) {
      const std::vector<uint8_t> out = reframe(frames, resummarized, verbatim);
      if (out.size() <= max_size) {
        std::copy(out.begin(), out.end(), data);
        return out.size();
      }
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
