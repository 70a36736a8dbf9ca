// The snapshot tables against facts the test controls: its own process,
// sockets it opens, files it writes, a journal it records, a utmp file it
// makes. Tables are called directly, as the query engine calls them, through
// the registry.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmpx.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "journal/error.h"
#include "journal/event_json.h"
#include "journal/journal_writer.h"
#include "tables/event_table.h"
#include "tables/snapshot/logged_in_users.h"
#include "tables/snapshot_table.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_options.h"

namespace zagent::tables {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr int64_t kSecond = 1'000'000'000;

std::unique_ptr<SnapshotTable> make_table(std::string_view name) {
  for (const SnapshotTableFactory make : snapshot_table_factories()) {
    std::unique_ptr<SnapshotTable> table = make();
    if (table->schema().name == name) return table;
  }
  return nullptr;
}

// One query's result, read by column name.
class Result {
 public:
  Result(std::string_view table, std::vector<Value> arguments = {}, const QueryContext& context = {})
      : table_(make_table(table)) {
    if (!table_) throw std::runtime_error("no table " + std::string(table));
    rows = table_->rows(arguments, context);
  }

  size_t column(std::string_view name) const {
    const int i = table_->schema().column_index(name);
    if (i < 0) throw std::runtime_error("no column " + std::string(name));
    return static_cast<size_t>(i);
  }
  const Value& at(size_t row, std::string_view name) const { return rows.at(row).at(column(name)); }
  int64_t integer(size_t row, std::string_view name) const { return std::get<int64_t>(at(row, name)); }
  std::string text(size_t row, std::string_view name) const { return std::get<std::string>(at(row, name)); }
  bool null(size_t row, std::string_view name) const { return is_null(at(row, name)); }

  // The rows whose column `name` holds `value`.
  std::vector<size_t> where(std::string_view name, const Value& value) const {
    std::vector<size_t> found;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].at(column(name)) == value) found.push_back(i);
    }
    return found;
  }

  std::vector<Row> rows;

 private:
  std::unique_ptr<SnapshotTable> table_;
};

