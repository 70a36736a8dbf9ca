// zagent_tables: the tables this engine serves, for `.tables` in the shell
// and for clients that discover what they can ask.
//
//   SELECT name, kind FROM zagent_tables ORDER BY name;
#include "tables/registered_tables.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

class CatalogTable : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema s{
        "zagent_tables",
        "The SQL tables this engine serves.",
        {{"name", ColumnType::Text, "the table's name"},
         {"kind", ColumnType::Text, "'event' (over journals) or 'snapshot' (the live host)"},
         {"summary", ColumnType::Text, "what the table holds"}},
        "SELECT name, kind FROM zagent_tables ORDER BY name"};
    return s;
  }
  std::vector<Row> rows(const std::vector<Value>&, const QueryContext&) override {
    std::vector<Row> rows;
    for (const auto& t : registered_tables())
      rows.push_back({t.schema.name, std::string(t.over_journals ? "event" : "snapshot"), t.schema.summary});
    return rows;
  }
};

const SnapshotTableRegistration<CatalogTable> registration;

}  // namespace
}  // namespace zagent::tables
