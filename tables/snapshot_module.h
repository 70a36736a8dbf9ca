// The SQLite module that serves every registered snapshot table
// (snapshot_table.h) as an eponymous, read-only virtual table; argument
// columns make it a table-valued function: files_list('/etc/*.conf').
#pragma once

#include "tables/query_context.h"

struct sqlite3;

namespace zagent::tables {

// Registers the snapshot tables on `db`; `context` must outlive it.
void register_snapshot_tables(sqlite3* db, const QueryContext* context);

}  // namespace zagent::tables
