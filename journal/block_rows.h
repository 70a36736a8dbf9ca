// Reads the events of a checked block in place, one after another, field
// by field or (event()) whole. The SQL tables read field by field: a query
// wants a few fields of many events, and building every Event (its
// strings, its argv) cost more than all the rest of a scan
// (docs/performance.md, "SQL tables"); decode_block builds whole events.
//
// Only for a block that decode_block has accepted: it found every column
// long enough for its events and every string index inside the string
// table, so nothing is checked again here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "journal/event.h"
#include "schemas/events_generated.h"

namespace zagent {

class BlockRows {
 public:
  BlockRows() = default;
  explicit BlockRows(const fb::Block* block);

  // Moves to the next event (the first, on the first call); false past the
  // last.
  bool next();

  EventType type() const { return type_; }
  int64_t ts() const { return static_cast<int64_t>(ts_); }
  uint64_t seq() const { return seq_; }
  // The event's index among its type's events: its row of the type's columns.
  size_t row() const { return row_; }
  // Where the event's run of a list column starts: argv for execs and
  // snapshots, the counters for sensor events.
  size_t run_first() const { return run_first_; }

  // The whole event at the cursor, built: for readers that want every
  // field (journal_reader.h, through decode_block).
  Event event() const;

  const fb::Block& block() const { return *block_; }
  std::string_view string(uint32_t index) const;

 private:
  const fb::Block* block_ = nullptr;
  size_t count_ = 0;
  size_t index_ = static_cast<size_t>(-1);
  uint64_t ts_ = 0;
  uint64_t seq_ = 0;
  EventType type_ = EventType::ProcessExec;
  size_t row_ = 0;
  size_t run_first_ = 0;
  std::array<size_t, kEventTypeCount> next_row_{};
  std::array<size_t, kEventTypeCount> next_run_{};
};

// Row `row` of a column; `absent` when the block has no such column (every
// entry has the field's default, see events.fbs). The FlatBuffers verifier
// checks that a vector's length is 4-aligned, not that 8-byte entries are
// 8-aligned: in a hostile block they may not be, so entries are copied out,
// never dereferenced in place.
template <typename T>
T column_value(const flatbuffers::Vector<T>* column, size_t row, T absent = T{}) {
  if (!column) return absent;
  T v;
  std::memcpy(&v, column->Data() + row * sizeof(T), sizeof(T));
  return flatbuffers::EndianScalar(v);
}

// An address column's entry (:: when the block has no such column).
IpAddress column_ip(const flatbuffers::Vector<const fb::Ip*>* column, size_t row);

}  // namespace zagent
