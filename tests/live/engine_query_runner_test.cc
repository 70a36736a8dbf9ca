// Zeek's SQL on the real engine and tables (agent/zeek/engine_query_runner.h):
// each value arrives typed as zeek-agent's Zeek records declare it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "agent/zeek/engine_query_runner.h"
#include "journal/error.h"
#include "tests/support/temp_dir.h"

namespace zagent::zeek {
namespace {

EngineQueryRunner runner() { return EngineQueryRunner(tables::QueryContext{}, tables::QueryLimits{10, 1000, 64 << 20}); }

TEST(EngineQueryRunner, ProcessesAreTypedAsZeekAgentsRecordsHaveThem) {
  EngineQueryRunner r = runner();
  const QueryResult res =
      r.run("SELECT name, pid, uid, gid, ppid, priority, startup FROM processes WHERE pid = " + std::to_string(getpid()));
  EXPECT_EQ(res.columns, (std::vector<std::string>{"name", "pid", "uid", "gid", "ppid", "priority", "startup"}));
  ASSERT_EQ(res.rows.size(), 1u);
  const auto& row = res.rows[0];
  EXPECT_TRUE(row[0].is<std::string>());
  EXPECT_EQ(row[1], BrokerData(static_cast<uint64_t>(getpid())));
  EXPECT_EQ(row[2], BrokerData(static_cast<uint64_t>(geteuid())));
  EXPECT_EQ(row[3], BrokerData(static_cast<uint64_t>(getegid())));
  EXPECT_EQ(row[4], BrokerData(static_cast<uint64_t>(getppid())));
  EXPECT_TRUE(row[5].is<std::string>());
  ASSERT_TRUE(row[6].is<Timespan>());
  EXPECT_GT(row[6].get<Timespan>()->ns, 1'600'000'000'000'000'000);  // since the epoch, as an interval
}

TEST(EngineQueryRunner, ExpressionsGoByTheirSqlValue) {
  EngineQueryRunner r = runner();
  const QueryResult res = r.run("SELECT count(*) > 0, 1.5, 'x', NULL, pid + 0 FROM processes LIMIT 1");
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.rows[0], (std::vector<BrokerData>{int64_t{1}, 1.5, "x", None{}, res.rows[0][4]}));
  EXPECT_TRUE(res.rows[0][4].is<int64_t>());  // an expression over a count column is no longer that column
}

TEST(EngineQueryRunner, FilesAndHelloColumnsAreTimesCountsSetsAndRecords) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/conf";
  std::ofstream(path) << "Port 22\n";
  EngineQueryRunner r = runner();
  QueryResult res = r.run("SELECT path, type, uid, gid, mode, mtime, size FROM files_list('" + path + "')");
  ASSERT_EQ(res.rows.size(), 1u);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(res.rows[0][0], BrokerData(path));
  EXPECT_EQ(res.rows[0][2], BrokerData(static_cast<uint64_t>(st.st_uid)));
  EXPECT_EQ(res.rows[0][5], BrokerData(Timestamp{st.st_mtim.tv_sec * 1'000'000'000 + st.st_mtim.tv_nsec}));
  EXPECT_EQ(res.rows[0][6], BrokerData(uint64_t{8}));
  res = r.run("SELECT path, number, columns FROM files_columns('" + path + "', '$1:text,$2:count')");
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.rows[0], (std::vector<BrokerData>{path, uint64_t{1}, Vector{{"Port", uint64_t{22}}}}));
  res = r.run("SELECT addresses, agent_version, uptime, tables FROM zeek_agent");
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_TRUE(res.rows[0][0].is<Set>());
  EXPECT_TRUE(res.rows[0][1].is<uint64_t>());
  EXPECT_TRUE(res.rows[0][2].is<Timespan>());
  const Set* tables = res.rows[0][3].get<Set>();
  ASSERT_NE(tables, nullptr);
  EXPECT_NE(std::find(tables->items.begin(), tables->items.end(), BrokerData("processes")), tables->items.end());
}

TEST(EngineQueryRunner, WritesAndLimitsAreErrors) {
  EngineQueryRunner r = runner();
  EXPECT_THROW(r.run("CREATE TABLE t(x)"), Error);
  EXPECT_THROW(r.run("SELECT * FROM no_such_table"), Error);
  EXPECT_THROW(r.run("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n"), Error);
  EXPECT_EQ(r.tables().count("sockets"), 1u);
}

}  // namespace
}  // namespace zagent::zeek
