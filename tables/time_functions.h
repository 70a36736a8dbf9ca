// SQL functions for the event tables' times (int64 ns since the epoch):
//
//   time_ns('2026-11-29T10:00:00Z')  -> 1795946400000000000
//   time_ns('1795946400.5')          -> epoch seconds work too
//   time_text(time)                  -> '2026-11-29T10:00:00.000000000Z'
//
// Both are deterministic, so a window written with time_ns() is still
// pushed down to the block trailers. Text that is no time is an error
// naming it.
#pragma once

struct sqlite3;

namespace zagent::tables {

void register_time_functions(sqlite3* db);

}  // namespace zagent::tables
