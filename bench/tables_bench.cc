// SQL over journals (tables/query_engine.h), each figure against a baseline
// measured in the same invocation.
//
//   Scan/native/...    the baseline of a full scan: the rows of
//                      process_events copied into a plain SQLite table of the
//                      same name and columns, in an in-memory database.
//   Scan/virtual/...   the same query over the journal through the engine;
//                      virtual_over_native = its rows/s over the baseline's.
//   Scan/decode/...,   the same journal decoded into Events by JournalReader
//   Scan/getters/...   (process types only), as zagent cat and replay read,
//                      then also the values the query's columns take
//                      (pid, ppid, exe, argv as JSON, comm, time). The tables
//                      read in place instead (journal/block_rows.h).
//
//   Window/reader/...  the baseline of a one-minute window query on a 10M-
//                      event journal: JournalReader with since_ts/until_ts
//                      and the process types, counting events.
//   Window/sql/...     SELECT count(*) FROM process_events over the window,
//                      one engine for all queries; sql_over_reader = its CPU
//                      time per query over the baseline's.
//   Window/sql_fresh/  the same with a new QueryEngine per query.
//   Window/engine      creating and destroying a QueryEngine alone.
//   Window/trailers    a window before the journal's first event: the walk
//                      over every block trailer that each query pays.
//
// Corpora: "mix" is the event mix of tests/support/sample_events.h (about a
// third process events); "proc" holds only its execs, forks and exits, so
// process_events is all of it. Both are written once per run to a scratch
// directory under /dev/shm (else $TMPDIR or /tmp) before any timing. The
// window journal (SampleEvents bodies, timestamps spread evenly over 24 h,
// default block size) takes a while to write, so it is kept across runs in
// /dev/shm/zagent-bench-window-v2-<events> and reused when its trailers
// count the events it was written with. The writer is never polled, so its
// blocks end by size (about 4,500 events) and segments rotate by size
// (64 MiB), not by age; its clock follows the events' timestamps.
//
// Sizes: ZAGENT_BENCH_EVENTS (scan corpora, default 1,000,000) and
// ZAGENT_BENCH_WINDOW_EVENTS (window journal, default 10,000,000).
//
// items_per_second (rows) is per CPU second of the benchmark thread; the
// ratio counters compare CPU time per iteration too.
#include <benchmark/benchmark.h>

#include "journal/heap_policy.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "journal/damage.h"
#include "journal/event.h"
#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "journal/mapped_file.h"
#include "journal/segment_scanner.h"
#include "tables/event_table.h"
#include "tables/query_engine.h"
#include "tests/support/sample_events.h"

namespace {

namespace fs = std::filesystem;
using zagent::Event;
using zagent::EventBody;
using zagent::tables::QueryEngine;
using zagent::tables::Row;
using zagent::tables::RowSink;
using zagent::tables::Value;

constexpr uint64_t kSeed = 1;
constexpr char kHost[] = "web-01.example.org";
constexpr int64_t kStartTs = 1'764'000'000'000'000'000;  // 2025-11-24 16:00 UTC
constexpr int64_t kDayNs = 86'400'000'000'000;
constexpr int64_t kMinuteNs = 60'000'000'000;
constexpr char kWindowFormat[] = "v2";  // bump when the window journal's recipe or format changes (v2: end index)

constexpr uint32_t kProcessTypes =
    zagent::tables::type_bit(zagent::EventType::ProcessExec) | zagent::tables::type_bit(zagent::EventType::ProcessFork) |
    zagent::tables::type_bit(zagent::EventType::ProcessExit) |
    zagent::tables::type_bit(zagent::EventType::ProcessSnapshot);

// The full-scan query: several columns, strings among them, aggregated so
// that handing result rows over costs nothing. The same text runs on both.
constexpr char kScanQuery[] =
    "SELECT count(*), sum(pid), sum(ppid), sum(length(exe)), sum(length(argv)), sum(length(comm)), "
    "max(time) FROM process_events";
// Rows and one integer column: what walking the rows costs. (Not count(*):
// SQLite counts a native table's rows from its b-tree pages without visiting
// them.)
constexpr char kCountQuery[] = "SELECT count(time) FROM process_events";

size_t env_size(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  const unsigned long long n = std::strtoull(v, nullptr, 10);
  if (n == 0) throw std::runtime_error(std::string(name) + " must be a positive number");
  return static_cast<size_t>(n);
}

size_t scan_events() { return env_size("ZAGENT_BENCH_EVENTS", 1'000'000); }
size_t window_events() { return env_size("ZAGENT_BENCH_WINDOW_EVENTS", 10'000'000); }

// /dev/shm when there is one (the journal then sits in memory, as a journal
// read twice sits in the page cache), else $TMPDIR or /tmp.
std::string scratch_base() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec)) return "/dev/shm";
  const char* base = std::getenv("TMPDIR");
  return base && *base ? base : "/tmp";
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = scratch_base() + "/zagent-tbench-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// CPU seconds per iteration of the benchmarks that ran so far, by key: the
// later benchmark of a pair reports its ratio to the earlier one.
std::map<std::string, double>& cpu_per_iteration() {
  static std::map<std::string, double> m;
  return m;
}

