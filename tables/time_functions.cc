#include "tables/time_functions.h"

#include <sqlite3.h>

#include <string>

#include "journal/error.h"
#include "journal/timestamp.h"

namespace zagent::tables {
namespace {

void time_ns(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  try {
    sqlite3_result_int64(ctx, parse_time(std::string(text, static_cast<size_t>(sqlite3_value_bytes(argv[0])))));
  } catch (const Error& e) {
    sqlite3_result_error(ctx, (std::string("time_ns: ") + e.what()).c_str(), -1);
  }
}

void time_text(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER) return sqlite3_result_null(ctx);
  const std::string text = format_rfc3339(sqlite3_value_int64(argv[0]));
  sqlite3_result_text(ctx, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

void register_time_functions(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(db, "time_ns", 1, kFlags, nullptr, time_ns, nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(db, "time_text", 1, kFlags, nullptr, time_text, nullptr, nullptr, nullptr) !=
          SQLITE_OK)
    throw Error(std::string("cannot register the time functions: ") + sqlite3_errmsg(db));
}

}  // namespace zagent::tables
