#include "tables/table_schema.h"

namespace zagent::tables {

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::Integer: return "INTEGER";
    case ColumnType::Real: return "REAL";
    case ColumnType::Text: return "TEXT";
    case ColumnType::Blob: return "BLOB";
  }
  return "ANY";
}

std::string TableSchema::declaration() const {
  std::string sql = "CREATE TABLE x(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) sql += ", ";
    sql += '"' + columns[i].name + "\" ";
    sql += column_type_name(columns[i].type);
    if (columns[i].argument) sql += " HIDDEN";
  }
  return sql + ")";
}

int TableSchema::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

size_t TableSchema::argument_count() const {
  size_t n = 0;
  for (const auto& c : columns) n += c.argument;
  return n;
}

}  // namespace zagent::tables
