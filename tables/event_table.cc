#include "tables/event_table.h"

#include <sqlite3.h>

#include "journal/event_json.h"

namespace zagent::tables {

void Cell::null() { sqlite3_result_null(context_); }
void Cell::integer(int64_t v) { sqlite3_result_int64(context_, v); }
void Cell::text(std::string_view v) {
  sqlite3_result_text64(context_, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void Cell::blob(std::string_view v) { sqlite3_result_blob64(context_, v.data(), v.size(), SQLITE_TRANSIENT); }

TableSchema EventTable::schema() const {
  TableSchema s{name, summary, {}, example};
  s.columns = {
      {"time", ColumnType::Integer, "when the event happened, ns since the Unix epoch"},
      {"seq", ColumnType::Integer, "the event's sequence number, strictly increasing per host"},
      {"host", ColumnType::Text, "the name of the host that recorded it"},
      {"boot_id", ColumnType::Text,
       "the host's boot id when it was recorded; (boot_id, pid, start_boot_ns) names a process"},
  };
  for (const auto& c : columns) s.columns.push_back(c.column);
  return s;
}

namespace {
std::vector<const EventTable*>& registry() {
  static std::vector<const EventTable*> all;
  return all;
}
}  // namespace

void register_event_table(const EventTable* table) { registry().push_back(table); }
const std::vector<const EventTable*>& event_tables() { return registry(); }

std::string json_array(const std::vector<std::string>& items) {
  std::string out;
  json_array(items.size(), [&items](size_t i) { return std::string_view(items[i]); }, &out);
  return out;
}

}  // namespace zagent::tables
