#include "tables/query_engine.h"

#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "journal/error.h"
#include "tables/event_module.h"
#include "tables/registered_tables.h"
#include "tables/snapshot_module.h"
#include "tables/time_functions.h"

namespace zagent::tables {
namespace {

int64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// Pragmas that only describe tables and functions.
const std::set<std::string_view> kReadOnlyPragmas = {"table_info", "table_xinfo", "function_list",
                                                     "module_list", "pragma_list"};

// How often (in virtual machine instructions) the CPU budget is checked.
constexpr int kProgressInterval = 10000;
// How often, in CPU time, a query asks whether its caller has gone.
constexpr int64_t kCancelCheckNs = 20'000'000;

std::string format_limit(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

Value column_value(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT:
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                         static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      return Blob{std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt, i)))};
    }
    default: return std::monostate{};
  }
}

}  // namespace

QueryEngine::QueryEngine(QueryContext context, QueryLimits limits)
    : context_(std::move(context)), limits_(limits) {
  // An empty in-memory database, opened read-only: there is nothing to
  // write to even if the authorizer let something through.
  const int rc = sqlite3_open_v2("file:zagent?mode=memory", &db_,
                                 SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw Error("cannot open the SQL engine: " + why);
  }
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, 64 << 20);
  sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
  try {
    register_event_tables(db_, &context_, &scan_);
    register_snapshot_tables(db_, &context_);
    register_time_functions(db_);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
  // Sorts and temporary tables stay in memory (bounded below): a root
  // agent's queries write no files.
  sqlite3_exec(db_, "PRAGMA temp_store = MEMORY", nullptr, nullptr, nullptr);
  if (limits_.max_memory_bytes > 0) sqlite3_hard_heap_limit64(limits_.max_memory_bytes);
  sqlite3_set_authorizer(db_, &QueryEngine::authorize, this);
  sqlite3_progress_handler(db_, kProgressInterval, &QueryEngine::progress, this);
}

QueryEngine::~QueryEngine() { sqlite3_close(db_); }

int QueryEngine::authorize(void* p, int action, const char* a, const char* b, const char*, const char*) {
  auto* self = static_cast<QueryEngine*>(p);
  const std::string_view arg1 = a ? a : "";
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (std::string_view(b ? b : "") != "load_extension") return SQLITE_OK;
      self->refusal_ = "load_extension() is refused: the query engine loads no extensions";
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      if (kReadOnlyPragmas.count(arg1)) return SQLITE_OK;
      self->refusal_ = "PRAGMA " + std::string(arg1) +
                       " is refused: the query engine is read-only (only table_info, table_xinfo, "
                       "function_list, module_list and pragma_list are allowed)";
      return SQLITE_DENY;
    case SQLITE_INSERT: self->refusal_ = "INSERT into " + std::string(arg1); break;
    case SQLITE_UPDATE:
      // Declaring a virtual table's columns updates the schema table as far
      // as the authorizer can tell. A user's own UPDATE of it fails anyway:
      // the database is read-only and in defensive mode.
      if (arg1 == "sqlite_master" || arg1 == "sqlite_temp_master") return SQLITE_OK;
      self->refusal_ = "UPDATE of " + std::string(arg1);
      break;
    case SQLITE_DELETE: self->refusal_ = "DELETE from " + std::string(arg1); break;
    case SQLITE_ATTACH: self->refusal_ = "ATTACH"; break;
    case SQLITE_DETACH: self->refusal_ = "DETACH"; break;
    case SQLITE_TRANSACTION: self->refusal_ = "a transaction"; break;
    case SQLITE_SAVEPOINT: self->refusal_ = "a savepoint"; break;
    default: self->refusal_ = "a statement that changes the schema or the database"; break;
  }
  self->refusal_ += " is refused: the query engine is read-only";
  return SQLITE_DENY;
}

