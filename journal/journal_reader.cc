#include "journal/journal_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "journal/error.h"
#include "schemas/events_generated.h"
#include "journal/scan_memo.h"
#include "journal/segment_index.h"

namespace zagent {

namespace fs = std::filesystem;

// until_ts is exclusive, but its default (INT64_MAX) means "no limit", so
// that an event at INT64_MAX is not lost.
bool ReadOptions::before_until(int64_t ts) const {
  return ts < until_ts || until_ts == std::numeric_limits<int64_t>::max();
}

bool ReadOptions::wants(EventType type, int64_t ts, uint64_t seq) const {
  return ts >= since_ts && before_until(ts) && seq >= from_seq && seq < until_seq &&
         (type_mask & (1u << static_cast<unsigned>(type))) != 0;
}

bool ReadOptions::wants(const BlockTrailer& t) const {
  if (t.max_ts < since_ts || !before_until(t.min_ts) || t.last_seq < from_seq ||
      t.first_seq >= until_seq)
    return false;
  // With every type wanted, a block is never skipped by its counts: a
  // trailer whose counts were zeroed must still be checked.
  if (type_mask == ReadOptions{}.type_mask) return true;
  for (size_t i = 0; i < t.type_counts.size() && i < kEventTypeCount; ++i) {
    if (t.type_counts[i] && (type_mask & (1u << i))) return true;
  }
  return false;
}

uint32_t parse_type_mask(const std::string& list) {
  uint32_t mask = 0;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    EventType type;
    if (name == "process") {
      mask |= 0xf;  // exec, fork, exit, snapshot
    } else if (parse_event_type(name, &type)) {
      mask |= 1u << static_cast<unsigned>(type);
    } else {
      throw Error("unknown event type '" + name + "' (known: process, process_exec, process_fork, "
                  "process_exit, process_snapshot, socket, file, login, sensor)");
    }
    start = comma + 1;
  }
  return mask;
}

std::vector<std::string> JournalReader::list_segments(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("segment-") && name.ends_with(".zst")) {
      out.push_back(entry.path().string());
    }
  }
  if (ec) throw Error("cannot list journal directory: " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> JournalReader::expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    struct stat st {};
    if (in != "-" && ::stat(in.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      const std::vector<std::string> segs = list_segments(in);
      files.insert(files.end(), segs.begin(), segs.end());
    } else {
      files.push_back(in);
    }
  }
  return files;
}

// The items of one file: those the process remembers from an earlier scan
// (scan_memo.h), then a scan of the rest, whose clean prefix is remembered
// in turn.
class FileItems {
 public:
  FileItems(const MappedFile& mapped, std::string file, DamageReporter reporter, bool remember)
      : mapped_(mapped), file_(std::move(file)), remember_(remember) {
    scanner_ = std::make_unique<SegmentScanner>(file_, mapped.bytes(), [this, reporter](const Damage& d) {
      clean_ = false;
      reporter(d);
    });
    if (remember_) known_ = ScanMemo::process().find(mapped.identity(), mapped.bytes());
    // A closed segment's own index is as good as a memo of its walk.
    if (remember_ && !known_) {
      if (auto indexed = read_segment_index(file_, mapped.bytes())) {
        known_ = std::make_shared<const ScanPrefix>(std::move(*indexed));
        from_index_ = true;
      }
    }
    if (!known_) return;
    resume_ = known_->resume;
    scanner_->resume(resume_);
  }

  SegmentScanner::Item next() {
    if (known_ && at_ < known_->records.size()) return replay(known_->records[at_++]);
    replaying_ = false;
    return scan_next();
  }

  // Readies the current block for reading when it came from a segment's
  // end index: its trailer as written and its chain link's hashes.
  bool complete_block(std::string* why) {
    if (!replaying_ || !indexed_) return true;
    indexed_ = false;
    return complete_indexed_block(mapped_.bytes(), segment_.stored_hash, &block_, why);
  }

  const ScannedSegment& segment() const { return replaying_ ? segment_ : scanner_->segment(); }
  const ScannedBlock& block() const { return replaying_ ? block_ : scanner_->block(); }
  const ScannedEnd& end() const { return replaying_ ? end_ : scanner_->end(); }
  bool in_segment() const { return replaying_ ? in_segment_ : scanner_->in_segment(); }
  const std::string& file() const { return file_; }
  // Whether the items come from the segment's end index.
  bool from_index() const { return from_index_; }

