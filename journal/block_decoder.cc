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

// Compares the decoded events with what the trailer says of them.
bool matches_trailer(std::span<const Event> events, const BlockTrailer& t, std::string* why) {
  if (events.size() != t.event_count) {
    *why = "block holds " + std::to_string(events.size()) + " events, trailer says " +
           std::to_string(t.event_count);
    return false;
  }
  if (events.empty()) {
    *why = "block holds no events";
    return false;
  }
  std::vector<uint32_t> counts(kEventTypeCount, 0);
  int64_t min_ts = events.front().ts, max_ts = events.front().ts;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0 && events[i].seq <= events[i - 1].seq) {
      *why = "seq " + std::to_string(events[i].seq) + " follows " + std::to_string(events[i - 1].seq);
      return false;
    }
    min_ts = std::min(min_ts, events[i].ts);
    max_ts = std::max(max_ts, events[i].ts);
    ++counts[events[i].body.index()];
  }
  if (events.front().seq != t.first_seq || events.back().seq != t.last_seq) {
    *why = "block seq range differs from its trailer's";
    return false;
  }
  if (min_ts != t.min_ts || max_ts != t.max_ts) {
    *why = "block time range differs from its trailer's";
    return false;
  }
  if (counts != t.type_counts) {
    *why = "block event counts per type differ from its trailer's";
    return false;
  }
  return true;
}

}  // namespace

bool BlockDecoder::decode(std::span<const uint8_t> data, const BlockTrailer& trailer,
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
  std::vector<Event> events;
  if (!decode_block(*block, &events, why)) return false;
  if (!matches_trailer(events, trailer, why)) return false;
  raw_ = raw;
  out->insert(out->end(), std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
  return true;
}

}  // namespace zagent