// Minor page faults of the process so far. On a VM a fault can cost tens of
// microseconds, so the counts explain much of the figures.
int64_t minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// Times the body of each iteration in thread CPU time (the timed part
// only), and counts its page faults.
class CpuTimer {
 public:
  void start() {
    faults_started_ = minor_faults();
    started_ = thread_cpu_seconds();
  }
  void stop() {
    seconds_ += thread_cpu_seconds() - started_;
    faults_ += minor_faults() - faults_started_;
  }
  double per_iteration(const benchmark::State& state) const {
    return seconds_ / static_cast<double>(state.iterations());
  }
  // Reports the faults per iteration as a counter.
  void report_faults(benchmark::State& state) const {
    state.counters["faults"] = static_cast<double>(faults_) / static_cast<double>(state.iterations());
  }

 private:
  double started_ = 0;
  double seconds_ = 0;
  int64_t faults_started_ = 0;
  int64_t faults_ = 0;
};

// The writer's clock follows the events' timestamps, as a live agent's does
// its events', so the writer's own records (rotation) fall in line.
zagent::WriterOptions writer_options(const std::string& dir, const int64_t* clock) {
  zagent::WriterOptions options;  // defaults: 512 KiB blocks, 64 MiB segments
  options.dir = dir;
  options.host.host_name = kHost;
  options.host.machine_id = "5c1d3b0f8e2a4d6b9f7e1a2c3d4e5f60";
  options.host.boot_id = "0d9f6a2e-7b41-4c3e-9a5d-2f8e1b6c4a70";
  options.agent_version = "tables_bench";
  options.clock = [clock] { return *clock; };
  return options;
}

bool is_process(const EventBody& b) {
  return (kProcessTypes & (1u << b.index())) != 0;
}

// ---------------------------------------------------------------- SQLite

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, SqliteCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

void exec_sql(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("SQLite: " + why + " in: " + sql);
  }
}

Stmt prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db) + " in: " + sql);
  return Stmt(s);
}

