// Queries against the running agent over its unix socket: event tables that
// include the events not yet on disk, snapshot tables of the live host, the
// socket's mode and its refusal of non-root peers, and the engine's
// read-only guard across queries on one connection.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "agent/query/query_client.h"
#include "journal/error.h"
#include "tests/support/interrupted_command.h"
#include "tests/support/recorder_harness.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::run_command;
using testing::run_child;
using testing::RunningRecorder;
using testing::skip_reason;
using testing::TempDir;

struct Collect : tables::RowSink {
  std::vector<std::string> names;
  std::vector<tables::Row> rows;
  void columns(const std::vector<std::string>& n) override { names = n; }
  void row(const tables::Row& r) override { rows.push_back(r); }
};

tables::Value I(int64_t v) { return v; }
tables::Value T(std::string v) { return v; }

class LiveQuery : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
    // Blocks flushed only every 30 s: what the test does stays in the
    // writer's unflushed block, visible to live queries alone.
    std::ofstream(dir_ / "zagent.toml") << "[journal]\nblock_age_seconds = 30\n";
    recorder_ = std::make_unique<RunningRecorder>(journal(), "--config " + (dir_ / "zagent.toml"));
    ASSERT_TRUE(recorder_->attached()) << recorder_->output();
  }
  std::string journal() const { return dir_ / "journal"; }
  std::string socket() const { return journal() + ".sock"; }
  Collect ask(const std::string& sql) {
    query::QueryClient client(socket());
    Collect out;
    client.run(sql, out);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<RunningRecorder> recorder_;
};

TEST_F(LiveQuery, EventTablesIncludeTheUnflushedTail) {
  const auto [pid, status] = run_child(dir_.path(), {"/bin/sh", "-c", "exit 3", "live-query-probe"});
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 3);
  const std::string where = " WHERE pid = " + std::to_string(pid) + " AND type IN ('exec', 'exit') ORDER BY seq";
  Collect r;
  // The exit reaches the agent through its ring buffer within a poll (100 ms).
  for (int i = 0; i < 50 && r.rows.size() < 2; ++i) {
    r = ask("SELECT type, exe, argv, cwd, exit_code FROM process_events" + where);
    if (r.rows.size() < 2) usleep(100'000);
  }
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (tables::Row{T("exec"), T("/usr/bin/dash"), T(R"(["/bin/sh","-c","exit 3","live-query-probe"])"),
                                    T(testing::real(dir_.path())), std::monostate{}}));
  EXPECT_EQ(r.rows[1], (tables::Row{T("exit"), std::monostate{}, std::monostate{}, std::monostate{}, I(3)}));
  // Not on disk yet: the same query over the journal files finds nothing.
  const auto offline = run_command(std::string(ZAGENT_BINARY) + " query --csv -j " + journal() +
                                   " \"SELECT count(*) FROM process_events" + where + "\" 2>&1");
  EXPECT_EQ(offline.out, "count(*)\r\n0\r\n");
  // zeek_agent's newest event counts the unflushed ones too.
  const auto newest = ask("SELECT newest_event >= (SELECT time FROM process_events WHERE pid = " +
                          std::to_string(pid) + " AND type = 'exit') FROM zeek_agent");
  EXPECT_EQ(newest.rows.at(0).at(0), I(1));
}

TEST_F(LiveQuery, SnapshotTablesSeeTheLiveHost) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  const std::string me = std::to_string(::getpid());
  Collect p = ask("SELECT pid, ppid, uid FROM processes WHERE pid = " + me);
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0], (tables::Row{I(::getpid()), I(::getppid()), I(::getuid())}));
  Collect s = ask("SELECT pid, local_port FROM sockets WHERE local_port = " + std::to_string(port) +
                  " AND state = 'LISTEN'");
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.rows[0], (tables::Row{I(::getpid()), I(port)}));
  ::close(fd);
  // The agent reports on itself, with what it has recorded so far.
  Collect z = ask("SELECT events_recorded > 0, events_lost FROM zeek_agent");
  ASSERT_EQ(z.rows.size(), 1u);
  EXPECT_EQ(z.rows[0], (tables::Row{I(1), I(0)}));
}

TEST_F(LiveQuery, RefusesWritesAndKeepsServingTheConnection) {
  query::QueryClient client(socket());
  Collect out;
  try {
    client.run("DELETE FROM process_events", out);
    FAIL() << "DELETE was not refused";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "SQL error: table process_events may not be modified");
  }
  try {
    client.run("ATTACH DATABASE '/tmp/zagent-attach.db' AS x", out);
    FAIL() << "ATTACH was not refused";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ATTACH is refused: the query engine is read-only");
  }
  Collect one;
  client.run("SELECT 40 + 2 AS answer", one);
  EXPECT_EQ(one.names, std::vector<std::string>{"answer"});
  EXPECT_EQ(one.rows, (std::vector<tables::Row>{{I(42)}}));
}

TEST_F(LiveQuery, ShellAndQueryCommandsReachTheAgent) {
  const std::string agent = " --agent --socket " + socket();
  const auto shell = run_command("printf 'SELECT 40 + 2 AS answer;\\n.mode csv\\nSELECT count(*) > 0 AS seen "
                                 "FROM processes WHERE pid = " + std::to_string(::getpid()) + ";\\n' | " +
                                 ZAGENT_BINARY + " shell" + agent + " 2>&1");
  EXPECT_EQ(shell.out, "answer\n------\n42\n(1 row)\nseen\r\n1\r\n");
  EXPECT_EQ(shell.status, 0);
  const auto query = run_command(std::string(ZAGENT_BINARY) + " query --json" + agent +
                                 " \"SELECT action, sensor FROM sensor_events WHERE action = 'agent_start'\" 2>&1");
  EXPECT_EQ(query.out, "{\"action\":\"agent_start\",\"sensor\":\"agent\"}\n");
  EXPECT_EQ(query.status, 0);
}

// Ctrl-C in `zagent shell --agent` abandons the connection; the agent sees
// the hang-up and stops the query at once (not at its 10 s CPU limit), so
// the shell's next statement, on a new connection, is answered at once.
TEST_F(LiveQuery, InterruptedShellStopsTheAgentsQuery) {
  const auto r = testing::run_interrupted(
      {ZAGENT_BINARY, "shell", "--agent", "--socket", socket(), "--mode", "csv"},
      std::string(testing::kRunawayStatement) + "SELECT 42 AS answer;\n",
      std::chrono::milliseconds(800));
  ASSERT_TRUE(r.exited) << "the shell was ended by the signal";
  EXPECT_LT(r.after_signal, std::chrono::seconds(5));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "Error: query interrupted\n");
  EXPECT_EQ(r.out, "answer\r\n42\r\n");
  EXPECT_EQ(ask("SELECT 7").rows.at(0).at(0), I(7)) << "the agent serves on";
}

TEST_F(LiveQuery, TheSocketIsRootsOnly) {
  struct stat st {};
  ASSERT_EQ(::stat(socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
  // As nobody, through the CLI: the agent is out of reach, and says why.
  const auto r = run_command("setpriv --reuid=65534 --regid=65534 --clear-groups " + std::string(ZAGENT_BINARY) +
                             " query --agent --socket " + socket() + " 'SELECT 1' 2>&1; echo \"exit $?\"");
  EXPECT_NE(r.out.find("cannot reach the agent at " + socket() + ": Permission denied (the query socket is root's)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("exit 2"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace zagent
