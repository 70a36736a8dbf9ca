// The table reference cannot drift from the code: docs/tables.md is what
// `zagent tables --markdown` prints, every column is documented once, and
// every table's example query runs.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tables/query_engine.h"
#include "tables/table_reference.h"

namespace zagent::tables {
namespace {

struct Discard : RowSink {
  void columns(const std::vector<std::string>&) override {}
  void row(const Row&) override {}
};

TEST(TableReference, DocsTablesMdIsTheGeneratedReference) {
  std::ifstream in(std::string(ZAGENT_SOURCE_DIR) + "/docs/tables.md");
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(file.str(), table_reference_markdown())
      << "docs/tables.md is stale: regenerate it with `zagent tables --markdown > docs/tables.md`";
}

TEST(TableReference, EveryTableAndColumnIsDocumentedOnce) {
  const auto schemas = QueryEngine::schemas();
  std::set<std::string> names;
  for (const auto& t : schemas) {
    EXPECT_TRUE(names.insert(t.name).second) << "two tables are called " << t.name;
    EXPECT_FALSE(t.summary.empty()) << t.name;
    EXPECT_FALSE(t.example.empty()) << t.name;
    std::set<std::string> columns;
    for (const auto& c : t.columns) {
      EXPECT_TRUE(columns.insert(c.name).second) << t.name << "." << c.name << " twice";
      EXPECT_FALSE(c.doc.empty()) << t.name << "." << c.name << " has no description";
    }
  }
  for (const char* expected : {"process_events", "socket_events", "file_events", "login_events", "sensor_events",
                               "zeek_agent", "processes", "sockets", "users", "files_list", "files_lines",
                               "files_columns", "interfaces", "logged_in_users", "zagent_tables"}) {
    EXPECT_TRUE(names.count(expected)) << expected << " is missing";
  }
}

TEST(TableReference, EveryExampleQueryRuns) {
  QueryEngine engine(QueryContext{}, QueryLimits{});
  for (const auto& t : QueryEngine::schemas()) {
    Discard out;
    EXPECT_NO_THROW(engine.run(t.example, out)) << t.name << ": " << t.example;
  }
}

}  // namespace
}  // namespace zagent::tables