// Expects `f` to throw zagent::Error whose message contains `text`.
template <class F>
void expect_error(F f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// Names this process (its comm) for the duration of a test.
class ProcessName {
 public:
  explicit ProcessName(const char* name) {
    ::prctl(PR_GET_NAME, saved_);
    ::prctl(PR_SET_NAME, name);
  }
  ~ProcessName() { ::prctl(PR_SET_NAME, saved_); }

 private:
  char saved_[17] = {};
};

// ---------------------------------------------------------------- schemas

TEST(SnapshotTables, EveryTableIsRegisteredOnceWithADocumentedSchema) {
  std::multiset<std::string> names;
  for (const SnapshotTableFactory make : snapshot_table_factories()) names.insert(make()->schema().name);
  for (const char* name : {"zeek_agent", "processes", "sockets", "users", "files_list", "files_lines", "files_columns",
                           "interfaces", "logged_in_users"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }

  for (const SnapshotTableFactory make : snapshot_table_factories()) {
    const TableSchema& s = make()->schema();
    SCOPED_TRACE(s.name);
    EXPECT_FALSE(s.summary.empty());
    EXPECT_NE(s.example.find(s.name), std::string::npos) << s.example;
    std::set<std::string> columns;
    for (const Column& c : s.columns) {
      EXPECT_TRUE(columns.insert(c.name).second) << "duplicate column " << c.name;
      EXPECT_FALSE(c.doc.empty()) << c.name;
    }
  }
}

TEST(SnapshotTables, ArgumentColumnsAreZeekAgentV2s) {
  const auto arguments = [](std::string_view table) {
    std::vector<std::string> names;
    for (const Column& c : make_table(table)->schema().columns) {
      if (c.argument) names.push_back(c.name);
    }
    return names;
  };
  EXPECT_EQ(arguments("files_list"), std::vector<std::string>{"_pattern"});
  EXPECT_EQ(arguments("files_lines"), std::vector<std::string>{"_pattern"});
  EXPECT_EQ(arguments("files_columns"), (std::vector<std::string>{"_pattern", "_columns", "_separator", "_ignore"}));
  EXPECT_EQ(make_table("files_columns")->schema().declaration(),
            "CREATE TABLE x(\"_pattern\" TEXT HIDDEN, \"_columns\" TEXT HIDDEN, \"_separator\" TEXT HIDDEN, "
            "\"_ignore\" TEXT HIDDEN, \"path\" TEXT, \"number\" INTEGER, \"columns\" TEXT)");
  for (const char* table : {"zeek_agent", "processes", "sockets", "users", "interfaces", "logged_in_users"}) {
    EXPECT_TRUE(arguments(table).empty()) << table;
  }
}

// Every value is null or of its column's type, and every row is complete.
TEST(SnapshotTables, TablesWithoutArgumentsGiveRowsOfTheirSchema) {
  for (const SnapshotTableFactory make : snapshot_table_factories()) {
    const std::unique_ptr<SnapshotTable> table = make();
    const TableSchema& s = table->schema();
    if (s.argument_count()) continue;
    SCOPED_TRACE(s.name);
    for (const Row& row : table->rows({}, {})) {
      ASSERT_EQ(row.size(), s.columns.size());
      for (size_t i = 0; i < row.size(); ++i) {
        if (is_null(row[i])) continue;
        switch (s.columns[i].type) {
          case ColumnType::Integer:
            EXPECT_TRUE(std::holds_alternative<int64_t>(row[i])) << s.columns[i].name;
            break;
          case ColumnType::Real:
            EXPECT_TRUE(std::holds_alternative<double>(row[i])) << s.columns[i].name;
            break;
          case ColumnType::Text:
            EXPECT_TRUE(std::holds_alternative<std::string>(row[i])) << s.columns[i].name;
            break;
          case ColumnType::Blob:
            EXPECT_TRUE(std::holds_alternative<Blob>(row[i])) << s.columns[i].name;
            break;
        }
      }
    }
  }
}

// ---------------------------------------------------------------- processes

TEST(ProcessesTable, HasThisProcessWithItsIdsAndName) {
  const ProcessName name("zagent-probe");
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const Result r("processes");
  const std::vector<size_t> self = r.where("pid", int64_t{::getpid()});
  ASSERT_EQ(self.size(), 1u);
  const size_t i = self[0];
  EXPECT_EQ(r.text(i, "name"), "zagent-probe");
  EXPECT_EQ(r.integer(i, "ppid"), ::getppid());
  EXPECT_EQ(r.integer(i, "uid"), ::geteuid());
  EXPECT_EQ(r.integer(i, "ruid"), ::getuid());
  EXPECT_EQ(r.integer(i, "gid"), ::getegid());
  EXPECT_EQ(r.integer(i, "rgid"), ::getgid());
  // A normal (not real-time) process's kernel priority is 20 + its nice value.
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  EXPECT_EQ(r.text(i, "priority"), std::to_string(20 + nice));
  // Started before now (the boot time has whole seconds), not before the test binary could run.
  EXPECT_LE(r.integer(i, "startup"), now + kSecond);
  EXPECT_GT(r.integer(i, "startup"), now - 3600 * kSecond);
  EXPECT_GT(r.integer(i, "vsize"), 0);
  EXPECT_GT(r.integer(i, "rsize"), 0);
  EXPECT_GE(r.integer(i, "utime"), 0);
  EXPECT_GE(r.integer(i, "stime"), 0);
}

TEST(ProcessesTable, HasAChildWithThisProcessAsParent) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::prctl(PR_SET_NAME, "zagent-child");
    const char byte = 1;
    (void)!::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);

  const Result r("processes");
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);

  const std::vector<size_t> rows = r.where("pid", int64_t{child});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(r.text(rows[0], "name"), "zagent-child");
  EXPECT_EQ(r.integer(rows[0], "ppid"), ::getpid());
}

// ---------------------------------------------------------------- sockets

