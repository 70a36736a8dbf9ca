// The SQL console of `zagent shell`: how it splits input into statements and
// dot commands, what it sends to the runner and prints, how it goes on after
// errors and the exit code a script sees. Driven through a fake runner and
// in-memory streams; the last tests pipe input into the real binary.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "agent/cli/sql_console.h"
#include "journal/error.h"
#include "journal/journal_writer.h"
#include "tests/support/interrupted_command.h"
#include "tests/support/temp_dir.h"

namespace zagent::cli {
namespace {

using tables::Row;
using tables::RowSink;
using tables::Value;

// A statement's result as the fake returns it: columns and rows, or an
// error thrown after the rows.
struct FakeResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  std::string error;
};

// Answers the SQL it knows, throws "SQL error: unknown" for the rest, and
// records every call.
class FakeRunner {
 public:
  std::map<std::string, FakeResult> results;
  std::vector<std::string> calls;

  SqlConsole::Runner runner() {
    return [this](const std::string& sql, RowSink& sink) {
      calls.push_back(sql);
      const auto it = results.find(sql);
      if (it == results.end()) throw Error("SQL error: unknown");
      sink.columns(it->second.columns);
      for (const Row& row : it->second.rows) sink.row(row);
      if (!it->second.error.empty()) throw Error(it->second.error);
    };
  }
};

struct ConsoleRun {
  std::string out;
  std::string err;
  int exit_code = -1;
};

// Feeds `input` to a console as a piped stdin would (not a terminal).
ConsoleRun run_console(const std::string& input, FakeRunner& fake) {
  std::string text = input;
  std::FILE* in = ::fmemopen(text.data(), text.size(), "r");
  char* out_data = nullptr;
  size_t out_size = 0;
  char* err_data = nullptr;
  size_t err_size = 0;
  std::FILE* out = ::open_memstream(&out_data, &out_size);
  std::FILE* err = ::open_memstream(&err_data, &err_size);
  ConsoleRun r;
  {
    SqlConsole console(fake.runner(), ConsoleOptions{}, in, out, err);
    r.exit_code = console.run();
  }
  std::fclose(in);
  std::fclose(out);
  std::fclose(err);
  r.out.assign(out_data, out_size);
  r.err.assign(err_data, err_size);
  std::free(out_data);
  std::free(err_data);
  return r;
}

FakeRunner fake_with_one_and_two() {
  FakeRunner fake;
  fake.results["SELECT 1 AS one;"] = {{"one"}, {{Value{int64_t{1}}}}, ""};
  fake.results["SELECT 2 AS two;"] = {{"two"}, {{Value{int64_t{2}}}}, ""};
  return fake;
}

const std::string kPragma = "SELECT name, type, hidden FROM pragma_table_xinfo('processes') ORDER BY cid";

TEST(SqlConsole, StatementEndsAtSemicolonOutsideLiteralsAndComments) {
  EXPECT_TRUE(sql_statement_complete("SELECT 1;"));
  EXPECT_TRUE(sql_statement_complete("SELECT 1;  \n"));
  EXPECT_TRUE(sql_statement_complete("SELECT 1; -- done\n"));
  EXPECT_TRUE(sql_statement_complete("SELECT 'it''s;';"));
  EXPECT_TRUE(sql_statement_complete("SELECT \"a;\" FROM t /* ; */;"));
  EXPECT_FALSE(sql_statement_complete("SELECT 1"));
  EXPECT_FALSE(sql_statement_complete("SELECT 'a;"));
  EXPECT_FALSE(sql_statement_complete("SELECT 'it'';"));
  EXPECT_FALSE(sql_statement_complete("SELECT \"a;"));
  EXPECT_FALSE(sql_statement_complete("SELECT [a;"));
  EXPECT_FALSE(sql_statement_complete("SELECT 1 -- not yet;"));
  EXPECT_FALSE(sql_statement_complete("SELECT 1 /* not yet;"));
  EXPECT_FALSE(sql_statement_complete(""));
}

TEST(SqlConsole, IdentifiersAreLettersDigitsAndUnderscores) {
  EXPECT_TRUE(is_sql_identifier("processes"));
  EXPECT_TRUE(is_sql_identifier("_x9"));
  EXPECT_FALSE(is_sql_identifier(""));
  EXPECT_FALSE(is_sql_identifier("9x"));
  EXPECT_FALSE(is_sql_identifier("bad;name"));
  EXPECT_FALSE(is_sql_identifier("a'b"));
  EXPECT_FALSE(is_sql_identifier("a b"));
}

TEST(SqlConsole, PrintsATableByDefault) {
  FakeRunner fake = fake_with_one_and_two();
  const ConsoleRun r = run_console("SELECT 1 AS one;\n", fake);
  EXPECT_EQ(r.out, "one\n---\n1\n(1 row)\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, MultiLineStatementRunsOnceWithTheJoinedText) {
  FakeRunner fake;
  fake.results["SELECT 1 AS a,\n  2 AS b\n;"] = {{"a", "b"}, {{Value{int64_t{1}}, Value{int64_t{2}}}}, ""};
  const ConsoleRun r = run_console("SELECT 1 AS a,\n  2 AS b\n;\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{"SELECT 1 AS a,\n  2 AS b\n;"});
  EXPECT_EQ(r.out, "a  b\n-  -\n1  2\n(1 row)\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, SemicolonInsideStringLiteralDoesNotEndTheStatement) {
  FakeRunner fake;
  const std::string sql = "SELECT 'a;\nb'';' AS s;";
  fake.results[sql] = {{"s"}, {{Value{std::string("a;\nb';")}}}, ""};
  const ConsoleRun r = run_console(sql + "\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{sql});
  EXPECT_EQ(r.out, "s\n---------\na;\\x0ab';\n(1 row)\n");
}

TEST(SqlConsole, ModeCsvThenQueryPrintsExactCsv) {
  FakeRunner fake;
  fake.results["SELECT * FROM t;"] = {
      {"n", "text"}, {{Value{int64_t{1}}, Value{std::string("x,y")}}, {Value{}, Value{std::string("plain")}}}, ""};
  const ConsoleRun r = run_console(".mode csv\nSELECT * FROM t;\n", fake);
  EXPECT_EQ(r.out, "n,text\r\n1,\"x,y\"\r\n,plain\r\n");
  EXPECT_EQ(r.err, "");
}

TEST(SqlConsole, ModeShowsAndRefuses) {
  FakeRunner fake;
  const ConsoleRun r = run_console(".mode\n.mode json\n.mode\n.mode xml\n.mode\n", fake);
  EXPECT_EQ(r.out, "table\njson\njson\n");
  EXPECT_EQ(r.err, "Error: unknown output format 'xml' (table, json or csv)\n");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SqlConsole, SchemaSendsThePragmaAndPrintsCreateTable) {
  FakeRunner fake;
  fake.results[kPragma] = {{"name", "type", "hidden"},
                           {{Value{std::string("pid")}, Value{std::string("INTEGER")}, Value{int64_t{0}}},
                            {Value{std::string("name")}, Value{std::string("TEXT")}, Value{int64_t{0}}},
                            {Value{std::string("pattern")}, Value{std::string("TEXT")}, Value{int64_t{1}}}},
                           ""};
  const ConsoleRun r = run_console(".schema processes\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{kPragma});
  EXPECT_EQ(r.out, "CREATE TABLE processes (\n  pid INTEGER,\n  name TEXT,\n  pattern TEXT HIDDEN\n);\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, SchemaOfAnUnknownTableIsAnError) {
  FakeRunner fake;
  fake.results["SELECT name, type, hidden FROM pragma_table_xinfo('nope') ORDER BY cid"] = {
      {"name", "type", "hidden"}, {}, ""};
  const ConsoleRun r = run_console(".schema nope\n", fake);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: no such table: nope\n");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SqlConsole, SchemaRefusesANameThatIsNotAnIdentifier) {
  FakeRunner fake;
  const ConsoleRun r = run_console(".schema bad;name\n.schema x')--\n", fake);
  EXPECT_TRUE(fake.calls.empty());
  EXPECT_EQ(r.err,
            "Error: not a table name: 'bad;name' (letters, digits and '_' only)\n"
            "Error: not a table name: 'x')--' (letters, digits and '_' only)\n");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SqlConsole, SchemaWithoutATableShowsEveryTable) {
  FakeRunner fake;
  fake.results["SELECT name FROM zagent_tables ORDER BY name"] = {
      {"name"}, {{Value{std::string("a")}}, {Value{std::string("b")}}}, ""};
  fake.results["SELECT name, type, hidden FROM pragma_table_xinfo('a') ORDER BY cid"] = {
      {}, {{Value{std::string("x")}, Value{std::string("INTEGER")}, Value{int64_t{0}}}}, ""};
  fake.results["SELECT name, type, hidden FROM pragma_table_xinfo('b') ORDER BY cid"] = {
      {}, {{Value{std::string("y")}, Value{std::string("TEXT")}, Value{int64_t{0}}}}, ""};
  const ConsoleRun r = run_console(".schema;\n", fake);
  EXPECT_EQ(r.out, "CREATE TABLE a (\n  x INTEGER\n);\nCREATE TABLE b (\n  y TEXT\n);\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, TablesRunsTheTablesQueryInTheCurrentMode) {
  FakeRunner fake;
  fake.results["SELECT name FROM zagent_tables ORDER BY name"] = {
      {"name"}, {{Value{std::string("files")}}, {Value{std::string("processes")}}}, ""};
  const ConsoleRun r = run_console(".tables\n.mode json\n.tables\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>(2, "SELECT name FROM zagent_tables ORDER BY name"));
  EXPECT_EQ(r.out,
            "name\n---------\nfiles\nprocesses\n(2 rows)\n"
            "{\"name\":\"files\"}\n{\"name\":\"processes\"}\n");
}

TEST(SqlConsole, AnErrorIsPrintedAndTheNextStatementStillRuns) {
  FakeRunner fake = fake_with_one_and_two();
  const ConsoleRun r = run_console("SELECT nope;\nSELECT 1 AS one;\n", fake);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"SELECT nope;", "SELECT 1 AS one;"}));
  EXPECT_EQ(r.err, "Error: SQL error: unknown\n");
  EXPECT_EQ(r.out, "one\n---\n1\n(1 row)\n");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SqlConsole, RowsBeforeAnErrorAreStillPrinted) {
  FakeRunner fake;
  fake.results["SELECT n FROM big;"] = {
      {"n"}, {{Value{int64_t{1}}}, {Value{int64_t{2}}}}, "query stopped: more than 2 rows (limit max_rows)"};
  const ConsoleRun r = run_console("SELECT n FROM big;\n", fake);
  EXPECT_EQ(r.out, "n\n-\n1\n2\n(2 rows)\n");
  EXPECT_EQ(r.err, "Error: query stopped: more than 2 rows (limit max_rows)\n");
}

TEST(SqlConsole, UnknownDotCommandIsReportedAndReadingGoesOn) {
  FakeRunner fake = fake_with_one_and_two();
  const ConsoleRun r = run_console(".frobnicate now\nSELECT 1 AS one;\n", fake);
  EXPECT_EQ(r.err, "Error: unknown command .frobnicate (enter .help for the dot commands)\n");
  EXPECT_EQ(r.out, "one\n---\n1\n(1 row)\n");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SqlConsole, DotCommandIsOnlyRecognisedAtTheStartOfAStatement) {
  FakeRunner fake;
  fake.results["SELECT\n.mode csv\n;"] = {{"x"}, {}, ""};
  const ConsoleRun r = run_console("SELECT\n.mode csv\n;\n.mode\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{"SELECT\n.mode csv\n;"});
  EXPECT_EQ(r.out, "x\n-\n(0 rows)\ntable\n");
}

TEST(SqlConsole, QuitStopsReading) {
  FakeRunner fake = fake_with_one_and_two();
  const ConsoleRun r = run_console("SELECT 1 AS one;\n.quit\nSELECT 2 AS two;\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{"SELECT 1 AS one;"});
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, ExitCodeIsTwoAfterAFailureEvenWhenQuitting) {
  FakeRunner fake;
  const ConsoleRun r = run_console("SELECT nope;\n.exit\n", fake);
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SqlConsole, UnfinishedStatementRunsAtEndOfInput) {
  FakeRunner fake;
  fake.results["SELECT 1 AS one"] = {{"one"}, {{Value{int64_t{1}}}}, ""};
  const ConsoleRun r = run_console("SELECT 1 AS one", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{"SELECT 1 AS one"});
  EXPECT_EQ(r.out, "one\n---\n1\n(1 row)\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, BlankAndCommentLinesRunNothing) {
  FakeRunner fake = fake_with_one_and_two();
  const ConsoleRun r = run_console("\n   \n-- a note\n/* a\nlonger note */\nSELECT 1 AS one;\n\n", fake);
  EXPECT_EQ(fake.calls, std::vector<std::string>{"SELECT 1 AS one;"});
  EXPECT_EQ(r.exit_code, 0);
}

TEST(SqlConsole, HelpListsTheDotCommands) {
  FakeRunner fake;
  const ConsoleRun r = run_console(".help\n", fake);
  for (const char* command : {".tables", ".schema", ".mode", ".help", ".quit"})
    EXPECT_NE(r.out.find(command), std::string::npos) << command;
  EXPECT_EQ(r.exit_code, 0);
}

// The real binary, with its own query engine, reading a pipe.
const std::string kShell = std::string(ZAGENT_BINARY) + " shell";

TEST(ShellCommand, PipedStatementsPrintInTheChosenModes) {
  const auto r = testing::run_command("printf 'SELECT 1 AS one;\\n.mode json\\nSELECT 2 AS two;\\n' | " + kShell);
  EXPECT_EQ(r.out, "one\n---\n1\n(1 row)\n{\"two\":2}\n");
  EXPECT_EQ(r.status, 0);
}

TEST(ShellCommand, PipedFailureIsReportedAndExitsTwo) {
  const auto r = testing::run_command("printf 'SELECT nope;\\nSELECT 3 AS three;\\n' | " + kShell +
                                      " --mode csv 2>&1");
  EXPECT_EQ(r.out, "Error: SQL error: no such column: nope\nthree\r\n3\r\n");
  EXPECT_EQ(r.status, 2);
}

TEST(ShellCommand, SchemaOfARealTable) {
  const auto r = testing::run_command("printf '.schema processes\\n' | " + kShell + " 2>&1");
  EXPECT_EQ(r.out.rfind("CREATE TABLE processes (\n  name TEXT,\n  pid INTEGER,\n", 0), 0u) << r.out;
  EXPECT_TRUE(r.out.ends_with("\n);\n")) << r.out;
  EXPECT_EQ(r.status, 0);
}

TEST(ShellCommand, EventTablesReadTheJournalGiven) {
  testing::TempDir dir;
  WriterOptions o;
  o.dir = dir / "journal";
  o.host = HostIdentity{"shell-host", "m1", "b1"};
  o.agent_version = "test";
  JournalWriter writer(o);
  for (uint32_t pid : {101u, 102u}) {
    ProcessExec exec;
    exec.pid = pid;
    exec.exe = "/bin/true";
    writer.append(1'764'000'000'000'000'000, EventBody{exec});
  }
  writer.close();
  const auto r = testing::run_command("printf 'SELECT pid, host FROM process_events ORDER BY pid;\\n' | " +
                                      kShell + " --mode csv --journal " + (dir / "journal") + " 2>&1");
  EXPECT_EQ(r.out, "pid,host\r\n101,shell-host\r\n102,shell-host\r\n");
  EXPECT_EQ(r.status, 0);
}

TEST(ShellCommand, TablesListsTheEngineTables) {
  const auto r = testing::run_command("printf '.mode csv\\n.tables\\n' | " + kShell + " 2>&1");
  EXPECT_EQ(r.out.rfind("name\r\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\r\nprocesses\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\r\nzagent_tables\r\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.status, 0);
}

// Ctrl-C while a statement runs stops that statement, not the shell: the
// next one still runs, and the failure shows in the exit code. (A runaway
// recursive CTE with a CPU budget of 60 s: only the interrupt ends it soon.)
TEST(ShellCommand, InterruptStopsTheRunningStatementAndTheShellGoesOn) {
  const auto r = testing::run_interrupted({ZAGENT_BINARY, "shell", "--mode", "csv", "--max-cpu", "60"},
                                          std::string(testing::kRunawayStatement) + "SELECT 42 AS answer;\n",
                                          std::chrono::milliseconds(800));
  ASSERT_TRUE(r.exited) << "the shell was ended by the signal";
  EXPECT_LT(r.after_signal, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "Error: query interrupted\n");
  EXPECT_EQ(r.out, "count(*)\r\nanswer\r\n42\r\n");
}

TEST(ShellCommand, AgentThatIsNotRunningIsNamed) {
  const auto r = testing::run_command(kShell + " --agent --socket /nonexistent/zagent.sock </dev/null 2>&1");
  EXPECT_EQ(r.out,
            "zagent: cannot reach the agent at /nonexistent/zagent.sock: No such file or directory "
            "(is `zagent run` running?)\n");
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace zagent::cli
