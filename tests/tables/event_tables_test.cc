// The event tables over real journal files: every column of every table
// against events the test wrote, the time and seq pushdown (counted in
// blocks read), streaming LIMIT, the live tail, and the query engine's
// refusals and limits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "journal/error.h"
#include "journal/journal_writer.h"
#include "journal/timestamp.h"
#include "tables/query_engine.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_options.h"

namespace zagent::tables {
namespace {

using testing::TempDir;

constexpr int64_t kT0 = 1'790'000'000'000'000'000;
constexpr int64_t kSecond = 1'000'000'000;

struct Collect : RowSink {
  std::vector<std::string> names;
  std::vector<Row> rows;
  void columns(const std::vector<std::string>& n) override { names = n; }
  void row(const Row& r) override { rows.push_back(r); }
};

WriterOptions options(const std::string& dir, int64_t* clock, uint32_t block_events) {
  WriterOptions o = testing::test_writer_options(dir, clock);
  o.block_events = block_events;
  return o;
}

IpAddress v6(std::initializer_list<uint8_t> tail) {
  std::array<uint8_t, 16> b{};
  size_t i = 16 - tail.size();
  for (uint8_t x : tail) b[i++] = x;
  return IpAddress::v6(b);
}

// One event of every kind, with every field set to something telling.
std::vector<EventBody> one_of_each() {
  ProcessExec exec;
  exec.pid = 4242;
  exec.ppid = 4000;
  exec.start_boot_ns = 5'000'000'123;
  exec.parent_start_boot_ns = 4'000'000'456;
  exec.uid = 1000;
  exec.gid = 1001;
  exec.euid = 0;
  exec.egid = 1003;
  exec.login_uid = 1000;
  exec.session_id = 7;
  exec.exe = "/usr/bin/curl";
  exec.argv = {"curl", "-s", "http://example.com/a b", "caf\xc3\xa9", "\xff"};
  exec.argv_truncated = true;
  exec.cwd = "/home/ann";
  exec.comm = "curl";
  exec.tty = "pts/1";
  exec.cgroup_id = (1ull << 40) + 17;
  exec.container_id = std::string(64, 'a');
  exec.exe_sha256 = std::string(32, '\x01');
  exec.exe_hash_status = HashStatus::Ok;
  ProcessSnapshot snap;
  static_cast<ProcessExec&>(snap) = exec;
  snap.pid = 1;
  snap.exe_hash_status = HashStatus::Unreadable;
  snap.exe_sha256.clear();
  ProcessFork fork{4243, 4242, 6'000'000'000, 5'000'000'123, 1000, "curl"};
  ProcessExit exit{4243, 6'000'000'000, 3, 0, 1'500'000'000, "curl"};
  SocketEvent sock;
  sock.action = SocketAction::Close;
  sock.protocol = Protocol::Tcp;
  sock.pid = 4242;
  sock.start_boot_ns = 5'000'000'123;
  sock.uid = 1000;
  sock.comm = "curl";
  sock.exe = "/usr/bin/curl";
  sock.local_addr = IpAddress::v4(0x7f000001);
  sock.local_port = 40000;
  sock.remote_addr = IpAddress::v4(0x0a000002);
  sock.remote_port = 443;
  sock.bytes_sent = (1ull << 40) + 5;
  sock.bytes_received = 9;
  SocketEvent udp = sock;
  udp.action = SocketAction::Send;
  udp.protocol = Protocol::Udp;
  udp.local_addr = v6({0, 1});
  udp.remote_addr = v6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53});
  udp.remote_port = 53;
  udp.bytes_sent = udp.bytes_received = 0;
  FileEvent file{FileAction::Rename, 4242, 5'000'000'123, 1000, "mv", "/usr/bin/mv", "/etc/a", "/etc/b", 0};
  LoginEvent login{LoginAction::Start, "ann", "pts/1", "jump.example", IpAddress::v4(0xc0a80001), 900, 12};
  SensorEvent lost{SensorAction::EventsLost, "socket", "ring full", {{"socket", 12}, {"file", 3}}};
  return {exec, snap, fork, exit, sock, udp, file, login, lost};
}

class EventTables : public ::testing::Test {
 protected:
  void write(const std::vector<EventBody>& bodies, uint32_t block_events, int64_t step = kSecond) {
    JournalWriter w(options(dir_.path(), &clock_, block_events));
    for (const auto& b : bodies) {
      w.append(clock_, b);
      clock_ += step;
    }
    w.close();
  }
  QueryEngine engine(QueryLimits limits = {}) {
    QueryContext c;
    c.journals = {dir_.path()};
    return QueryEngine(c, limits);
  }
  Collect query(QueryEngine& e, const std::string& sql, QueryStats* stats = nullptr) {
    Collect out;
    QueryStats s = e.run(sql, out);
    if (stats) *stats = s;
    return out;
  }

