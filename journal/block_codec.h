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

// Appends the events of a verified block to `out` and returns true. When a
// column is shorter than its events need, or a string index points past the
// string table, returns false with `why` set and `out` unchanged.
bool decode_block(const fb::Block& block, std::vector<Event>* out, std::string* why);

}  // namespace zagent
