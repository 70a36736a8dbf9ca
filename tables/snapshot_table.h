// A snapshot table: rows computed from the live host at query time
// (processes, sockets, users, files_list(pattern), ...). Each table is one
// file under tables/snapshot/ that registers itself; the query engine never
// lists them.
//
//   class Processes : public SnapshotTable { ... };
//   static const SnapshotTableRegistration<Processes> registration;
#pragma once

#include <memory>
#include <vector>

#include "tables/query_context.h"
#include "tables/table_schema.h"
#include "tables/value.h"

namespace zagent::tables {

class SnapshotTable {
 public:
  virtual ~SnapshotTable() = default;
  virtual const TableSchema& schema() const = 0;
  // The table's rows for these arguments: one value per argument column,
  // in the schema's order, null when the query gave none. Each row has one
  // value per column of the schema; argument columns may be left null (the
  // engine fills them in). Throws Error (journal/error.h) for a bad
  // argument or an unreadable source; the message reaches the user.
  virtual std::vector<Row> rows(const std::vector<Value>& arguments, const QueryContext& context) = 0;
};

using SnapshotTableFactory = std::unique_ptr<SnapshotTable> (*)();

void register_snapshot_table(SnapshotTableFactory factory);
const std::vector<SnapshotTableFactory>& snapshot_table_factories();

template <class T>
struct SnapshotTableRegistration {
  SnapshotTableRegistration() {
    register_snapshot_table([]() -> std::unique_ptr<SnapshotTable> { return std::make_unique<T>(); });
  }
};

}  // namespace zagent::tables