// A socket of this test, bound to `address` and port 0; `port` is what the kernel chose.
struct TestSocket {
  TestSocket(int family, int type, const char* address) {
    fd = ::socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_storage storage{};
    socklen_t size = 0;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&storage);
      a->sin_family = AF_INET;
      ::inet_pton(AF_INET, address, &a->sin_addr);
      size = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
      a->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, address, &a->sin6_addr);
      size = sizeof *a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
      ::close(fd);
      fd = -1;
      return;
    }
    port = local_port(fd);
  }
  ~TestSocket() {
    if (fd >= 0) ::close(fd);
  }

  static int64_t local_port(int fd) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &size);
    return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                              : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }

  int fd = -1;
  int64_t port = 0;
};

// The rows for one pair of endpoints of one protocol.
std::vector<size_t> endpoints(const Result& r, int64_t protocol, const std::string& address, int64_t port,
                              int64_t remote_port) {
  std::vector<size_t> found;
  for (const size_t i : r.where("local_port", port)) {
    if (r.at(i, "protocol") == Value(protocol) && r.at(i, "local_addr") == Value(address) &&
        r.at(i, "remote_port") == Value(remote_port)) {
      found.push_back(i);
    }
  }
  return found;
}

TEST(SocketsTable, HasTheTcpAndUdpSocketsThisProcessOpened) {
  const ProcessName name("zagent-sockets");
  const TestSocket listener(AF_INET, SOCK_STREAM, "127.0.0.1");
  ASSERT_GE(listener.fd, 0);
  ASSERT_EQ(::listen(listener.fd, 1), 0);
  const TestSocket udp(AF_INET, SOCK_DGRAM, "127.0.0.1");
  ASSERT_GE(udp.fd, 0);
  const TestSocket listener6(AF_INET6, SOCK_STREAM, "::1");  // fd -1 on a host without IPv6
  if (listener6.fd >= 0) {
    ASSERT_EQ(::listen(listener6.fd, 1), 0);
  }

  // A connection over the listener: both of its ends are this process's too.
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(listener.port));
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  const int server = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(server, 0);
  const int64_t client_port = TestSocket::local_port(client);

  const Result r("sockets");
  ::close(client);
  ::close(server);

  const auto expect_row = [&](int64_t protocol, const std::string& family, const std::string& address, int64_t port,
                              const std::string& remote, int64_t remote_port, const Value& state) {
    SCOPED_TRACE(family + " " + address + ":" + std::to_string(port));
    const std::vector<size_t> rows = endpoints(r, protocol, address, port, remote_port);
    ASSERT_EQ(rows.size(), 1u);
    const size_t i = rows[0];
    EXPECT_EQ(r.at(i, "pid"), Value(int64_t{::getpid()}));
    EXPECT_EQ(r.at(i, "process"), Value(std::string("zagent-sockets")));
    EXPECT_EQ(r.text(i, "family"), family);
    EXPECT_EQ(r.text(i, "remote_addr"), remote);
    EXPECT_EQ(r.at(i, "state"), state);
  };
  expect_row(IPPROTO_TCP, "IPv4", "127.0.0.1", listener.port, "0.0.0.0", 0, std::string("LISTEN"));
  expect_row(IPPROTO_UDP, "IPv4", "127.0.0.1", udp.port, "0.0.0.0", 0, Value());
  expect_row(IPPROTO_TCP, "IPv4", "127.0.0.1", client_port, "127.0.0.1", listener.port, std::string("ESTABLISHED"));
  expect_row(IPPROTO_TCP, "IPv4", "127.0.0.1", listener.port, "127.0.0.1", client_port, std::string("ESTABLISHED"));
  if (listener6.fd >= 0) {
    expect_row(IPPROTO_TCP, "IPv6", "::1", listener6.port, "::", 0, std::string("LISTEN"));
  }
}

// ---------------------------------------------------------------- users

TEST(UsersTable, HasRootAsAdministrator) {
  const Result r("users");
  const std::vector<size_t> root = r.where("uid", std::string("0"));
  ASSERT_EQ(root.size(), 1u);
  const size_t i = root[0];
  const passwd* pw = ::getpwuid(0);
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(r.text(i, "name"), pw->pw_name);
  EXPECT_EQ(r.integer(i, "gid"), pw->pw_gid);
  EXPECT_EQ(r.text(i, "home"), pw->pw_dir);
  EXPECT_EQ(r.text(i, "shell"), pw->pw_shell);
  EXPECT_EQ(r.integer(i, "is_admin"), 1);
  EXPECT_EQ(r.integer(i, "is_system"), 0);
  EXPECT_TRUE(r.null(i, "email"));
}

