// The query engine: one read-only SQLite connection with every table
// registered, guarded for use inside a root agent. An authorizer lets only
// reads through (no writes, ATTACH, schema or pragma changes, extension
// loading); each query has a CPU-time budget, a row cap and a memory bound,
// and stopping at one is an Error that names the limit. After any error the engine
// serves the next query as before.
//
// Not thread-safe: one engine per thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tables/query_context.h"
#include "tables/scan_stats.h"
#include "tables/table_schema.h"
#include "tables/value.h"

struct sqlite3;

namespace zagent::tables {

struct QueryLimits {
  double max_cpu_seconds = 10;  // per query; 0: none
  uint64_t max_rows = 0;        // per statement; 0: none
  // SQLite's heap, for sorting, grouping and temporary b-trees (kept in
  // memory: no temporary files). Process-wide, as SQLite has it; 0: none.
  int64_t max_memory_bytes = 0;
};

// Where a result column comes from: the table and column it reads as it
// is, or empty for an expression (count(*), a || b).
struct ColumnOrigin {
  std::string table;
  std::string column;
};

// Where a query's results go, statement by statement.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void columns(const std::vector<std::string>& names) = 0;
  // Right after columns(): where each comes from, for a sink that types
  // values by their table's schema (agent/zeek's results for Zeek).
  virtual void origins(const std::vector<ColumnOrigin>&) {}
  virtual void row(const Row& values) = 0;
};

struct QueryStats {
  ScanStats scan;
  uint64_t rows = 0;
  double cpu_seconds = 0;
};

class QueryEngine {
 public:
  // Throws Error when SQLite cannot be set up.
  QueryEngine(QueryContext context, QueryLimits limits);
  ~QueryEngine();
  QueryEngine(const QueryEngine&) = delete;
  QueryEngine& operator=(const QueryEngine&) = delete;

  // Runs the statements in `sql` one after the other, handing their rows to
  // `sink`. Throws Error on a SQL error, a refused statement or a limit;
  // rows already handed over stay handed over. `cancelled`, when given, is
  // asked every few ms of the query's CPU time whether whoever asked has
  // gone (the agent's query socket: a client that hung up); if so the query
  // stops as interrupted.
  QueryStats run(std::string_view sql, RowSink& sink, std::function<bool()> cancelled = {});

  // Stops the query running now: it fails with "query interrupted". Safe
  // from another thread or a signal handler (sqlite3_interrupt, an atomic
  // flag); without a query running it does nothing.
  void interrupt();

  const QueryLimits& limits() const { return limits_; }

  // Every table's schema, in name order: event tables and snapshot tables.
  static std::vector<TableSchema> schemas();

 private:
  static int authorize(void* self, int action, const char* a, const char* b, const char* db, const char* view);
  static int progress(void* self);

  QueryContext context_;
  QueryLimits limits_;
  ScanStats scan_;
  sqlite3* db_ = nullptr;
  std::string refusal_;        // why the authorizer said no
  int64_t cpu_deadline_ns_ = 0;  // thread CPU time at which the query stops; 0: none
  bool cpu_exceeded_ = false;
  std::atomic<bool> interrupted_{false};
  std::function<bool()> cancelled_;
  int64_t next_cancel_check_ns_ = 0;
};

}  // namespace zagent::tables
