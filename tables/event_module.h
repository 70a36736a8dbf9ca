// The SQLite module that serves every registered event table (event_table.h)
// as an eponymous, read-only virtual table over the journals of a
// QueryContext.
#pragma once

#include "tables/query_context.h"
#include "tables/scan_stats.h"

struct sqlite3;

namespace zagent::tables {

// Registers the event tables on `db`. `context` and `stats` must outlive the
// connection; every cursor adds what it read to *stats when it closes.
void register_event_tables(sqlite3* db, const QueryContext* context, ScanStats* stats);

}  // namespace zagent::tables