// ---------------------------------------------------------------- files_list

TEST(FilesListTable, DescribesEachMatchingPathExactly) {
  const TempDir dir;
  write_text(dir / "a.txt", "hello");
  ASSERT_EQ(::chmod((dir / "a.txt").c_str(), 04755), 0);  // setuid shows in the mode
  ASSERT_EQ(::mkdir((dir / "b").c_str(), 0750), 0);
  ASSERT_EQ(::chmod((dir / "b").c_str(), 0750), 0);  // whatever the umask
  ASSERT_EQ(::mkfifo((dir / "c").c_str(), 0600), 0);
  ASSERT_EQ(::chmod((dir / "c").c_str(), 0600), 0);
  ASSERT_EQ(::symlink("a.txt", (dir / "d").c_str()), 0);    // followed
  ASSERT_EQ(::symlink("missing", (dir / "e").c_str()), 0);  // dangling
  const timespec times[2] = {{1'700'000'000, 0}, {1'700'000'000, 123'456'789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "a.txt").c_str(), times, 0), 0);

  const Result r("files_list", {dir / "*"});
  ASSERT_EQ(r.rows.size(), 5u);
  const std::vector<std::string> paths = {dir / "a.txt", dir / "b", dir / "c", dir / "d", dir / "e"};
  const std::vector<std::string> types = {"file", "dir", "fifo", "file", "symlink"};
  const std::vector<std::string> modes = {"4755", "750", "600", "4755", "777"};
  for (size_t i = 0; i < paths.size(); ++i) {
    SCOPED_TRACE(paths[i]);
    EXPECT_TRUE(r.null(i, "_pattern"));  // the engine fills arguments in
    EXPECT_EQ(r.text(i, "path"), paths[i]);
    EXPECT_EQ(r.text(i, "type"), types[i]);
    EXPECT_EQ(r.text(i, "mode"), modes[i]);
    EXPECT_EQ(r.integer(i, "uid"), ::geteuid());
    EXPECT_EQ(r.integer(i, "gid"), ::getegid());
  }
  EXPECT_EQ(r.integer(0, "size"), 5);
  EXPECT_EQ(r.integer(0, "mtime"), 1'700'000'000 * kSecond + 123'456'789);
  EXPECT_EQ(r.integer(3, "mtime"), 1'700'000'000 * kSecond + 123'456'789);
  EXPECT_EQ(r.integer(2, "size"), 0);
}

TEST(FilesListTable, MatchesBracesAndNothing) {
  const TempDir dir;
  write_text(dir / "x.conf", "");
  write_text(dir / "y.conf", "");
  write_text(dir / "z.conf", "");
  const Result r("files_list", {dir / "{x,z}.conf"});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.text(0, "path"), dir / "x.conf");
  EXPECT_EQ(r.text(1, "path"), dir / "z.conf");
  EXPECT_TRUE(Result("files_list", {dir / "none*"}).rows.empty());
}

TEST(FilesListTable, RejectsAMissingRelativeOrNonTextPattern) {
  expect_error([] { Result("files_list", {Value()}); }, "files_list: _pattern is required");
  expect_error([] { Result("files_list", {}); }, "files_list: _pattern is required");
  expect_error([] { Result("files_list", {int64_t{5}}); }, "files_list: _pattern must be text");
  expect_error([] { Result("files_list", {std::string("etc/*")}); }, "files_list: _pattern must be an absolute path");
}

// ---------------------------------------------------------------- files_lines

