// Converts a batch of events to and from the FlatBuffer that one journal block
// holds (schemas/events.fbs, root Block), stored by column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "journal/event.h"

namespace flatbuffers {
class FlatBufferBuilder;
}
namespace zagent::fb {
struct Block;
}

namespace zagent {

// Builds the Block for `events` (journal order, seq strictly increasing)
// into `fbb`, which is cleared first. Each distinct string is stored once.
void encode_block(std::span<const Event> events, flatbuffers::FlatBufferBuilder& fbb);

// Returns the block when `bytes` hold a Block that passes the FlatBuffers
// verifier (with the file identifier) and has one type and ts per event,
// else nullptr. Never reads outside `bytes`, whatever they hold.
const fb::Block* verified_block(std::span<const uint8_t> bytes);

// What a block's type, ts and seq columns say of all its events, to be
// compared with its trailer.
struct BlockSummary {
  uint32_t event_count = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  bool seq_increasing = true;
  std::vector<uint32_t> type_counts;  // index = EventType
};

// Appends the events of a verified block whose type is in `type_mask` (bit
// i: EventType i) to `out`, summarises all of them, and returns true. The
// events of other types are checked as strictly but not built. When a
// column is shorter than its events need, or a string index points past the
// string table, returns false with `why` set and `out` unchanged.
bool decode_block(const fb::Block& block, uint32_t type_mask, std::vector<Event>* out, BlockSummary* summary,
                  std::string* why);
// Every event.
bool decode_block(const fb::Block& block, std::vector<Event>* out, std::string* why);

}  // namespace zagent