  TempDir dir_;
  int64_t clock_ = kT0;
};

Value I(int64_t v) { return v; }
Value T(std::string v) { return v; }
const Value N = std::monostate{};

TEST_F(EventTables, ProcessEventsHaveEveryField) {
  write(one_of_each(), 3);
  auto e = engine();
  Collect r = query(e, "SELECT * FROM process_events ORDER BY seq");
  ASSERT_EQ(r.names, (std::vector<std::string>{
                         "time", "seq", "host", "boot_id", "type", "pid", "ppid", "start_boot_ns",
                         "parent_start_boot_ns", "uid", "gid", "euid", "egid", "login_uid", "session_id", "exe",
                         "argv", "argv_truncated", "cwd", "comm", "tty", "cgroup_id", "container_id", "exe_sha256",
                         "exe_hash_status", "exit_code", "signal", "duration_ns"}));
  ASSERT_EQ(r.rows.size(), 4u);
  const std::string argv = R"(["curl","-s","http://example.com/a b","café","\udcff"])";
  const std::string sha(64, '0');
  std::string sha_hex;
  for (int i = 0; i < 32; ++i) sha_hex += "01";
  EXPECT_EQ(r.rows[0], (Row{I(kT0), I(1), T("host-a"), T("boot-1"), T("exec"), I(4242), I(4000),
                            I(5'000'000'123), I(4'000'000'456), I(1000), I(1001), I(0), I(1003), I(1000), I(7),
                            T("/usr/bin/curl"), T(argv), I(1), T("/home/ann"), T("curl"), T("pts/1"),
                            I((1ll << 40) + 17), T(std::string(64, 'a')), T(sha_hex), T("ok"), N, N, N}));
  EXPECT_EQ(r.rows[1][4], T("snapshot"));
  EXPECT_EQ(r.rows[1][5], I(1));
  EXPECT_EQ(r.rows[1][23], N);  // no hash
  EXPECT_EQ(r.rows[1][24], T("unreadable"));
  EXPECT_EQ(r.rows[2], (Row{I(kT0 + 2 * kSecond), I(3), T("host-a"), T("boot-1"), T("fork"), I(4243), I(4242),
                            I(6'000'000'000), I(5'000'000'123), I(1000), N, N, N, N, N, N, N, N, N, T("curl"), N,
                            N, N, N, N, N, N, N}));
  EXPECT_EQ(r.rows[3], (Row{I(kT0 + 3 * kSecond), I(4), T("host-a"), T("boot-1"), T("exit"), I(4243), N,
                            I(6'000'000'000), N, N, N, N, N, N, N, N, N, N, N, T("curl"), N, N, N, N, N, I(3), I(0),
                            I(1'500'000'000)}));
  // argv is JSON that SQLite's own functions take apart.
  Collect args = query(e, "SELECT j.value FROM process_events AS p, json_each(p.argv) AS j WHERE p.type = 'exec'");
  ASSERT_EQ(args.rows.size(), 5u);
  EXPECT_EQ(args.rows[2][0], T("http://example.com/a b"));
}

TEST_F(EventTables, SocketFileLoginAndSensorEvents) {
  write(one_of_each(), 4);
  auto e = engine();
  Collect s = query(e, "SELECT * FROM socket_events ORDER BY seq");
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[0], (Row{I(kT0 + 4 * kSecond), I(5), T("host-a"), T("boot-1"), T("close"), T("tcp"), I(4242),
                            I(5'000'000'123), I(1000), T("curl"), T("/usr/bin/curl"), T("127.0.0.1"), I(40000),
                            T("10.0.0.2"), I(443), I((1ll << 40) + 5), I(9)}));
  EXPECT_EQ(s.rows[1][4], T("send"));
  EXPECT_EQ(s.rows[1][5], T("udp"));
  EXPECT_EQ(s.rows[1][11], T("::1"));
  EXPECT_EQ(s.rows[1][13], T("fe80::53"));
  EXPECT_EQ(s.rows[1][14], I(53));

  Collect f = query(e, "SELECT * FROM file_events");
  ASSERT_EQ(f.rows.size(), 1u);
  EXPECT_EQ(f.rows[0], (Row{I(kT0 + 6 * kSecond), I(7), T("host-a"), T("boot-1"), T("rename"), I(4242),
                            I(5'000'000'123), I(1000), T("mv"), T("/usr/bin/mv"), T("/etc/a"), T("/etc/b"), I(0)}));

  Collect l = query(e, "SELECT * FROM login_events");
  ASSERT_EQ(l.rows.size(), 1u);
  EXPECT_EQ(l.rows[0], (Row{I(kT0 + 7 * kSecond), I(8), T("host-a"), T("boot-1"), T("start"), T("ann"), T("pts/1"),
                            T("jump.example"), T("192.168.0.1"), I(900), I(12)}));

  Collect lost = query(e,
                       "SELECT action, sensor, message, counters, json_extract(counters, '$.file') "
                       "FROM sensor_events WHERE action = 'events_lost'");
  ASSERT_EQ(lost.rows.size(), 1u);
  EXPECT_EQ(lost.rows[0], (Row{T("events_lost"), T("socket"), T("ring full"), T(R"({"socket":12,"file":3})"), I(3)}));
}

// 100 blocks of 10 events, one every 100 ms: block b holds seq 10b+1..10b+10
// and times kT0 + (10b .. 10b+9) * 100 ms.
class Pushdown : public EventTables {
 protected:
  void SetUp() override {
    std::vector<EventBody> bodies;
    for (uint32_t i = 0; i < 1000; ++i) bodies.push_back(ProcessFork{i + 1, 1, i, 0, 0, "x"});
    write(bodies, 10, kSecond / 10);
  }
  uint64_t blocks_read(const std::string& sql, size_t expect_rows) {
    auto e = engine();
    QueryStats stats;
    Collect r = query(e, sql, &stats);
    EXPECT_EQ(r.rows.size(), expect_rows) << sql;
    return stats.scan.blocks_read;
  }
};

TEST_F(Pushdown, TimeWindowReadsOnlyOverlappingBlocks) {
  const int64_t t = kT0 + 250 * kSecond / 10;  // event 250 (seq 251), block 25
  // [t, t + 2 s): events 250..269, blocks 25 and 26.
  const std::string window = "SELECT pid FROM process_events WHERE time >= " + std::to_string(t) +
                             " AND time < " + std::to_string(t + 2 * kSecond);
  EXPECT_EQ(blocks_read(window, 20), 2u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE time BETWEEN " + std::to_string(t) + " AND " +
                            std::to_string(t + 2 * kSecond),
                        21),
            3u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE time = " + std::to_string(t), 1), 1u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE time > " + std::to_string(kT0 + 995 * kSecond / 10), 4),
            1u);
  // Bounds given as real numbers, and a NULL bound (no rows, no blocks).
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE seq < 1.5", 1), 1u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE seq >= 999.5", 1), 1u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE time < 1.79e18", 0), 0u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE time < NULL", 0), 0u);
  // A window written with time_ns() is pushed down as well.
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE time >= time_ns('" + format_rfc3339(t) +
                            "') AND time < time_ns('" + format_rfc3339(t + kSecond) + "')",
                        10),
            1u);
  // Without a bound, every block.
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events", 1000), 100u);
}

TEST_F(Pushdown, SeqConstraintsAndLimitStopEarly) {
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE seq = 555", 1), 1u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE seq > 990", 10), 1u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events WHERE seq BETWEEN 101 AND 130", 30), 3u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events LIMIT 10", 10), 1u);
  EXPECT_EQ(blocks_read("SELECT pid FROM process_events LIMIT 15", 15), 2u);
  // Other tables skip these blocks by their type counts alone.
  EXPECT_EQ(blocks_read("SELECT * FROM socket_events", 0), 0u);
}

TEST_F(EventTables, LiveTailRowsCountOnce) {
  std::vector<EventBody> bodies;
  for (uint32_t i = 0; i < 10; ++i) bodies.push_back(ProcessFork{i + 1, 1, i, 0, 0, "disk"});
  write(bodies, 4);
  QueryContext c;
  c.journals = {dir_.path()};
  // The writer's tail starts at seq 9: 9 and 10 are on disk too (as if the
  // writer flushed after the copy) and must come from the tail only.
  c.live_tail = [] {
    LiveTail t;
    t.boundary = 9;
    t.host = "host-a";
    t.boot_id = "boot-1";
    for (uint64_t s = 9; s <= 12; ++s)
      t.events.push_back(Event{kT0 + static_cast<int64_t>(s) * kSecond, s,
                               ProcessFork{static_cast<uint32_t>(s), 1, s, 0, 0, "tail"}});
    return t;
  };
  QueryEngine e(c, {});
  Collect r = query(e, "SELECT seq, comm, host FROM process_events");
  ASSERT_EQ(r.rows.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(r.rows[i][0], I(static_cast<int64_t>(i + 1)));
    EXPECT_EQ(r.rows[i][1], T(i < 8 ? "disk" : "tail"));
    EXPECT_EQ(r.rows[i][2], T("host-a"));
  }
  QueryStats stats;
  Collect w = query(e, "SELECT seq FROM process_events WHERE seq >= 11", &stats);
  ASSERT_EQ(w.rows.size(), 2u);
  EXPECT_EQ(stats.scan.blocks_read, 0u);
  EXPECT_EQ(stats.scan.tail_events, 2u);
}

TEST_F(EventTables, RefusesWritesAndSchemaChangesAndKeepsServing) {
  write(one_of_each(), 4);
  auto e = engine();
  auto refused = [&](const std::string& sql, const std::string& says) {
    Collect out;
    try {
      e.run(sql, out);
      ADD_FAILURE() << "not refused: " << sql;
    } catch (const Error& err) {
      EXPECT_NE(std::string(err.what()).find(says), std::string::npos) << sql << " -> " << err.what();
    }
    // The next query is served as before.
    EXPECT_EQ(query(e, "SELECT count(*) FROM process_events").rows.at(0).at(0), I(4)) << "after " << sql;
  };
  refused("INSERT INTO process_events(pid) VALUES (1)", "INSERT into process_events is refused");
  refused("UPDATE socket_events SET pid = 1", "table socket_events may not be modified");
  refused("DELETE FROM file_events", "table file_events may not be modified");
  refused("UPDATE sqlite_master SET sql = ''", "table sqlite_master may not be modified");
  refused("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH is refused");
  refused("PRAGMA writable_schema = 1", "PRAGMA writable_schema is refused");
  refused("PRAGMA journal_mode = WAL", "PRAGMA journal_mode is refused");
  refused("CREATE TEMP TABLE t(x)", "is refused");
  refused("CREATE TEMP VIEW v AS SELECT 1", "is refused");
  refused("SELECT load_extension('/tmp/evil.so')", "load_extension() is refused");
  refused("BEGIN", "a transaction is refused");
  refused("SELECT nonsense FROM nowhere", "SQL error: no such table: nowhere");
  refused("SELECT time_ns('yesterday')", "time_ns: ");
  EXPECT_EQ(query(e, "SELECT time_text(time) FROM process_events LIMIT 1").rows.at(0).at(0),
            T(format_rfc3339(kT0)));
  // Describing a table stays possible.
  Collect info = query(e, "SELECT name FROM pragma_table_info('socket_events') WHERE name = 'remote_port'");
  EXPECT_EQ(info.rows.size(), 1u);
}

TEST_F(EventTables, StopsARunawayQueryAtItsCpuBudgetAndRowCap) {
  write(one_of_each(), 4);
  auto e = engine(QueryLimits{0.3, 0});
  Collect out;
  try {
    e.run("SELECT count(*) FROM process_events a, process_events b, process_events c, process_events d, "
          "process_events e, process_events f, process_events g, process_events h, process_events i, "
          "process_events j, process_events k, process_events l, process_events m, process_events n",
          out);
    FAIL() << "the cross join ran to its end";
  } catch (const Error& err) {
    EXPECT_EQ(std::string(err.what()), "query stopped: it used more than 0.3 s of CPU time (limit max_cpu_seconds)");
  }
  EXPECT_EQ(query(e, "SELECT count(*) FROM process_events").rows.at(0).at(0), I(4));

  // 200 MB of distinct values against a 32 MiB bound (in memory: no temporary files).
  auto bounded = engine(QueryLimits{0, 0, 32 << 20});
  try {
    bounded.run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000) "
                "SELECT count(DISTINCT randomblob(1000)) FROM c",
                out);
    FAIL() << "the query ran to its end";
  } catch (const Error& err) {
    EXPECT_EQ(std::string(err.what()), "query stopped: it needed more than 33554432 bytes of memory (limit max_memory_bytes)");
  }
  EXPECT_EQ(query(bounded, "SELECT count(*) FROM process_events").rows.at(0).at(0), I(4));

  auto capped = engine(QueryLimits{0, 3});
  EXPECT_EQ(query(capped, "SELECT seq FROM socket_events").rows.size(), 2u);
  Collect partial;
  try {
    capped.run("SELECT seq FROM socket_events UNION ALL SELECT seq FROM process_events", partial);
    FAIL() << "the row cap did not stop the query";
  } catch (const Error& err) {
    EXPECT_EQ(std::string(err.what()), "query stopped: more than 3 rows (limit max_rows)");
  }
  EXPECT_EQ(partial.rows.size(), 3u);
}

}  // namespace
}  // namespace zagent::tables