TEST(FilesLinesTable, GivesEachLineStrippedWithItsNumber) {
  const TempDir dir;
  write_text(dir / "1", "  first  \n\nthird\tline\r\nlast");
  write_text(dir / "2", "only\n");
  const Result r("files_lines", {dir / "*"});
  const std::vector<std::tuple<std::string, int64_t, std::string>> expected = {
      {dir / "1", 1, "first"}, {dir / "1", 2, ""},     {dir / "1", 3, "third\tline"},
      {dir / "1", 4, "last"},  {dir / "2", 1, "only"},
  };
  ASSERT_EQ(r.rows.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.text(i, "path"), std::get<0>(expected[i]));
    EXPECT_EQ(r.integer(i, "number"), std::get<1>(expected[i]));
    EXPECT_EQ(r.at(i, "content"), Value(Blob{std::get<2>(expected[i])}));
  }
}

TEST(FilesLinesTable, SkipsFifosAndFilesOverTheSizeBound) {
  const TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);  // opening it must not block
  write_text(dir / "big", std::string((4u << 20) + 1, 'x'));
  write_text(dir / "small", "ok\n");
  const Result r("files_lines", {dir / "*"});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.text(0, "path"), dir / "small");
}

TEST(FilesLinesTable, FailsPastTheLineBoundInsteadOfTruncating) {
  const TempDir dir;
  std::string lines;
  for (int i = 0; i < 100'001; ++i) lines += "x\n";
  write_text(dir / "many", lines);
  expect_error([&] { Result("files_lines", {dir / "*"}); }, "more than 100000 lines");
  write_text(dir / "many", lines.substr(2));  // exactly at the bound
  EXPECT_EQ(Result("files_lines", {dir / "*"}).rows.size(), 100'000u);
}

TEST(FilesLinesTable, RejectsAMissingPattern) {
  expect_error([] { Result("files_lines", {Value()}); }, "files_lines: _pattern is required");
}

// ---------------------------------------------------------------- files_columns

// zeek-agent v2's own example (src/tables/files/files.cc's test), with line numbers in the file.
TEST(FilesColumnsTable, SplitsAtWhiteSpaceAndIgnoresCommentsByDefault) {
  const TempDir dir;
  write_text(dir / "f", "   -123   test   1.2.3.4  0 3.14   \n   # comment\n678\n\n; also comment\n");
  const Result r("files_columns", {dir / "f", std::string("$1:int,$2:text,$3:blob,$4:count,$5:real,$0:blob")});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.text(0, "path"), dir / "f");
  EXPECT_EQ(r.integer(0, "number"), 1);
  EXPECT_EQ(r.text(0, "columns"), R"([-123,"test","1.2.3.4",0,3.14,"   -123   test   1.2.3.4  0 3.14   "])");
  EXPECT_EQ(r.integer(1, "number"), 3);
  EXPECT_EQ(r.text(1, "columns"), R"([678,null,null,null,null,"678"])");
}

TEST(FilesColumnsTable, AnEmptyIgnoreKeepsEveryLine) {
  const TempDir dir;
  write_text(dir / "f", "   -123   test\n   # comment\n678\n");
  const Result r("files_columns", {dir / "f", std::string("$1:int"), std::string(""), std::string("")});
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.text(0, "columns"), "[-123]");
  EXPECT_EQ(r.text(1, "columns"), "[null]");
  EXPECT_EQ(r.text(2, "columns"), "[678]");
}

TEST(FilesColumnsTable, SplitsAtASeparatorKeepingEmptyFields) {
  const TempDir dir;
  write_text(dir / "f", "::111:222::\n");
  const Result r("files_columns",
                 {dir / "f", std::string("$1:int,$2:int,$3:int,$4:int,$5:text,$6:int,$7:text"), std::string(":")});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.text(0, "columns"), R"([null,null,111,222,"",null,null])");
}

TEST(FilesColumnsTable, ParsesNumbersStrictly) {
  const TempDir dir;
  write_text(dir / "f", "12abc,-5,-5,+7,1e3,x\n");
  const Result r("files_columns",
                 {dir / "f", std::string("$1:int,$2:count,$3:int,$4:count,$5:real,$6:real"), std::string(",")});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.text(0, "columns"), "[null,null,-5,7,1000,null]");
}