int QueryEngine::progress(void* p) {
  auto* self = static_cast<QueryEngine*>(p);
  const int64_t now = thread_cpu_ns();
  if (self->cpu_deadline_ns_ && now > self->cpu_deadline_ns_) {
    self->cpu_exceeded_ = true;
    return 1;
  }
  if (self->cancelled_ && now >= self->next_cancel_check_ns_) {
    self->next_cancel_check_ns_ = now + kCancelCheckNs;
    if (self->cancelled_()) {
      self->interrupted_.store(true);
      return 1;
    }
  }
  return 0;
}

void QueryEngine::interrupt() {
  interrupted_.store(true);
  sqlite3_interrupt(db_);
}

QueryStats QueryEngine::run(std::string_view sql, RowSink& sink, std::function<bool()> cancelled) {
  QueryStats stats;
  cancelled_ = std::move(cancelled);
  next_cancel_check_ns_ = 0;
  scan_ = ScanStats{};
  refusal_.clear();
  cpu_exceeded_ = false;
  interrupted_.store(false);
  const int64_t start = thread_cpu_ns();
  cpu_deadline_ns_ = limits_.max_cpu_seconds > 0
                         ? start + static_cast<int64_t>(std::llround(limits_.max_cpu_seconds * 1e9))
                         : 0;
  const char* next = sql.data();
  const char* end = sql.data() + sql.size();
  auto finish = [&] {
    stats.scan = scan_;
    stats.cpu_seconds = static_cast<double>(thread_cpu_ns() - start) / 1e9;
  };
  // The message for a failed prepare or step, naming a limit if one stopped it.
  auto failure = [&]() -> Error {
    if (cpu_exceeded_)
      return Error("query stopped: it used more than " + format_limit(limits_.max_cpu_seconds) +
                   " s of CPU time (limit max_cpu_seconds)");
    if (!refusal_.empty()) return Error(refusal_);
    if (interrupted_.load() && sqlite3_errcode(db_) == SQLITE_INTERRUPT) return Error("query interrupted");
    if (sqlite3_errcode(db_) == SQLITE_NOMEM && limits_.max_memory_bytes > 0)
      return Error("query stopped: it needed more than " + std::to_string(limits_.max_memory_bytes) +
                   " bytes of memory (limit max_memory_bytes)");
    return Error(std::string("SQL error: ") + sqlite3_errmsg(db_));
  };
  while (next < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int prc = sqlite3_prepare_v3(db_, next, static_cast<int>(end - next), 0, &raw, &tail);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    if (prc != SQLITE_OK) {
      finish();
      throw failure();
    }
    next = tail;
    if (!stmt) continue;  // only whitespace or a comment
    const int n = sqlite3_column_count(stmt.get());
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.emplace_back(sqlite3_column_name(stmt.get(), i));
    sink.columns(names);
    std::vector<ColumnOrigin> origins(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const char* table = sqlite3_column_table_name(stmt.get(), i);
      const char* column = sqlite3_column_origin_name(stmt.get(), i);
      if (table && column) origins[static_cast<size_t>(i)] = {table, column};
    }
    sink.origins(origins);
    uint64_t rows = 0;
    Row row(static_cast<size_t>(n));
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      if (limits_.max_rows && ++rows > limits_.max_rows) {
        finish();
        throw Error("query stopped: more than " + std::to_string(limits_.max_rows) +
                    " rows (limit max_rows)");
      }
      for (int i = 0; i < n; ++i) row[static_cast<size_t>(i)] = column_value(stmt.get(), i);
      sink.row(row);
      ++stats.rows;
    }
    if (rc != SQLITE_DONE) {
      finish();
      throw failure();
    }
  }
  finish();
  return stats;
}

std::vector<TableSchema> QueryEngine::schemas() {
  std::vector<TableSchema> all;
  for (auto& t : registered_tables()) all.push_back(std::move(t.schema));
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
  return all;
}

}  // namespace zagent::tables
