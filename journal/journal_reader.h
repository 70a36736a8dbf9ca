// Reads events in journal order from any mix of inputs: journal directories
// (their segment files in order), single segment files, files made by
// concatenating segments, and standard input ("-").
//
// Every block is verified before use: its chain link, its zstd frame, the
// FlatBuffers verifier, its trailer. Damaged blocks are reported and
// skipped. Across segments of one journal the reader also checks that each
// segment chains to the one before and that seq keeps increasing.
//
// Windows (time, seq, types) are applied first to the trailers, so blocks
// outside a window are never hashed nor decompressed. With remember_scans, a
// segment read before in this process is not even walked again up to where
// that read got (scan_memo.h).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "journal/block_decoder.h"
#include "journal/damage.h"
#include "journal/event.h"
#include "journal/mapped_file.h"
#include "journal/segment_scanner.h"

namespace zagent {

namespace fb {
struct Block;
}
class FileItems;

struct ReadOptions {
  int64_t since_ts = std::numeric_limits<int64_t>::min();  // inclusive
  int64_t until_ts = std::numeric_limits<int64_t>::max();  // exclusive
  uint64_t from_seq = 0;                                    // inclusive
  uint64_t until_seq = std::numeric_limits<uint64_t>::max(); // exclusive
  uint32_t type_mask = (1u << kEventTypeCount) - 1;         // bit i: EventType i
  // Use and feed the process's memo of scanned segments (scan_memo.h): for
  // long-lived readers of one journal (the query engine), not for verify.
  bool remember_scans = false;
  // Leave the events in their checked block (ReadBlock::block) instead of
  // building them: for readers that want a few fields of many events
  // (block_rows.h). Every block the trailers let through is returned, and
  // the caller filters its events with wants().
  bool in_place = false;

  bool wants(const Event& e) const { return wants(e.type(), e.ts, e.seq); }
  bool wants(EventType type, int64_t ts, uint64_t seq) const;
  bool wants(const BlockTrailer& t) const;
  bool before_until(int64_t ts) const;
};

// A block's events that pass the options, with where they came from.
struct ReadBlock {
  std::string file;
  const ScannedSegment* segment = nullptr;  // valid until the next call
  BlockTrailer trailer;
  uint64_t data_offset = 0;
  uint64_t end_offset = 0;  // just past the block's trailer
  std::vector<Event> events;
  // With in_place: the block itself, checked; valid until the next call.
  const fb::Block* block = nullptr;
};

struct ReadStats {
  uint64_t segments = 0;
  uint64_t segments_indexed = 0;  // reached through their end index, not walked
  uint64_t blocks_read = 0;     // decompressed and verified
  uint64_t blocks_skipped = 0;  // outside the window, judged by trailer only
  uint64_t blocks_damaged = 0;
  uint64_t damage_reports = 0;
};

class JournalReader {
 public:
  // Throws Error when an input cannot be opened or a directory listed.
  JournalReader(const std::vector<std::string>& inputs, ReadOptions options, DamageReporter reporter);
  ~JournalReader();

  // The next block holding at least one wanted event; false at the end.
  bool next_block(ReadBlock* out);

  // Called for every segment header as it is reached (for info, export).
  void on_segment(std::function<void(const std::string& file, const ScannedSegment&)> f) {
    on_segment_ = std::move(f);
  }
  // Called for every clean segment end.
  void on_end(std::function<void(const std::string& file, const ScannedEnd&)> f) { on_end_ = std::move(f); }

  const ReadStats& stats() const { return stats_; }

  // The segment files of a journal directory, in order.
  static std::vector<std::string> list_segments(const std::string& dir);
  // Expands directories into their segment files.
  static std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs);

 private:
  void report(const Damage& d);
  bool open_next_file();
  void check_segment_link(const ScannedSegment& s);
  void check_seq(const ScannedBlock& b);

  std::vector<std::string> files_;
  size_t next_file_ = 0;
  ReadOptions options_;
  DamageReporter reporter_;
  std::unique_ptr<MappedFile> mapped_;
  std::unique_ptr<FileItems> scanner_;  // the current file's items
  BlockDecoder decoder_;
  ReadStats stats_;
  std::function<void(const std::string&, const ScannedSegment&)> on_segment_;
  std::function<void(const std::string&, const ScannedEnd&)> on_end_;

  // What the previous segment of the journal being read ended with.
  std::string journal_id_;
  uint64_t segment_index_ = 0;
  Hash chain_end_{};
  uint64_t last_seq_ = 0;
  bool have_last_seq_ = false;
  uint64_t segment_blocks_ = 0;  // blocks seen in the current segment
};

// Parses a --type list: comma-separated type names; throws Error naming the
// bad one.
uint32_t parse_type_mask(const std::string& list);

}  // namespace zagent