TEST(FilesColumnsTable, SplitsPasswdAsTheZeekAgentDocumentationShows) {
  const TempDir dir;
  write_text(dir / "passwd", "# users\nroot:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
  const Result r("files_columns", {dir / "passwd", std::string("$1:text,$3:count"), std::string(":")});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.text(0, "columns"), R"(["root",0])");
  EXPECT_EQ(r.integer(0, "number"), 2);
  EXPECT_EQ(r.text(1, "columns"), R"(["alice",1000])");
}

TEST(FilesColumnsTable, RejectsBadArgumentsNamingThem) {
  const TempDir dir;
  const std::string f = dir / "f";
  write_text(f, "a b\n");
  expect_error([&] { Result("files_columns", {f, Value()}); }, "files_columns: _columns is required");
  expect_error(
      [&] {
        Result("files_columns", {Value(), std::string("$1:text")});
      },
      "files_columns: _pattern is required");
  expect_error([&] { Result("files_columns", {f, std::string("1:text")}); }, "files_columns: _columns: '1' is not");
  expect_error(
      [&] {
        Result("files_columns", {f, std::string("$1:bool")});
      },
      "files_columns: _columns: unknown type 'bool'");
  expect_error([&] { Result("files_columns", {f, std::string("$1")}); }, "files_columns: _columns");
  expect_error([&] { Result("files_columns", {f, std::string("")}); }, "files_columns: _columns");
  expect_error(
      [&] {
        Result("files_columns", {f, std::string("$1:text"), Value(), std::string("(")});
      },
      "files_columns: _ignore: invalid regular expression");
  expect_error(
      [&] {
        Result("files_columns", {f, std::string("$1:text"), int64_t{1}});
      },
      "files_columns: _separator must be text");
}

// Any fields joined by a separator come back as they were, empty ones included.
RC_GTEST_PROP(FilesColumnsTable, SplittingAtASeparatorKeepsEveryField, ()) {
  const std::vector<std::string> fields = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~' + 1))));
  const std::string separator = "|";
  std::string line, spec, expected = "[";
  for (size_t i = 0; i < fields.size(); ++i) {
    RC_PRE(fields[i].find('|') == std::string::npos);
    line += (i ? separator : "") + fields[i];
    spec += (i ? ",$" : "$") + std::to_string(i + 1) + ":text";
    if (i) expected += ',';
    append_json_string(fields[i], &expected);
  }
  const TempDir dir;
  write_text(dir / "f", line + "\n");
  const Result r("files_columns", {dir / "f", spec, separator, std::string("")});
  RC_ASSERT(r.rows.size() == 1u);
  RC_ASSERT(r.text(0, "columns") == expected + "]");
}

// ---------------------------------------------------------------- interfaces

TEST(InterfacesTable, HasLoopbackWith127001) {
  const Result r("interfaces");
  std::vector<size_t> lo;
  for (const size_t i : r.where("interface", std::string("lo"))) {
    if (r.at(i, "address") == Value(std::string("127.0.0.1"))) lo.push_back(i);
  }
  ASSERT_EQ(lo.size(), 1u);
  const size_t i = lo[0];
  EXPECT_EQ(r.text(i, "family"), "IPv4");
  EXPECT_EQ(r.text(i, "mask"), "255.0.0.0");
  EXPECT_EQ(r.integer(i, "ifindex"), ::if_nametoindex("lo"));
  EXPECT_NE(r.text(i, "flags").find("LOOPBACK"), std::string::npos);
  EXPECT_NE(r.text(i, "flags").find("UP"), std::string::npos);
  EXPECT_GT(r.integer(i, "mtu"), 0);
}

// ---------------------------------------------------------------- logged_in_users

