// Converts a batch of events to and from the FlatBuffer that one journal block
// holds (schemas/events.fbs, root Block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "journal/event.h"

namespace flatbuffers {
class FlatBufferBuilder;
}
namespace zagent::fb {
struct Block;
struct Event;
}  // namespace zagent::fb

namespace zagent {

// Builds the Block for `events` (journal order) into `fbb`, which is cleared
// first. Repeated strings (exe, comm, cwd, paths) are stored once per block.
void encode_block(std::span<const Event> events, flatbuffers::FlatBufferBuilder& fbb);

// Returns the block when `bytes` hold a Block that passes the FlatBuffers
// verifier (with the file identifier), else nullptr. Never reads outside
// `bytes`, whatever they hold.
const fb::Block* verified_block(std::span<const uint8_t> bytes);

// Appends the events of a verified block to `out`.
void decode_block(const fb::Block& block, std::vector<Event>* out);

// One event of a verified block, with absolute ts and seq.
Event decode_event(const fb::Event& event, int64_t base_ts, uint64_t base_seq);

}  // namespace zagent
