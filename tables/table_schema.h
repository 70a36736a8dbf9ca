// A table's schema as data: its name, a summary and documented columns. From
// this one definition come the SQLite declaration (CREATE TABLE x(...)),
// `zagent tables` and docs/tables.md, so the three cannot drift apart.
#pragma once

#include <string>
#include <string_view>
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

struct TableSchema {
  std::string name;
  std::string summary;
  std::vector<Column> columns;
  // A query that shows the table off, for the documentation.
  std::string example;

  // "CREATE TABLE x(name TYPE, ..., arg TYPE HIDDEN)" for sqlite3_declare_vtab.
  std::string declaration() const;
  // Index of the column called `name`, or -1.
  int column_index(std::string_view name) const;
  size_t argument_count() const;
};

}  // namespace zagent::tables
