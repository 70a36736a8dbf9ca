// Walks the frames of one journal file (one segment, or several concatenated
// with cat) without decompressing anything: headers, blocks (a data frame and
// its trailer) and end records, in file order. Damage in the framing is
// reported and skipped; the scanner resynchronises at the next frame and
// never reads outside the bytes it was given.
//
// Checking a block's chain link hashes its compressed bytes; the scanner
// leaves that to the caller (link_holds), so that a seek by time touches
// trailers only.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "journal/damage.h"
#include "journal/records.h"

namespace zagent {

struct ScannedSegment {
  SegmentHeader header;
  bool header_ok = false;  // false: the header record did not parse
  uint64_t offset = 0;     // of the header frame in the file
  Hash stored_hash{};      // the hash the header record carries
};

struct ScannedBlock {
  BlockTrailer trailer;
  uint64_t data_offset = 0;  // of the data frame in the file
  std::span<const uint8_t> data;        // the zstd frame
  std::span<const uint8_t> trailer_fb;  // the trailer's FlatBuffer
  uint64_t trailer_offset = 0;
  uint64_t end_offset = 0;   // just past the trailer frame
  Hash prev_hash{};          // the stored hash of the record before it
  Hash stored_hash{};        // the hash this trailer carries

  // Recomputes this block's link: does stored_hash cover prev_hash, data and trailer?
  bool link_holds() const;
};

struct ScannedEnd {
  SegmentEnd end;
  uint64_t offset = 0;
  uint64_t end_offset = 0;
  Hash stored_hash{};
};

class SegmentScanner {
 public:
  enum class Item { Segment, Block, End, Done };

  // `bytes` must outlive the scanner; `file` names it in damage reports.
  SegmentScanner(std::string file, std::span<const uint8_t> bytes, DamageReporter reporter);

  // Moves to the next item; Done at the end of the input.
  Item next();

  const ScannedSegment& segment() const { return segment_; }
  const ScannedBlock& block() const { return block_; }
  const ScannedEnd& end() const { return end_; }
  bool in_segment() const { return in_segment_; }

  // The end of the last complete record: what a writer recovering this file
  // keeps. Bytes after it are a torn tail or damage.
  uint64_t last_good_end() const { return last_good_end_; }
  // The stored hash of the last record seen in the current segment.
  const Hash& chain() const { return chain_; }
  const std::string& file() const { return file_; }

  // Where the scan stands just after the item next() returned, so that a
  // later scanner over the same file, grown longer, can go on from there
  // (scan_memo.h) without walking the frames before it.
  struct Resume {
    uint64_t pos = 0;
    bool in_segment = false;
    Hash chain{};
    ScannedSegment segment;
  };
  Resume resume_point() const { return Resume{pos_, in_segment_, chain_, segment_}; }
  void resume(const Resume& r);

 private:
  void report(DamageKind kind, uint64_t offset, uint64_t length, std::string reason);
  // The next offset >= from where a frame of ours plausibly starts, or size.
  uint64_t resync(uint64_t from) const;
  bool plausible_frame_at(uint64_t pos) const;
  void drop_pending_data(DamageKind kind, const std::string& reason);
  // Splits a record payload into its FlatBuffer and stored hash.
  bool split_payload(std::span<const uint8_t> payload, std::span<const uint8_t>* fb, Hash* hash) const;

  std::string file_;
  std::span<const uint8_t> bytes_;
  DamageReporter reporter_;
  uint64_t pos_ = 0;
  uint64_t last_good_end_ = 0;

  bool in_segment_ = false;
  Hash chain_{};
  bool have_data_ = false;   // a data frame waits for its trailer
  uint64_t data_offset_ = 0;
  uint64_t data_size_ = 0;

  ScannedSegment segment_;
  ScannedBlock block_;
  ScannedEnd end_;
};

}  // namespace zagent
