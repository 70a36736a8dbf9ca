// The journal's framing constants. docs/journal-format.md is the prose
// description of the format; this file is its single source in code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zagent::format {

inline constexpr uint16_t kFormatVersion = 1;

// Every data frame is an ordinary zstd frame.
inline constexpr uint32_t kZstdMagic = 0xFD2FB528;

// The journal's own records travel in zstd skippable frames: 4-byte magic
// 0x184D2A5?, 4-byte payload size, payload. The magic's low nibble says which
// record it is. zstd tools skip every such frame; a zagent reader reports a
// nibble this format version does not define as damage.
inline constexpr uint32_t kSkippableMagicBase = 0x184D2A50;
inline constexpr uint32_t kSkippableMagicMask = 0xFFFFFFF0;
inline constexpr size_t kFrameHeaderSize = 8;  // magic + payload size

enum class Record : uint8_t {
  SegmentHeader = 0xA,
  BlockTrailer = 0xB,
  SegmentEnd = 0xE,
};

// A record's payload: a FlatBuffer (journal.fbs), then the chain hash.
inline constexpr size_t kHashSize = 32;  // BLAKE2b-256

// Bounds a reader enforces on untrusted input.
inline constexpr size_t kMaxRecordPayload = 1u << 20;
inline constexpr size_t kMaxBlockRawSize = 256u << 20;
inline constexpr size_t kJournalIdSize = 16;
// A segment end record lists its blocks (journal.fbs BlockIndexEntry, 56
// bytes each) up to this many, which keeps it well under kMaxRecordPayload.
inline constexpr size_t kMaxIndexedBlocks = 16384;

inline bool is_skippable(uint32_t magic) {
  return (magic & kSkippableMagicMask) == kSkippableMagicBase;
}
inline uint32_t record_magic(Record r) { return kSkippableMagicBase | static_cast<uint32_t>(r); }

inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline void store_le32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

}  // namespace zagent::format
