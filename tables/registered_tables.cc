#include "tables/registered_tables.h"

#include <algorithm>

#include "tables/event_table.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {

std::vector<RegisteredTable> registered_tables() {
  std::vector<RegisteredTable> all;
  for (const EventTable* t : event_tables()) all.push_back({t->schema(), true});
  for (SnapshotTableFactory make : snapshot_table_factories()) all.push_back({make()->schema(), false});
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    if (a.over_journals != b.over_journals) return a.over_journals;
    return a.schema.name < b.schema.name;
  });
  return all;
}

}  // namespace zagent::tables
