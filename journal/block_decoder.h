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

  // Appends the block's events of the types in `type_mask` (bit i:
  // EventType i) to `out` and returns true; on any damage returns false
  // with `why` set and `out` unchanged. The whole block is decompressed and
  // verified, and checked against its trailer, whatever the mask; events of
  // unwanted types are checked but not built.
  bool decode(std::span<const uint8_t> data, const BlockTrailer& trailer, uint32_t type_mask,
              std::vector<Event>* out, std::string* why);
  bool decode(std::span<const uint8_t> data, const BlockTrailer& trailer, std::vector<Event>* out,
              std::string* why) {
    return decode(data, trailer, ~0u, out, why);
  }

  // Decompressed bytes of the last successful decode: a verified fb::Block.
  std::span<const uint8_t> raw() const { return raw_; }

 private:
  ZSTD_DCtx_s* dctx_ = nullptr;
  std::vector<uint8_t> buffer_;
  std::span<const uint8_t> raw_;
};

}  // namespace zagent