 private:
  using Item = SegmentScanner::Item;

  Item scan_next() {
    const Item item = scanner_->next();
    if (item == Item::Done) {
      if (grew_ && remember_) ScanMemo::process().store(mapped_.identity(), mapped_.bytes(), std::move(recorded_), resume_);
      return item;
    }
    if (!clean_) return item;  // past damage nothing more is remembered
    ScanRecord r;
    r.kind = item;
    if (item == Item::Segment) r.segment = scanner_->segment();
    if (item == Item::End) r.end = scanner_->end();
    if (item == Item::Block) {
      const ScannedBlock& b = scanner_->block();
      r.block = b;
      r.block.data = {};
      r.block.trailer_fb = {};
      r.data_size = b.data.size();
      r.trailer_fb_offset = static_cast<uint64_t>(b.trailer_fb.data() - mapped_.bytes().data());
      r.trailer_fb_size = b.trailer_fb.size();
    }
    if (!grew_ && known_) recorded_ = known_->records;  // copied only when it grows
    recorded_.push_back(std::move(r));
    resume_ = scanner_->resume_point();
    grew_ = true;
    return item;
  }

  Item replay(const ScanRecord& r) {
    replaying_ = true;
    switch (r.kind) {
      case Item::Segment:
        segment_ = r.segment;
        in_segment_ = true;
        break;
      case Item::End: end_ = r.end; break;
      case Item::Block: {
        const auto bytes = mapped_.bytes();
        if (r.block.data_offset + r.data_size > bytes.size() ||
            r.trailer_fb_offset + r.trailer_fb_size > bytes.size())
          return Item::Done;  // cannot happen: find() checked the size
        block_ = r.block;
        indexed_ = r.indexed;
        block_.data = bytes.subspan(r.block.data_offset, r.data_size);
        block_.trailer_fb = bytes.subspan(r.trailer_fb_offset, r.trailer_fb_size);
        break;
      }
      case Item::Done: break;
    }
    return r.kind;
  }

  const MappedFile& mapped_;
  std::string file_;
  bool remember_;
  std::unique_ptr<SegmentScanner> scanner_;
  bool clean_ = true;   // no damage reported by the scan so far
  bool grew_ = false;   // the scan added records to remember
  std::vector<ScanRecord> recorded_;
  SegmentScanner::Resume resume_;
  std::shared_ptr<const ScanPrefix> known_;
  size_t at_ = 0;
  bool replaying_ = false;
  ScannedSegment segment_;
  ScannedBlock block_;
  ScannedEnd end_;
  bool in_segment_ = false;
  bool indexed_ = false;   // the current block came from the end index
  bool from_index_ = false;
};

JournalReader::JournalReader(const std::vector<std::string>& inputs, ReadOptions options,
                             DamageReporter reporter)
    : files_(expand_inputs(inputs)), options_(options), reporter_(std::move(reporter)) {}

JournalReader::~JournalReader() = default;

void JournalReader::report(const Damage& d) {
  ++stats_.damage_reports;
  if (reporter_) reporter_(d);
}

bool JournalReader::open_next_file() {
  scanner_.reset();
  mapped_.reset();
  if (next_file_ >= files_.size()) return false;
  const std::string& file = files_[next_file_++];
  mapped_ = std::make_unique<MappedFile>(file);
  scanner_ = std::make_unique<FileItems>(*mapped_, file == "-" ? "<stdin>" : file,
                                         [this](const Damage& d) { report(d); }, options_.remember_scans);
  if (scanner_->from_index()) ++stats_.segments_indexed;
  return true;
}