// Inserts every row it gets into the native table.
class InsertSink : public RowSink {
 public:
  explicit InsertSink(sqlite3_stmt* insert) : insert_(insert) {}
  void columns(const std::vector<std::string>&) override {}
  void row(const Row& values) override {
    for (size_t i = 0; i < values.size(); ++i) {
      const int col = static_cast<int>(i + 1);
      const Value& v = values[i];
      if (const auto* n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(insert_, col, *n);
      else if (const auto* d = std::get_if<double>(&v)) sqlite3_bind_double(insert_, col, *d);
      else if (const auto* s = std::get_if<std::string>(&v))
        sqlite3_bind_text64(insert_, col, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      else if (const auto* b = std::get_if<zagent::tables::Blob>(&v))
        sqlite3_bind_blob64(insert_, col, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
      else sqlite3_bind_null(insert_, col);
    }
    if (sqlite3_step(insert_) != SQLITE_DONE) throw std::runtime_error("insert into the native table failed");
    sqlite3_reset(insert_);
    ++rows;
  }
  uint64_t rows = 0;

 private:
  sqlite3_stmt* insert_;
};

// Keeps the last row (the aggregate queries return one).
class LastRowSink : public RowSink {
 public:
  void columns(const std::vector<std::string>&) override {}
  void row(const Row& values) override { last = values; }
  Row last;
};

int64_t first_int(const Row& row) {
  if (row.empty()) return -1;
  const auto* n = std::get_if<int64_t>(&row[0]);
  return n ? *n : -1;
}

// Runs `sql` on a plain connection; the first column of its one row.
int64_t native_query(sqlite3* db, sqlite3_stmt* stmt) {
  int64_t first = -1;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    first = sqlite3_column_int64(stmt, 0);
    // Touch every result column as the engine's run() does.
    for (int i = 1; i < sqlite3_column_count(stmt); ++i) benchmark::DoNotOptimize(sqlite3_column_int64(stmt, i));
  }
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
  sqlite3_reset(stmt);
  return first;
}

zagent::tables::QueryContext context_of(const std::string& journal) {
  zagent::tables::QueryContext c;
  c.journals = {journal};
  return c;
}

zagent::tables::QueryLimits no_limits() {
  zagent::tables::QueryLimits limits;
  limits.max_cpu_seconds = 0;
  return limits;
}

// ---------------------------------------------------------------- full scan

enum class Mix { All, ProcessOnly };

struct ScanCorpus {
  ScratchDir scratch;
  std::string journal;
  size_t events = 0;
  uint64_t rows = 0;  // process events
  uint64_t journal_blocks = 0;
  Db native;

  explicit ScanCorpus(Mix mix) {
    events = scan_events();
    journal = scratch.path() + "/journal";
    int64_t ts = 0;
    {
      zagent::JournalWriter writer(writer_options(journal, &ts));
      zagent::testing::SampleEvents sample(kSeed);
      for (size_t i = 0; i < events; ++i) {
        EventBody body = sample.next_body();
        while (mix == Mix::ProcessOnly && !is_process(body)) body = sample.next_body();
        ts = sample.next_ts();
        writer.append(ts, std::move(body));
      }
      writer.close();
      journal_blocks = writer.stats().blocks_written;
    }

    // The native copy: the same columns, the rows read through the engine,
    // inserted in one transaction.
    sqlite3* db = nullptr;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) throw std::runtime_error("cannot open SQLite");
    native.reset(db);
    zagent::tables::TableSchema schema;
    for (const auto& s : QueryEngine::schemas())
      if (s.name == "process_events") schema = s;
    std::string create = schema.declaration();
    create.replace(create.find(" x("), 3, " process_events(");
    exec_sql(db, create);
    std::string insert = "INSERT INTO process_events VALUES (";
    for (size_t i = 0; i < schema.columns.size(); ++i) insert += i ? ",?" : "?";
    insert += ")";
    Stmt stmt = prepare(db, insert);
    exec_sql(db, "BEGIN");
    QueryEngine engine(context_of(journal), no_limits());
    InsertSink sink(stmt.get());
    engine.run("SELECT * FROM process_events", sink);
    exec_sql(db, "COMMIT");
    rows = sink.rows;
  }
};

const ScanCorpus& scan_corpus(Mix mix) {
  static std::map<Mix, std::unique_ptr<ScanCorpus>> corpora;
  auto& c = corpora[mix];
  if (!c) c = std::make_unique<ScanCorpus>(mix);
  return *c;
}

const char* mix_name(Mix m) { return m == Mix::All ? "mix" : "proc"; }

void scan_counters(benchmark::State& state, const ScanCorpus& c, double cpu_per_iter) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.rows));
  state.counters["rows"] = static_cast<double>(c.rows);
  state.counters["events"] = static_cast<double>(c.events);
  state.counters["ns_per_row"] = cpu_per_iter * 1e9 / static_cast<double>(c.rows);
}

void BM_ScanNative(benchmark::State& state, Mix mix, const char* sql, const std::string& key) {
  const ScanCorpus& c = scan_corpus(mix);
  Stmt stmt = prepare(c.native.get(), sql);
  int64_t count = 0;
  CpuTimer cpu;
  for (auto _ : state) {
    cpu.start();
    count = native_query(c.native.get(), stmt.get());
    cpu.stop();
  }
  if (static_cast<uint64_t>(count) != c.rows) {
    state.SkipWithError("the native table does not count the rows it was given");
    return;
  }
  const double per = cpu.per_iteration(state);
  cpu_per_iteration()[key] = per;
  scan_counters(state, c, per);
  cpu.report_faults(state);
}

