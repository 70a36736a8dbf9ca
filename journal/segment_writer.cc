#include "journal/segment_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <flatbuffers/flatbuffers.h>

#include "journal/block_codec.h"
#include "journal/error.h"

namespace zagent {

SegmentWriter::SegmentWriter(std::string path, const SegmentHeader& header, int zstd_level)
    : path_(std::move(path)), header_(header), fbb_(std::make_unique<flatbuffers::FlatBufferBuilder>(1 << 16)) {
  cctx_ = ZSTD_createCCtx();
  if (!cctx_) throw Error("zstd: out of memory creating a compression context");
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, zstd_level);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_contentSizeFlag, 1);

  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_APPEND, 0600);
  if (fd_ < 0) {
    ZSTD_freeCCtx(cctx_);
    throw_errno("cannot create journal segment", path_);
  }
  ::fchmod(fd_, 0600);  // whatever the umask

  const std::vector<uint8_t> fb = encode_record(header_);
  chain_ = chain_hash(format::Record::SegmentHeader, header_.prev_hash, fb);
  try {
    write_all(frame_record(format::Record::SegmentHeader, fb, chain_));
  } catch (...) {
    // No destructor runs for a constructor that throws. The file holds no
    // complete record: remove it, so that a retry can create it again.
    ::close(fd_);
    ::unlink(path_.c_str());
    ZSTD_freeCCtx(cctx_);
    throw;
  }
}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) ::close(fd_);
  ZSTD_freeCCtx(cctx_);
}

std::vector<uint8_t> SegmentWriter::frame_record(format::Record type, std::span<const uint8_t> fb,
                                                 const Hash& hash) {
  std::vector<uint8_t> out(format::kFrameHeaderSize + fb.size() + hash.size());
  format::store_le32(out.data(), format::record_magic(type));
  format::store_le32(out.data() + 4, static_cast<uint32_t>(fb.size() + hash.size()));
  std::copy(fb.begin(), fb.end(), out.begin() + format::kFrameHeaderSize);
  std::copy(hash.begin(), hash.end(), out.end() - static_cast<long>(hash.size()));
  return out;
}

const BlockTrailer& SegmentWriter::append_block(std::span<const Event> events) {
  if (fd_ < 0) throw Error("journal segment already closed: " + path_);
  if (events.empty()) throw Error("empty block: " + path_);

  encode_block(events, *fbb_);
  const size_t raw_size = fbb_->GetSize();
  if (raw_size > format::kMaxBlockRawSize) {
    throw Error("block of " + std::to_string(raw_size) + " bytes exceeds the limit of " +
                std::to_string(format::kMaxBlockRawSize) + ": " + path_);
  }
  compressed_.resize(ZSTD_compressBound(raw_size));
  const size_t n = ZSTD_compress2(cctx_, compressed_.data(), compressed_.size(),
                                  fbb_->GetBufferPointer(), raw_size);
  if (ZSTD_isError(n)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(n) + ": " + path_);
  const std::span<const uint8_t> data(compressed_.data(), n);

  BlockTrailer t;
  t.block_index = block_count_;
  t.data_offset = size_;
  t.data_size = n;
  t.raw_size = raw_size;
  t.min_ts = events.front().ts;
  t.max_ts = events.front().ts;
  t.first_seq = events.front().seq;
  t.last_seq = events.back().seq;
  t.event_count = static_cast<uint32_t>(events.size());
  t.type_counts.assign(kEventTypeCount, 0);
  for (const Event& e : events) {
    t.min_ts = std::min(t.min_ts, e.ts);
    t.max_ts = std::max(t.max_ts, e.ts);
    ++t.type_counts[e.body.index()];
  }

  const std::vector<uint8_t> fb = encode_record(t);
  const Hash hash = chain_hash(format::Record::BlockTrailer, chain_, data, fb);
  write_all(data, frame_record(format::Record::BlockTrailer, fb, hash));

  chain_ = hash;
  ++block_count_;
  event_count_ += events.size();
  if (index_.size() < format::kMaxIndexedBlocks) {
    uint32_t types = 0;
    for (size_t i = 0; i < t.type_counts.size(); ++i) types |= t.type_counts[i] ? 1u << i : 0;
    index_.push_back(IndexedBlock{t.data_offset, t.min_ts, t.max_ts, t.first_seq, t.last_seq,
                                  static_cast<uint32_t>(t.data_size),
                                  static_cast<uint32_t>(format::kFrameHeaderSize + fb.size() + format::kHashSize),
                                  t.event_count, types});
  }
  last_trailer_ = std::move(t);
  return last_trailer_;
}

void SegmentWriter::sync() {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) throw_errno("fdatasync", path_);
}

void SegmentWriter::finish(int64_t closed_ts, uint64_t next_seq) {
  if (fd_ < 0) return;
  // The index only when it lists every block.
  std::vector<IndexedBlock> index;
  if (index_.size() == block_count_) index = std::move(index_);
  const std::vector<uint8_t> fb = encode_record(SegmentEnd{block_count_, event_count_, next_seq, closed_ts, std::move(index)});
  const Hash hash = chain_hash(format::Record::SegmentEnd, chain_, fb);
  write_all(frame_record(format::Record::SegmentEnd, fb, hash));
  chain_ = hash;
  if (::fsync(fd_) != 0) throw_errno("fsync", path_);
  ::close(fd_);
  fd_ = -1;
}

void SegmentWriter::write_all(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  iovec iov[2] = {{const_cast<uint8_t*>(a.data()), a.size()},
                  {const_cast<uint8_t*>(b.data()), b.size()}};
  int iovcnt = b.empty() ? 1 : 2;
  iovec* cur = iov;
  uint64_t written = 0;
  const uint64_t total = a.size() + b.size();
  while (written < total) {
    const ssize_t n = ::writev(fd_, cur, iovcnt);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      // Cut the partial record off: those bytes are covered by no trailer.
      if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
        // Nothing more to do: a reader will report the torn tail.
      }
      errno = n < 0 ? saved : EIO;
      throw_errno("cannot append at offset " + std::to_string(size_) + " to journal segment",
                  path_);
    }
    written += static_cast<uint64_t>(n);
    size_t left = static_cast<size_t>(n);
    while (iovcnt > 0 && left >= cur->iov_len) {
      left -= cur->iov_len;
      ++cur;
      --iovcnt;
    }
    if (iovcnt > 0) {
      cur->iov_base = static_cast<uint8_t*>(cur->iov_base) + left;
      cur->iov_len -= left;
    }
  }
  size_ += total;
}

}  // namespace zagent
