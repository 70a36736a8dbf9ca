// An event table: one row per recorded event of some types, over journals
// (and, inside a running agent, the events not yet on disk). Each table is
// one file under tables/event/ that declares its columns with a getter per
// column and registers itself; event_module.cc serves them all, with the
// columns every event table starts with:
//
//   time     INTEGER  the event's time, ns since the Unix epoch
//   seq      INTEGER  its per-host sequence number
//   host     TEXT     the host name from the event's segment header
//   boot_id  TEXT     the host's boot id then: with pid and start_boot_ns,
//                     the key of a process that survives pid reuse
//
// Constraints on time and seq are pushed down to the journal's block
// trailers, so a window query decompresses only the blocks it overlaps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "journal/block_rows.h"
#include "journal/event.h"
#include "journal/event_json.h"
#include "journal/event_names.h"
#include "tables/table_schema.h"

struct sqlite3_context;

namespace zagent::tables {

// Where a getter writes its column's value for the current row.
class Cell {
 public:
  explicit Cell(sqlite3_context* context) : context_(context) {}
  void null();
  void integer(int64_t v);
  void text(std::string_view v);
  void blob(std::string_view v);

 private:
  sqlite3_context* context_;
};

// A column's value for the cursor's current event, read in place from its
// block (journal/block_rows.h).
using ColumnGetter = void (*)(const BlockRows& row, Cell& cell);

struct EventColumn {
  Column column;
  ColumnGetter get;
};

struct EventTable {
  std::string name;
  std::string summary;
  std::string example;
  uint32_t type_mask = 0;  // bit i: EventType i
  std::vector<EventColumn> columns;  // after the common columns

  // The schema SQLite and the documentation see: the common columns, then columns.
  TableSchema schema() const;
};

inline constexpr int kTimeColumn = 0;
inline constexpr int kSeqColumn = 1;
inline constexpr int kHostColumn = 2;
inline constexpr int kBootIdColumn = 3;
inline constexpr int kCommonColumns = 4;

inline constexpr uint32_t type_bit(EventType t) { return 1u << static_cast<unsigned>(t); }

void register_event_table(const EventTable* table);
const std::vector<const EventTable*>& event_tables();

// Registers a table defined as a static object: `static const
// EventTableRegistration registration(table);`
struct EventTableRegistration {
  explicit EventTableRegistration(const EventTable& table) { register_event_table(&table); }
};

// The column table of the row's event type, for a table of that type:
// `columns_of<EventType::SocketEvent, &fb::Block::socket>`; nullptr for a row
// of another type (never, given the table's type mask; its getters give NULL).
template <EventType Type, auto Member>
auto columns_of(const BlockRows& r) -> decltype((r.block().*Member)()) {
  return r.type() == Type ? (r.block().*Member)() : nullptr;
}

// Getters for a field of the column table `Of` finds: an integer (`Absent`
// when the block has no such column, see events.fbs), a string, an enum by
// its name (journal/event_names.h), an address as text.
template <auto Of, auto Field, int64_t Absent = 0>
void int_of(const BlockRows& r, Cell& c) {
  const auto* cols = Of(r);
  if (!cols) return c.null();
  const auto* column = (cols->*Field)();
  using T = std::remove_cvref_t<decltype(column->Get(0))>;
  c.integer(static_cast<int64_t>(column_value<T>(column, r.row(), static_cast<T>(Absent))));
}
template <auto Of, auto Field>
void text_of(const BlockRows& r, Cell& c) {
  const auto* cols = Of(r);
  if (!cols) return c.null();
  c.text(r.string(column_value((cols->*Field)(), r.row())));
}
template <auto Of, auto Field, typename Enum>
void name_of(const BlockRows& r, Cell& c) {
  const auto* cols = Of(r);
  if (!cols) return c.null();
  c.text(name(static_cast<Enum>(column_value((cols->*Field)(), r.row()))));
}
template <auto Of, auto Field>
void ip_of(const BlockRows& r, Cell& c) {
  const auto* cols = Of(r);
  if (!cols) return c.null();
  c.text(column_ip((cols->*Field)(), r.row()).to_string());
}

// argv as a JSON array of strings (json_each() takes it apart); bytes that
// are not UTF-8 are escaped as in `zagent cat`. The second form writes
// item(0) ... item(n - 1) into `out`, for a getter that reuses its buffer.
std::string json_array(const std::vector<std::string>& items);
template <typename Item>
void json_array(size_t n, Item item, std::string* out) {
  *out = "[";
  for (size_t i = 0; i < n; ++i) {
    if (i) *out += ',';
    append_json_string(item(i), out);
  }
  *out += ']';
}

}  // namespace zagent::tables
