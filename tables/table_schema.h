// A table's schema as data: its name, a summary and documented columns. From
// this one definition come the SQLite declaration (CREATE TABLE x(...)),
// `zagent tables` and docs/tables.md, so the three cannot drift apart.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zagent::tables {

enum class ColumnType { Integer, Real, Text, Blob };

std::string_view column_type_name(ColumnType type);  // "INTEGER", ...

struct Column {
  std::string name;
  ColumnType type = ColumnType::Integer;
  std::string doc;
  // An argument of a table-valued function (files_list('/etc/*')): a HIDDEN
  // column, given positionally after the table's name.
  bool argument = false;
};

// The Zeek type a column's values have when a query's rows go to Zeek
// (agent/zeek/result_row.h). A column without one goes by its SQL type:
// INTEGER as int, REAL as double, TEXT and BLOB as string. The tables that
// zeek-agent v2's Zeek package reads name the types its records declare.
enum class ZeekType {
  Count,      // INTEGER >= 0
  Bool,       // INTEGER 0 or 1
  Interval,   // INTEGER ns
  Time,       // INTEGER ns since the Unix epoch
  Addr,       // TEXT, an IPv4 or IPv6 address
  StringSet,  // TEXT, a JSON array of strings
  AddrSet,    // TEXT, a JSON array of addresses
  // TEXT, a JSON array sent as a vector (Zeek reads it as a record): whole
  // numbers >= 0 as count, < 0 as int, others as double; strings; null unset.
  Record,
};

struct TableSchema {
  std::string name;
  std::string summary;
  std::vector<Column> columns;
  // A query that shows the table off, for the documentation.
  std::string example;
  // Columns whose Zeek type is not their SQL type's (above).
  std::vector<std::pair<std::string, ZeekType>> zeek_types = {};

  // "CREATE TABLE x(name TYPE, ..., arg TYPE HIDDEN)" for sqlite3_declare_vtab.
  std::string declaration() const;
  // Index of the column called `name`, or -1.
  int column_index(std::string_view name) const;
  size_t argument_count() const;
};

}  // namespace zagent::tables