void BM_ScanVirtual(benchmark::State& state, Mix mix, const char* sql, const std::string& key) {
  const ScanCorpus& c = scan_corpus(mix);
  QueryEngine engine(context_of(c.journal), no_limits());
  LastRowSink sink;
  zagent::tables::QueryStats stats;
  CpuTimer cpu;
  for (auto _ : state) {
    cpu.start();
    stats = engine.run(sql, sink);
    cpu.stop();
  }
  if (static_cast<uint64_t>(first_int(sink.last)) != c.rows || stats.scan.damage_reports) {
    state.SkipWithError("the virtual table does not count the rows the journal holds");
    return;
  }
  const double per = cpu.per_iteration(state);
  scan_counters(state, c, per);
  cpu.report_faults(state);
  state.counters["blocks_read"] = static_cast<double>(stats.scan.blocks_read);
  const auto& m = cpu_per_iteration();
  if (auto it = m.find(key); it != m.end()) state.counters["virtual_over_native"] = it->second / per;
}

// The split without SQLite: decoding only, then decoding and the values the
// scan query's columns take, computed as the getters do.
void BM_ScanDecode(benchmark::State& state, Mix mix, bool getters) {
  const ScanCorpus& c = scan_corpus(mix);
  zagent::ReadOptions options;
  options.type_mask = kProcessTypes;
  uint64_t rows = 0, damage = 0;
  CpuTimer cpu;
  for (auto _ : state) {
    cpu.start();
    zagent::JournalReader reader({c.journal}, options, [&damage](const zagent::Damage&) { ++damage; });
    zagent::ReadBlock block;
    rows = 0;
    int64_t sum = 0, max_ts = 0;
    while (reader.next_block(&block)) {
      rows += block.events.size();
      if (!getters) continue;
      for (const Event& e : block.events) {
        max_ts = std::max(max_ts, e.ts);
        if (const auto* x = std::get_if<zagent::ProcessExec>(&e.body)) {
          sum += x->pid + x->ppid + static_cast<int64_t>(x->exe.size() + x->comm.size());
          sum += static_cast<int64_t>(zagent::tables::json_array(x->argv).size());
        } else if (const auto* f = std::get_if<zagent::ProcessFork>(&e.body)) {
          sum += f->pid + f->ppid + static_cast<int64_t>(f->comm.size());
        } else if (const auto* x = std::get_if<zagent::ProcessExit>(&e.body)) {
          sum += x->pid + static_cast<int64_t>(x->comm.size());
        }
      }
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(max_ts);
    cpu.stop();
  }
  if (rows != c.rows || damage) {
    state.SkipWithError("the journal did not read back whole");
    return;
  }
  scan_counters(state, c, cpu.per_iteration(state));
  cpu.report_faults(state);
}

// ---------------------------------------------------------------- windows

// Sums the events the block trailers of a journal directory count, without
// decompressing anything; 0 when it is damaged or missing.
uint64_t trailer_event_count(const std::string& dir) {
  uint64_t events = 0;
  bool damaged = false;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  for (const std::string& path : zagent::JournalReader::list_segments(dir)) {
    zagent::MappedFile file(path);
    zagent::SegmentScanner scanner(path, file.bytes(), [&damaged](const zagent::Damage&) { damaged = true; });
    zagent::SegmentScanner::Item item;
    while ((item = scanner.next()) != zagent::SegmentScanner::Item::Done)
      if (item == zagent::SegmentScanner::Item::Block) events += scanner.block().trailer.event_count;
  }
  return damaged ? 0 : events;
}

struct WindowCorpus {
  std::string journal;
  size_t events = 0;
  int64_t step_ns = 0;  // between consecutive events
  size_t segments = 0;
  uint64_t bytes = 0;  // all segment files

  WindowCorpus() {
    events = window_events();
    step_ns = kDayNs / static_cast<int64_t>(events);
    std::error_code ec;
    journal = scratch_base() + "/zagent-bench-window-" + kWindowFormat + "-" + std::to_string(events);
    const std::string marker = journal + ".complete";

    // The marker holds how many events the trailers must count (the
    // writer's own rotation records included).
    uint64_t expected = 0;
    if (std::ifstream in(marker); in >> expected && expected >= events && trailer_event_count(journal) == expected) {
      measure();
      return;
    }
    fs::remove(marker, ec);
    fs::remove_all(journal, ec);
    std::fprintf(stderr, "writing the %zu-event window journal to %s (once; kept for later runs)\n", events,
                 journal.c_str());
    const auto started = std::chrono::steady_clock::now();
    int64_t ts = kStartTs;
    uint64_t written = 0;
    {
      zagent::JournalWriter writer(writer_options(journal, &ts));
      zagent::testing::SampleEvents sample(kSeed);
      for (size_t i = 0; i < events; ++i) {
        ts = kStartTs + static_cast<int64_t>(i) * step_ns;
        writer.append(ts, sample.next_body());
      }
      writer.close();
      written = writer.stats().events_written;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (trailer_event_count(journal) != written) throw std::runtime_error("the window journal did not verify");
    std::ofstream(marker) << written << "\n";
    std::fprintf(stderr, "wrote %llu events in %.1f s\n", static_cast<unsigned long long>(written), seconds);
    measure();
  }

  void measure() {
    const auto files = zagent::JournalReader::list_segments(journal);
    segments = files.size();
    for (const std::string& f : files) bytes += fs::file_size(f);
  }

  // The start of the one-minute window at `percent` of the day.
  int64_t window_start(int percent) const { return kStartTs + kDayNs / 100 * percent; }
};

const WindowCorpus& window_corpus() {
  static const WindowCorpus c;
  return c;
}

std::string window_sql(int64_t since, int64_t until) {
  return "SELECT count(*) FROM process_events WHERE time >= " + std::to_string(since) +
         " AND time < " + std::to_string(until);
}

struct ReaderCount {
  uint64_t rows = 0;
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;
  uint64_t damage = 0;
};

ReaderCount reader_count(const std::string& journal, int64_t since, int64_t until) {
  zagent::ReadOptions options;
  options.since_ts = since;
  options.until_ts = until;
  options.type_mask = kProcessTypes;
  options.remember_scans = true;  // as the query engine reads
  ReaderCount r;
  zagent::JournalReader reader({journal}, options, [&r](const zagent::Damage&) { ++r.damage; });
  zagent::ReadBlock block;
  while (reader.next_block(&block)) r.rows += block.events.size();
  r.blocks_read = reader.stats().blocks_read;
  r.blocks_skipped = reader.stats().blocks_skipped;
  return r;
}

void window_counters(benchmark::State& state, const WindowCorpus& c, uint64_t rows, uint64_t blocks_read,
                     double cpu_per_iter) {
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["blocks_read"] = static_cast<double>(blocks_read);
  state.counters["journal_events"] = static_cast<double>(c.events);
  state.counters["segments"] = static_cast<double>(c.segments);
  state.counters["journal_MB"] = static_cast<double>(c.bytes) / 1e6;
  state.counters["cpu_ms_per_query"] = cpu_per_iter * 1e3;
}

void BM_WindowReader(benchmark::State& state, int percent) {
  const WindowCorpus& c = window_corpus();
  const int64_t since = c.window_start(percent);
  ReaderCount r;
  CpuTimer cpu;
  for (auto _ : state) {
    cpu.start();
    r = reader_count(c.journal, since, since + kMinuteNs);
    cpu.stop();
  }
  if (r.damage || r.rows == 0) {
    state.SkipWithError("the window read nothing or met damage");
    return;
  }
  const double per = cpu.per_iteration(state);
  cpu_per_iteration()["window/" + std::to_string(percent)] = per;
  window_counters(state, c, r.rows, r.blocks_read, per);
  cpu.report_faults(state);
  state.counters["blocks_skipped"] = static_cast<double>(r.blocks_skipped);
}

void BM_WindowSql(benchmark::State& state, int percent, bool fresh_engine) {
  const WindowCorpus& c = window_corpus();
  const int64_t since = c.window_start(percent);
  const std::string sql = window_sql(since, since + kMinuteNs);
  const ReaderCount expected = reader_count(c.journal, since, since + kMinuteNs);
  std::unique_ptr<QueryEngine> engine;
  if (!fresh_engine) engine = std::make_unique<QueryEngine>(context_of(c.journal), zagent::tables::QueryLimits{});
  LastRowSink sink;
  zagent::tables::QueryStats stats;
  CpuTimer cpu;
  for (auto _ : state) {
    cpu.start();
    if (fresh_engine) {
      QueryEngine e(context_of(c.journal), zagent::tables::QueryLimits{});
      stats = e.run(sql, sink);
    } else {
      stats = engine->run(sql, sink);
    }
    cpu.stop();
  }
  if (static_cast<uint64_t>(first_int(sink.last)) != expected.rows || stats.scan.damage_reports) {
    state.SkipWithError("SQL and JournalReader disagree on the window");
    return;
  }
  const double per = cpu.per_iteration(state);
  window_counters(state, c, expected.rows, stats.scan.blocks_read, per);
  cpu.report_faults(state);
  state.counters["blocks_skipped"] = static_cast<double>(stats.scan.blocks_skipped);
  const auto& m = cpu_per_iteration();
  if (auto it = m.find("window/" + std::to_string(percent)); it != m.end())
    state.counters["sql_over_reader"] = per / it->second;
}

void BM_EngineCreate(benchmark::State& state) {
  const WindowCorpus& c = window_corpus();
  for (auto _ : state) {
    QueryEngine e(context_of(c.journal), zagent::tables::QueryLimits{});
    benchmark::DoNotOptimize(&e);
  }
}

// A window before the first event: no block is read, every trailer is walked.
void BM_WindowTrailers(benchmark::State& state) {
  const WindowCorpus& c = window_corpus();
  ReaderCount r;
  CpuTimer cpu;
  for (auto _ : state) {
    cpu.start();
    r = reader_count(c.journal, kStartTs - 2 * kMinuteNs, kStartTs - kMinuteNs);
    cpu.stop();
  }
  if (r.rows != 0 || r.blocks_read != 0) {
    state.SkipWithError("a window before the journal read something");
    return;
  }
  state.counters["blocks_skipped"] = static_cast<double>(r.blocks_skipped);
  state.counters["journal_events"] = static_cast<double>(c.events);
  cpu.report_faults(state);
}

void register_all() {
  using benchmark::RegisterBenchmark;
  const std::pair<const char*, const char*> queries[] = {{"agg", kScanQuery}, {"rows", kCountQuery}};
  for (Mix mix : {Mix::All, Mix::ProcessOnly}) {
    const std::string m = mix_name(mix);
    for (const auto& [qname, sql] : queries) {
      const std::string key = m + "/" + qname;
      const char* q = sql;
      RegisterBenchmark(("Scan/native/" + key).c_str(),
                        [mix, q, key](benchmark::State& s) { BM_ScanNative(s, mix, q, key); })
          ->Unit(benchmark::kMillisecond)
          ->MinTime(2);
      RegisterBenchmark(("Scan/virtual/" + key).c_str(),
                        [mix, q, key](benchmark::State& s) { BM_ScanVirtual(s, mix, q, key); })
          ->Unit(benchmark::kMillisecond)
          ->MinTime(2);
    }
    RegisterBenchmark(("Scan/decode/" + m).c_str(), [mix](benchmark::State& s) { BM_ScanDecode(s, mix, false); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2);
    RegisterBenchmark(("Scan/getters/" + m).c_str(), [mix](benchmark::State& s) { BM_ScanDecode(s, mix, true); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2);
  }
  for (int percent : {1, 50, 99}) {
    const std::string p = "pos:" + std::to_string(percent);
    RegisterBenchmark(("Window/reader/" + p).c_str(), [percent](benchmark::State& s) { BM_WindowReader(s, percent); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1);
    RegisterBenchmark(("Window/sql/" + p).c_str(),
                      [percent](benchmark::State& s) { BM_WindowSql(s, percent, false); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1);
    RegisterBenchmark(("Window/sql_fresh/" + p).c_str(),
                      [percent](benchmark::State& s) { BM_WindowSql(s, percent, true); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1);
  }
  RegisterBenchmark("Window/engine", BM_EngineCreate)->Unit(benchmark::kMicrosecond)->MinTime(1);
  RegisterBenchmark("Window/trailers", BM_WindowTrailers)->Unit(benchmark::kMillisecond)->MinTime(1);
}

}  // namespace

int main(int argc, char** argv) {
  zagent::apply_heap_policy();  // as the zagent process has it
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