TEST(LoggedInUsersTable, ListsTheUserProcessEntriesOfUtmp) {
  const TempDir dir;
  const auto entry = [](short type, const char* user, const char* line, const char* host, int32_t pid) {
    utmpx u{};
    u.ut_type = type;
    std::strncpy(u.ut_user, user, sizeof u.ut_user);
    std::strncpy(u.ut_line, line, sizeof u.ut_line);
    std::strncpy(u.ut_host, host, sizeof u.ut_host);
    u.ut_pid = pid;
    u.ut_session = 17;
    u.ut_tv.tv_sec = 1'700'000'000;
    u.ut_tv.tv_usec = 500'000;
    return u;
  };
  std::vector<utmpx> entries = {
      entry(BOOT_TIME, "reboot", "~", "6.1.0", 0),
      entry(LOGIN_PROCESS, "LOGIN", "tty1", "", 800),
      entry(USER_PROCESS, "alice", "pts/7", "10.1.2.3", 4242),
      entry(DEAD_PROCESS, "bob", "pts/8", "", 4243),
      entry(USER_PROCESS, "carol", "tty2", "", 4244),
  };
  ::inet_pton(AF_INET, "10.1.2.3", &entries[2].ut_addr_v6[0]);
  std::ofstream(dir / "utmp", std::ios::binary)
      .write(reinterpret_cast<const char*>(entries.data()),
             static_cast<std::streamsize>(entries.size() * sizeof(utmpx)));

  const std::vector<Row> rows = logged_in_users_from(dir / "utmp");
  const int64_t time = 1'700'000'000 * kSecond + 500'000'000;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (Row{std::string("alice"), std::string("pts/7"), std::string("10.1.2.3"), std::string("10.1.2.3"),
                          time, int64_t{4242}, int64_t{17}}));
  EXPECT_EQ(rows[1],
            (Row{std::string("carol"), std::string("tty2"), Value(), Value(), time, int64_t{4244}, int64_t{17}}));
  EXPECT_TRUE(logged_in_users_from(dir / "missing").empty());
  // The registered table reads the host's utmp, which a container may lack.
  EXPECT_NO_THROW(Result("logged_in_users"));
}

// ---------------------------------------------------------------- zeek_agent

constexpr int64_t kT0 = 1'790'000'000'000'000'000;

// A journal of two segments: 5 events appended, plus the JournalRotated
// event the writer records itself; 15 events lost in two EventsLost events.
uint64_t write_journal(const std::string& dir) {
  int64_t clock = kT0 + 3;
  WriterOptions o = testing::test_writer_options(dir, &clock);
  JournalWriter writer(o);
  ProcessExec exec;
  exec.pid = 42;
  exec.comm = "sh";
  writer.append(kT0 + 1, exec);
  writer.append(
      kT0 + 2, SensorEvent{SensorAction::EventsLost, "exec", "ring buffer full", {{"process_exec", 7}, {"socket", 5}}});
  writer.flush();
  writer.append(kT0 + 4, SensorEvent{SensorAction::SensorDegraded, "file", "not counted", {{"file", 100}}});
  writer.rotate();  // records JournalRotated at the clock's kT0 + 3
  writer.append(kT0 + 5, SensorEvent{SensorAction::EventsLost, "file", "", {{"file", 3}}});
  writer.append(kT0 + 6, FileEvent{});
  writer.close();

  uint64_t bytes = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with("segment-")) bytes += e.file_size();
  }
  return bytes;
}

