// Turns a scanned block into events, checking everything on the way: the
// zstd frame (its checksum included), the size its trailer states, the
// FlatBuffers verifier, and that the events match the trailer's summary.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "journal/event.h"
#include "journal/records.h"

struct ZSTD_DCtx_s;

namespace zagent {

class BlockDecoder {
 public:
  BlockDecoder();
  ~BlockDecoder();
  BlockDecoder(const BlockDecoder&) = delete;
  BlockDecoder& operator=(const BlockDecoder&) = delete;

  // Appends the block's events to `out` and returns true; on any damage
  // returns false with `why` set and `out` unchanged.
  bool decode(std::span<const uint8_t> data, const BlockTrailer& trailer, std::vector<Event>* out,
              std::string* why);

  // Decompressed bytes of the last successful decode: a verified fb::Block.
  std::span<const uint8_t> raw() const { return raw_; }

 private:
  ZSTD_DCtx_s* dctx_ = nullptr;
  std::vector<uint8_t> buffer_;
  std::span<const uint8_t> raw_;
};

}  // namespace zagent
