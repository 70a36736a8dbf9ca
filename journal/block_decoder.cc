#include "journal/block_decoder.h"

#include <zstd.h>

#include <algorithm>

#include "journal/block_codec.h"
#include "journal/error.h"
#include "schemas/events_generated.h"

namespace zagent {

BlockDecoder::BlockDecoder() : dctx_(ZSTD_createDCtx()) {
  if (!dctx_) throw Error("zstd: out of memory creating a decompression context");
}

BlockDecoder::~BlockDecoder() { ZSTD_freeDCtx(dctx_); }

namespace {

// Compares what the block says of its events with what the trailer says.
bool matches_trailer(const BlockSummary& s, const BlockTrailer& t, std::string* why) {
  if (s.event_count != t.event_count) {
    *why = "block holds " + std::to_string(s.event_count) + " events, trailer says " + std::to_string(t.event_count);
    return false;
  }
  if (s.event_count == 0) {
    *why = "block holds no events";
    return false;
  }
  if (!s.seq_increasing) {
    *why = "block seq wraps around";
    return false;
  }
  if (s.first_seq != t.first_seq || s.last_seq != t.last_seq) {
    *why = "block seq range differs from its trailer's";
    return false;
  }
  if (s.min_ts != t.min_ts || s.max_ts != t.max_ts) {
    *why = "block time range differs from its trailer's";
    return false;
  }
  if (s.type_counts != t.type_counts) {
    *why = "block event counts per type differ from its trailer's";
    return false;
  }
  return true;
}

}  // namespace

bool BlockDecoder::decode(std::span<const uint8_t> data, const BlockTrailer& trailer, uint32_t type_mask,
                          std::vector<Event>* out, std::string* why) {
  raw_ = {};
  const unsigned long long content = ZSTD_getFrameContentSize(data.data(), data.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN) {
    *why = "data frame has no valid zstd frame header";
    return false;
  }
  if (content != trailer.raw_size || content > format::kMaxBlockRawSize) {
    *why = "data frame holds " + std::to_string(content) + " bytes, trailer says " +
           std::to_string(trailer.raw_size);
    return false;
  }
  buffer_.resize(content);
  const size_t n = ZSTD_decompressDCtx(dctx_, buffer_.data(), buffer_.size(), data.data(), data.size());
  if (ZSTD_isError(n) || n != content) {
    *why = std::string("zstd: ") + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
    return false;
  }
  const std::span<const uint8_t> raw(buffer_.data(), n);
  const fb::Block* block = verified_block(raw);
  if (!block) {
    *why = "block fails the FlatBuffers verifier";
    return false;
  }
  const size_t first_out = out->size();
  BlockSummary summary;
  if (!decode_block(*block, type_mask, out, &summary, why)) return false;
  if (!matches_trailer(summary, trailer, why)) {
    out->resize(first_out);
    return false;
  }
  raw_ = raw;
  return true;
}

}  // namespace zagent