TEST(ZeekAgentTable, DescribesTheHostAndTheAgent) {
  const Result r("zeek_agent");
  ASSERT_EQ(r.rows.size(), 1u);
  utsname uts{};
  ASSERT_EQ(::uname(&uts), 0);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  EXPECT_EQ(r.text(0, "hostname"), hostname);
  EXPECT_EQ(r.text(0, "platform"), "Linux");
  EXPECT_EQ(r.text(0, "kernel_name"), uts.sysname);
  EXPECT_EQ(r.text(0, "kernel_version"), uts.release);
  EXPECT_EQ(r.text(0, "kernel_arch"), uts.machine);
  std::string machine_id;
  std::getline(std::ifstream("/etc/machine-id"), machine_id);
  if (!machine_id.empty()) {
    EXPECT_EQ(r.text(0, "id"), machine_id);
  }
  EXPECT_EQ(r.text(0, "instance").size(), 32u);
  EXPECT_EQ(r.text(0, "instance"), Result("zeek_agent").text(0, "instance"));  // one per process
  EXPECT_EQ(r.integer(0, "agent_version") % 10'000, 0);
  EXPECT_GT(r.integer(0, "agent_version"), 0);
  EXPECT_TRUE(r.null(0, "broker"));
  EXPECT_GE(r.integer(0, "uptime"), 0);
  EXPECT_EQ(r.text(0, "addresses").front(), '[');
  // Every table, event tables too, sorted: as many names as tables registered.
  const std::string tables = r.text(0, "tables");
  EXPECT_EQ(tables.substr(0, 15), R"(["file_events",)");
  for (const char* name : {R"("files_list")", R"("process_events")", R"("processes")", R"("zeek_agent")"}) {
    EXPECT_NE(tables.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(static_cast<size_t>(std::count(tables.begin(), tables.end(), ',')) + 1,
            event_tables().size() + snapshot_table_factories().size());
  // Without a journal or an agent there are no figures.
  for (const char* column : {"events_recorded", "events_lost", "journal_bytes", "oldest_event", "newest_event"}) {
    EXPECT_TRUE(r.null(0, column)) << column;
  }
}

TEST(ZeekAgentTable, CountsTheJournalsEventsLossesBytesAndSpan) {
  const TempDir dir;
  const uint64_t bytes = write_journal(dir.path());
  QueryContext context;
  context.journals = {dir.path()};
  const Result r("zeek_agent", {}, context);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.integer(0, "events_recorded"), 6);
  EXPECT_EQ(r.integer(0, "events_lost"), 15);
  EXPECT_EQ(r.integer(0, "journal_bytes"), static_cast<int64_t>(bytes));
  EXPECT_EQ(r.integer(0, "oldest_event"), kT0 + 1);
  EXPECT_EQ(r.integer(0, "newest_event"), kT0 + 6);

  // A segment file given by itself counts alone; a missing input adds nothing.
  context.journals = {dir / JournalWriter::segment_name(2), dir / "missing"};
  const Result second("zeek_agent", {}, context);
  // The second segment opens with the writer's JournalRotated, at the clock's time.
  EXPECT_EQ(second.integer(0, "events_recorded"), 3);
  EXPECT_EQ(second.integer(0, "events_lost"), 3);
  EXPECT_EQ(second.integer(0, "oldest_event"), kT0 + 3);
  EXPECT_EQ(second.integer(0, "newest_event"), kT0 + 6);
}

TEST(ZeekAgentTable, TakesUptimeAndCountsFromARunningAgent) {
  const TempDir dir;
  const uint64_t bytes = write_journal(dir.path());
  const int64_t started =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() -
      5 * kSecond;
  QueryContext context;
  context.journals = {dir.path()};
  context.agent_status = [started] { return AgentStatus{started, 1234, 56, "agent-uuid", "instance-uuid"}; };
  const Result r("zeek_agent", {}, context);
  EXPECT_EQ(r.text(0, "id"), "agent-uuid");  // the agent's id for Zeek, not the machine id
  EXPECT_EQ(r.text(0, "instance"), "instance-uuid");
  EXPECT_EQ(r.integer(0, "events_recorded"), 1234);
  EXPECT_EQ(r.integer(0, "events_lost"), 56);
  EXPECT_GE(r.integer(0, "uptime"), 5 * kSecond);
  EXPECT_LT(r.integer(0, "uptime"), 65 * kSecond);
  EXPECT_EQ(r.integer(0, "journal_bytes"), static_cast<int64_t>(bytes));
  EXPECT_EQ(r.integer(0, "oldest_event"), kT0 + 1);
  EXPECT_EQ(r.integer(0, "newest_event"), kT0 + 6);
}

TEST(ZeekAgentTable, AnEmptyJournalHasBytesButNoEvents) {
  const TempDir dir;
  QueryContext context;
  context.journals = {dir.path()};
  const Result r("zeek_agent", {}, context);
  EXPECT_EQ(r.integer(0, "events_recorded"), 0);
  EXPECT_EQ(r.integer(0, "events_lost"), 0);
  EXPECT_EQ(r.integer(0, "journal_bytes"), 0);
  EXPECT_TRUE(r.null(0, "oldest_event"));
  EXPECT_TRUE(r.null(0, "newest_event"));
}

}  // namespace
}  // namespace zagent::tables
