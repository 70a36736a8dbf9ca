// What scanning a closed segment file found (its header, every block's
// trailer and offsets, its end), remembered by the process, so that the next
// read of the same file jumps straight to the blocks it wants. Walking a
// file's frames touches every block's pages; on a large journal that walk,
// not the blocks read, is most of a window query.
//
// Only scans that met no damage and ended with the segment's end record are
// remembered: such a segment is never written again. Remembered items are
// no licence to skip checks: a block that is read is still hashed against
// its chain link and verified, so bytes changed behind the memo's back are
// caught as damage.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
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
  ScannedEnd end;
};

using ScanRecords = std::vector<ScanRecord>;

class ScanMemo {
 public:
  // The process's memo, shared by every reader (thread-safe).
  static ScanMemo& process();

  explicit ScanMemo(size_t max_records) : max_records_(max_records) {}

  std::shared_ptr<const ScanRecords> find(const FileIdentity& file) const;
  // Remembers a clean scan; the oldest files are forgotten past max_records.
  void store(const FileIdentity& file, ScanRecords records);

 private:
  struct Entry {
    FileIdentity file;
    std::shared_ptr<const ScanRecords> records;
  };
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
  size_t records_ = 0;
  size_t max_records_;
};

}  // namespace zagent
