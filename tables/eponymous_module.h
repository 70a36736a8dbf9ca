// The sqlite3_module of a zagent table: eponymous only (no xCreate: the
// table exists under its module's name in every connection) and read-only
// (no xUpdate), so SQLite itself refuses INSERT, UPDATE and DELETE on it.
#pragma once

#include <sqlite3.h>

namespace zagent::tables {

inline sqlite3_module eponymous_read_only_module(
    decltype(sqlite3_module::xConnect) connect, decltype(sqlite3_module::xBestIndex) best_index,
    decltype(sqlite3_module::xDisconnect) disconnect, decltype(sqlite3_module::xOpen) open,
    decltype(sqlite3_module::xClose) close, decltype(sqlite3_module::xFilter) filter,
    decltype(sqlite3_module::xNext) next, decltype(sqlite3_module::xEof) eof,
    decltype(sqlite3_module::xColumn) column, decltype(sqlite3_module::xRowid) rowid) {
  sqlite3_module m{};
  m.xConnect = connect;
  m.xBestIndex = best_index;
  m.xDisconnect = disconnect;
  m.xOpen = open;
  m.xClose = close;
  m.xFilter = filter;
  m.xNext = next;
  m.xEof = eof;
  m.xColumn = column;
  m.xRowid = rowid;
  return m;
}

}  // namespace zagent::tables
