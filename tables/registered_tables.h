// Every table the engine serves, from both registries (event_table.h and
// snapshot_table.h), for the places that list them: the engine's schemas,
// the table reference and the zagent_tables catalog.
#pragma once

#include <vector>

#include "tables/table_schema.h"

namespace zagent::tables {

struct RegisteredTable {
  TableSchema schema;
  bool over_journals = false;  // an event table; else a snapshot of the live host
};

// Event tables first, then snapshot tables, each group in name order.
std::vector<RegisteredTable> registered_tables();

}  // namespace zagent::tables
