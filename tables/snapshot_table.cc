#include "tables/snapshot_table.h"

namespace zagent::tables {

namespace {
// A function-local static: registrations run during static initialisation,
// in no particular order across files.
std::vector<SnapshotTableFactory>& factories() {
  static std::vector<SnapshotTableFactory> all;
  return all;
}
}  // namespace

void register_snapshot_table(SnapshotTableFactory factory) { factories().push_back(factory); }

const std::vector<SnapshotTableFactory>& snapshot_table_factories() { return factories(); }

}  // namespace zagent::tables
