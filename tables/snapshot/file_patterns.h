// What the files_list, files_lines and files_columns tables share: their
// text arguments, the glob(3) pattern that selects files, and reading the
// selected files' lines within bounds, so that a query on /var/log/* cannot
// exhaust the agent's memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tables/value.h"

namespace zagent::tables::files {

// A file larger than this is skipped (no rows).
inline constexpr size_t kMaxFileBytes = 4u << 20;
// A query whose files hold more bytes or lines than these fails with an error
// asking for a narrower pattern: rows silently missing would be worse.
inline constexpr size_t kMaxTotalBytes = 16u << 20;
inline constexpr size_t kMaxTotalLines = 100'000;

// The bounds as the tables' documentation states them.
std::string bounds_doc();

// Argument i of a query, null when absent.
const Value& argument(const std::vector<Value>& arguments, size_t i);

// The text of argument `name` of `table`: `fallback` when the query gave
// none. Throws Error naming the argument when it is missing without a
// fallback, or not text.
std::string text_argument(std::string_view table, std::string_view name, const Value& value,
                          const std::optional<std::string>& fallback = std::nullopt);

// The paths that an absolute glob(3) pattern (with {a,b} braces) matches,
// sorted; none when nothing matches. Throws Error for a relative pattern.
std::vector<std::string> glob_paths(std::string_view table, const std::string& pattern);

// Reads the lines of the files of one query, counting against its bounds.
class LineReader {
 public:
  LineReader(std::string_view table, std::string_view pattern) : table_(table), pattern_(pattern) {}

  // Calls f(number, line) for each line of the file, numbered from 1, without
  // its '\n' (a last line without one counts too). Returns false, calling
  // nothing, when the path is not a readable regular file of at most
  // kMaxFileBytes. Throws Error when the query passes a total bound.
  bool read(const std::string& path, const std::function<void(int64_t number, std::string_view line)>& f);

 private:
  std::string table_;
  std::string pattern_;
  size_t total_bytes_ = 0;
  size_t total_lines_ = 0;
};

inline constexpr std::string_view kWhiteSpace = " \t\n\v\f\r";

// `s` without leading and trailing kWhiteSpace.
std::string_view trim(std::string_view s);

}  // namespace zagent::tables::files
