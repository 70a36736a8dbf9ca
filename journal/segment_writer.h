// Writes one journal segment file: a header, then for each block a zstd data
// frame and its trailer, then an end record when closed cleanly. It only
// appends, and only whole records: a failed write is cut back to the end of
// the last complete record before the error is thrown, so no byte a trailer
// covers is ever rewritten and no partial record is left behind.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "journal/event.h"
#include "journal/records.h"

struct ZSTD_CCtx_s;

namespace flatbuffers {
class FlatBufferBuilder;
}

namespace zagent {

class SegmentWriter {
 public:
  // Creates `path`, which must not exist, with mode 0600, and writes the
  // header. The chain starts from header.prev_hash.
  SegmentWriter(std::string path, const SegmentHeader& header, int zstd_level);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Appends one block holding `events` (non-empty, seq strictly increasing).
  const BlockTrailer& append_block(std::span<const Event> events);

  // fdatasync: everything appended so far survives a power loss.
  void sync();

  // Writes the end record, syncs and closes. No appends after this.
  void finish(int64_t closed_ts, uint64_t next_seq);

  const std::string& path() const { return path_; }
  const SegmentHeader& header() const { return header_; }
  uint64_t size() const { return size_; }
  uint64_t block_count() const { return block_count_; }
  uint64_t event_count() const { return event_count_; }
  // The hash of the last record written: the link the next record chains to.
  const Hash& chain() const { return chain_; }
  // The last block's trailer; only valid when block_count() > 0.
  const BlockTrailer& last_trailer() const { return last_trailer_; }

 private:
  void write_all(std::span<const uint8_t> a, std::span<const uint8_t> b = {});
  static std::vector<uint8_t> frame_record(format::Record type, std::span<const uint8_t> fb,
                                           const Hash& hash);

  std::string path_;
  SegmentHeader header_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t block_count_ = 0;
  uint64_t event_count_ = 0;
  Hash chain_{};
  BlockTrailer last_trailer_;
  std::vector<IndexedBlock> index_;  // for the end record
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::unique_ptr<flatbuffers::FlatBufferBuilder> fbb_;
  std::vector<uint8_t> compressed_;
};

}  // namespace zagent
