// The journal's own records (schemas/journal.fbs) as C++ values, and their
// FlatBuffer encoding. Framing and hashing are the segment writer's and
// scanner's business; this file only converts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "journal/hash_chain.h"

namespace zagent {

struct Origin {
  std::string journal_id;  // raw bytes
  std::string host_name;
  uint64_t first_segment = 0;
  uint64_t last_segment = 0;
  int64_t since_ts = 0;
  int64_t until_ts = 0;
  int64_t exported_ts = 0;
  std::string tool;
  std::string types;  // the --type list asked for; empty: every type
  bool operator==(const Origin&) const = default;
};

struct SegmentHeader {
  uint16_t format_version = format::kFormatVersion;
  std::string journal_id;  // kJournalIdSize raw bytes
  uint64_t segment_index = 1;
  int64_t created_ts = 0;
  uint64_t first_seq = 1;
  std::string host_name;
  std::string machine_id;
  std::string boot_id;
  std::string agent_version;
  std::string schema_hash;  // raw SHA-256 bytes
  Hash prev_hash{};
  std::optional<Origin> origin;
  uint64_t seq_reserve = 0;
  bool operator==(const SegmentHeader&) const = default;
};

struct BlockTrailer {
  uint64_t block_index = 0;
  uint64_t data_offset = 0;
  uint64_t data_size = 0;
  uint64_t raw_size = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint32_t event_count = 0;
  std::vector<uint32_t> type_counts;  // index = EventType
  bool operator==(const BlockTrailer&) const = default;
};

// A block as the segment's end record lists it (journal.fbs BlockIndexEntry).
struct IndexedBlock {
  uint64_t data_offset = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint32_t data_size = 0;
  uint32_t trailer_size = 0;  // the whole trailer frame
  uint32_t event_count = 0;
  uint32_t types = 0;         // bit i: events of EventType i
  bool operator==(const IndexedBlock&) const = default;
};

struct SegmentEnd {
  uint64_t block_count = 0;
  uint64_t event_count = 0;
  uint64_t next_seq = 0;
  int64_t closed_ts = 0;
  std::vector<IndexedBlock> blocks;  // empty: no index
  bool operator==(const SegmentEnd&) const = default;
};

std::vector<uint8_t> encode_record(const SegmentHeader& h);
std::vector<uint8_t> encode_record(const BlockTrailer& t);
std::vector<uint8_t> encode_record(const SegmentEnd& e);

// Each verifies the FlatBuffer first; false when the bytes do not hold one.
bool decode_record(std::span<const uint8_t> bytes, SegmentHeader* out);
bool decode_record(std::span<const uint8_t> bytes, BlockTrailer* out);
bool decode_record(std::span<const uint8_t> bytes, SegmentEnd* out);

// The schema hash this build writes (SHA-256 of the schema text), raw bytes.
std::string current_schema_hash();

}  // namespace zagent