void JournalReader::check_segment_link(const ScannedSegment& s) {
  if (!s.header_ok) return;
  const SegmentHeader& h = s.header;
  if (h.journal_id == journal_id_) {
    if (h.segment_index != segment_index_ + 1) {
      const bool gap = h.segment_index > segment_index_ + 1;
      report(Damage{gap ? DamageKind::MissingSegment : DamageKind::ChainBreak, scanner_->file(),
                    s.offset, 0,
                    gap ? "segments " + std::to_string(segment_index_ + 1) + ".." +
                              std::to_string(h.segment_index - 1) + " of this journal are missing"
                        : "segment " + std::to_string(h.segment_index) + " follows segment " +
                              std::to_string(segment_index_)});
    } else if (h.prev_hash != chain_end_) {
      report(Damage{DamageKind::ChainBreak, scanner_->file(), s.offset, 0,
                    "segment " + std::to_string(h.segment_index) +
                        " does not chain to the end of segment " + std::to_string(segment_index_)});
    }
  } else {
    have_last_seq_ = false;  // another journal (or host): seq starts afresh
  }
  journal_id_ = h.journal_id;
  segment_index_ = h.segment_index;
  chain_end_ = s.stored_hash;
}

void JournalReader::check_seq(const ScannedBlock& b) {
  if (have_last_seq_ && b.trailer.first_seq <= last_seq_) {
    report(Damage{DamageKind::SeqRegression, scanner_->file(), b.data_offset, 0,
                  "block starts at seq " + std::to_string(b.trailer.first_seq) +
                      " after seq " + std::to_string(last_seq_)});
  }
  last_seq_ = std::max(have_last_seq_ ? last_seq_ : 0, b.trailer.last_seq);
  have_last_seq_ = true;
}

bool JournalReader::next_block(ReadBlock* out) {
  for (;;) {
    if (!scanner_ && !open_next_file()) return false;
    switch (scanner_->next()) {
      case SegmentScanner::Item::Done:
        scanner_.reset();
        continue;
      case SegmentScanner::Item::Segment:
        ++stats_.segments;
        segment_blocks_ = 0;
        check_segment_link(scanner_->segment());
        if (on_segment_) on_segment_(scanner_->file(), scanner_->segment());
        continue;
      case SegmentScanner::Item::End:
        chain_end_ = scanner_->end().stored_hash;
        if (scanner_->end().end.block_count != segment_blocks_) {
          report(Damage{DamageKind::TrailerMismatch, scanner_->file(), scanner_->end().offset, 0,
                        "segment end record counts " + std::to_string(scanner_->end().end.block_count) +
                            " blocks, " + std::to_string(segment_blocks_) + " found"});
        }
        if (on_end_) on_end_(scanner_->file(), scanner_->end());
        continue;
      case SegmentScanner::Item::Block:
        break;
    }
    const ScannedBlock& b = scanner_->block();
    chain_end_ = b.stored_hash;
    ++segment_blocks_;
    if (!options_.wants(b.trailer)) {
      // Judged by its trailer alone; seq order is still checked.
      check_seq(b);
      ++stats_.blocks_skipped;
      continue;
    }
    check_seq(b);
    if (std::string why; !scanner_->complete_block(&why)) {
      ++stats_.blocks_damaged;
      report(Damage{DamageKind::TrailerMismatch, scanner_->file(), b.data_offset, b.end_offset - b.data_offset,
                    "block " + std::to_string(b.trailer.block_index) + ": " + why});
      continue;
    }
    if (!b.link_holds()) {
      ++stats_.blocks_damaged;
      report(Damage{DamageKind::HashMismatch, scanner_->file(), b.data_offset,
                    b.end_offset - b.data_offset,
                    "block " + std::to_string(b.trailer.block_index) +
                        ": chain hash does not cover its bytes"});
      continue;
    }
    out->events.clear();
    out->block = nullptr;
    std::string why;
    const uint32_t build_mask = options_.in_place ? 0 : options_.type_mask;
    if (!decoder_.decode(b.data, b.trailer, build_mask, &out->events, &why)) {
      ++stats_.blocks_damaged;
      report(Damage{DamageKind::BadBlock, scanner_->file(), b.data_offset,
                    b.end_offset - b.data_offset,
                    "block " + std::to_string(b.trailer.block_index) + ": " + why});
      continue;
    }
    ++stats_.blocks_read;
    if (options_.in_place) {
      out->block = fb::GetBlock(decoder_.raw().data());
    } else {
      std::erase_if(out->events, [this](const Event& e) { return !options_.wants(e); });
      if (out->events.empty()) continue;
    }
    out->file = scanner_->file();
    out->segment = scanner_->in_segment() ? &scanner_->segment() : nullptr;
    out->trailer = b.trailer;
    out->data_offset = b.data_offset;
    out->end_offset = b.end_offset;
    return true;
  }
}

}  // namespace zagent
