// What scanning a segment file found (its header, every block's trailer and
// offsets, its end), remembered by the process, so that the next read of the
// same file jumps straight to the blocks it wants. Walking a file's frames
// touches every block's pages; on a large journal that walk, not the blocks
// read, is most of a window query.
//
// What is remembered is the clean prefix of a scan: the items up to the
// first damage, and where the scanner stood after the last of them. A
// segment still being written grows at its end only, so the next read
// replays the prefix and scans just what was appended since. A file whose
// first bytes differ from the remembered ones (a new segment that got a
// deleted one's inode) is scanned afresh.
//
// Remembered items are no licence to skip checks: a block that is read is
// still hashed against its chain link and verified, so bytes changed behind
// the memo's back are caught as damage.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "journal/mapped_file.h"
#include "journal/segment_scanner.h"

namespace zagent {

// One item of a scan. A block's spans are kept as offsets into the file and
// rebuilt over whichever mapping reads it.
struct ScanRecord {
  SegmentScanner::Item kind = SegmentScanner::Item::Done;
  ScannedSegment segment;
  ScannedBlock block;
  uint64_t data_size = 0;
  uint64_t trailer_fb_offset = 0;
  uint64_t trailer_fb_size = 0;
  // Taken from the segment's end index (segment_index.h): the trailer and
  // hashes are filled in when the block is read.
  bool indexed = false;
  ScannedEnd end;
};

struct ScanPrefix {
  std::string head;             // the file's first bytes, to recognise it
  std::vector<ScanRecord> records;
  SegmentScanner::Resume resume;  // after the last record
};

class ScanMemo {
 public:
  // The process's memo, shared by every reader (thread-safe).
  static ScanMemo& process();

  explicit ScanMemo(size_t max_records) : max_records_(max_records) {}

  // The remembered prefix of this file, if it still applies to `bytes`.
  std::shared_ptr<const ScanPrefix> find(const FileIdentity& file, std::span<const uint8_t> bytes) const;
  // Remembers a prefix (replacing the file's earlier one); the files read
  // longest ago are forgotten past max_records.
  void store(const FileIdentity& file, std::span<const uint8_t> bytes, std::vector<ScanRecord> records,
             const SegmentScanner::Resume& resume);

  // How many bytes of a file identify it.
  static constexpr size_t kHeadBytes = 512;

 private:
  struct Entry {
    FileIdentity file;
    std::shared_ptr<const ScanPrefix> prefix;
  };
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
  size_t records_ = 0;
  size_t max_records_;
};

}  // namespace zagent
