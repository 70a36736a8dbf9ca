// files_columns(pattern, columns, separator, ignore): chosen columns of the
// lines of the text files an absolute glob(3) pattern matches.
//
//   SELECT path, number, columns FROM files_columns('/etc/passwd', '$1:text,$3:count', ':')
//
// Columns and semantics as zeek-agent v2's files_columns
// (src/tables/files/files.h, files.posix.cc):
// - `columns` is a comma-separated list of `$N:type`: N counts the fields of
//   a line from 1, and $0 is the whole line unprocessed; type is one of
//   blob, count, int, real, text.
// - `separator` splits a line at each occurrence (empty fields kept); when
//   empty (the default) the line is split at runs of white space, ignoring
//   white space at its start and end.
// - `ignore` is an extended regular expression: matching lines give no row.
//   Default `^[ \t]*([#;]|$)`: comments and blank lines. Empty: none ignored.
// The result is a JSON array (zeek-agent v2's record) with one element per
// requested column: a number for count, int and real, a string for text and
// blob, null for a missing field or one that does not parse as the type.
// Where zeek-agent v2's parsing is loose, this is strict: the whole field
// must be the number ("12abc" is null, not 12) and a count is not negative.
// `number` is the line's number in its file.
#include <regex.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <iterator>
#include <utility>

#include "journal/error.h"
#include "journal/event_json.h"
#include "tables/snapshot/file_patterns.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

constexpr const char* kTable = "files_columns";
constexpr const char* kDefaultIgnore = "^[ \t]*([#;]|$)";

enum class FieldType { Blob, Count, Int, Real, Text };

constexpr std::pair<std::string_view, FieldType> kFieldTypes[] = {
    {"blob", FieldType::Blob}, {"count", FieldType::Count}, {"int", FieldType::Int},
    {"real", FieldType::Real}, {"text", FieldType::Text},
};

struct ColumnSpec {
  size_t field = 0;  // 0: the whole line
  FieldType type = FieldType::Text;
};

[[noreturn]] void bad_columns(const std::string& spec, const std::string& why) {
  throw Error(std::string(kTable) + ": _columns: " + why + " in '" + spec + "'");
}

std::vector<ColumnSpec> parse_columns(const std::string& spec) {
  std::vector<ColumnSpec> columns;
  std::string_view rest = spec;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = files::trim(rest.substr(0, comma));
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos) bad_columns(spec, "'" + std::string(item) + "' is not $N:type");
    const std::string_view number = files::trim(item.substr(0, colon));
    std::string type(files::trim(item.substr(colon + 1)));
    for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));  // as zeek-agent v2

    ColumnSpec c;
    const bool numbered = number.size() >= 2 && number[0] == '$' && [&] {
      const char* end = number.data() + number.size();
      const auto [ptr, ec] = std::from_chars(number.data() + 1, end, c.field);
      return ec == std::errc() && ptr == end;
    }();
    if (!numbered) {
      bad_columns(spec, "'" + std::string(number) + "' is not a column number $N");
    }
    const auto known =
        std::find_if(std::begin(kFieldTypes), std::end(kFieldTypes), [&](const auto& t) { return t.first == type; });
    if (known == std::end(kFieldTypes)) {
      bad_columns(spec, "unknown type '" + type + "' (blob, count, int, real or text)");
    }
    c.type = known->second;
    columns.push_back(c);

    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return columns;
}

std::vector<std::string_view> split_fields(std::string_view line, const std::string& separator) {
  std::vector<std::string_view> fields;
  if (separator.empty()) {
    size_t begin = line.find_first_not_of(files::kWhiteSpace);
    while (begin != std::string_view::npos) {
      const size_t end = std::min(line.find_first_of(files::kWhiteSpace, begin), line.size());
      fields.push_back(line.substr(begin, end - begin));
      begin = line.find_first_not_of(files::kWhiteSpace, end);
    }
    return fields;
  }
  while (true) {
    const size_t at = line.find(separator);
    fields.push_back(line.substr(0, at));
    if (at == std::string_view::npos) return fields;
    line.remove_prefix(at + separator.size());
  }
}

// Appends the field parsed as `type` to a JSON array under construction.
void append_value(std::string_view field, FieldType type, std::string* json) {
  const char* begin = field.data();
  const char* end = field.data() + field.size();
  switch (type) {
    case FieldType::Blob:
    case FieldType::Text:
      return append_json_string(field, json);
    case FieldType::Count:
    case FieldType::Int: {
      int64_t v = 0;
      // std::from_chars takes no '+'; std::stol, which zeek-agent v2 uses, does.
      if (field.size() > 1 && field[0] == '+' && std::isdigit(static_cast<unsigned char>(field[1]))) ++begin;
      const auto [ptr, ec] = std::from_chars(begin, end, v);
      if (field.empty() || ec != std::errc() || ptr != end || (type == FieldType::Count && v < 0)) break;
      *json += std::to_string(v);
      return;
    }
    case FieldType::Real: {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(begin, end, v);
      if (field.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) break;
      char text[32];
      *json += std::string_view(text, std::to_chars(text, text + sizeof text, v).ptr - text);
      return;
    }
  }
  *json += "null";
}

// A compiled `ignore` expression; none when it is empty.
class IgnorePattern {
 public:
  explicit IgnorePattern(const std::string& expression) {
    if (expression.empty()) return;
    if (::regcomp(&regex_, expression.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
      throw Error(std::string(kTable) + ": _ignore: invalid regular expression '" + expression + "'");
    }
    compiled_ = true;
  }
  ~IgnorePattern() {
    if (compiled_) ::regfree(&regex_);
  }
  IgnorePattern(const IgnorePattern&) = delete;
  IgnorePattern& operator=(const IgnorePattern&) = delete;

  bool matches(std::string_view line) const {
    return compiled_ && ::regexec(&regex_, std::string(line).c_str(), 0, nullptr, 0) == 0;
  }

 private:
  regex_t regex_{};
  bool compiled_ = false;
};

class FilesColumns final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        kTable,
        "chosen columns of the lines of the files matching a glob pattern, split at a separator (as zeek-agent "
        "v2's files_columns). " +
            files::bounds_doc(),
        {
            {"_pattern", ColumnType::Text,
             "glob(3) pattern matching the files of interest: absolute, with *, ?, [...] and {a,b}; required", true},
            {"_columns", ColumnType::Text,
             "the columns to extract, comma-separated `$N:type`: N from 1 ($0 the whole line), type blob, count, "
             "int, real or text; required",
             true},
            {"_separator", ColumnType::Text,
             "separator string to split lines at; empty (the default) for runs of white space", true},
            {"_ignore", ColumnType::Text,
             "extended regular expression matching lines to ignore; default `^[ \\t]*([#;]|$)` (comments and "
             "blank lines), empty to ignore none",
             true},
            {"path", ColumnType::Text, "absolute path"},
            {"number", ColumnType::Integer, "line number in the file, from 1"},
            {"columns", ColumnType::Text,
             "JSON array of the extracted columns in the order asked for: numbers for count, int and real, "
             "strings for text and blob; null for a missing field or one that is not of its type"},
        },
        "SELECT columns FROM files_columns('/etc/passwd', '$1:text,$3:count', ':')",
        {{"number", ZeekType::Count}, {"columns", ZeekType::Record}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>& arguments, const QueryContext&) override {
    const std::string pattern = files::text_argument(kTable, "_pattern", files::argument(arguments, 0));
    const std::string spec = files::text_argument(kTable, "_columns", files::argument(arguments, 1));
    const std::string separator = files::text_argument(kTable, "_separator", files::argument(arguments, 2), "");
    const IgnorePattern ignore(
        files::text_argument(kTable, "_ignore", files::argument(arguments, 3), std::string(kDefaultIgnore)));
    const std::vector<ColumnSpec> columns = parse_columns(spec);

    files::LineReader reader(kTable, pattern);
    std::vector<Row> rows;
    for (const std::string& path : files::glob_paths(kTable, pattern)) {
      reader.read(path, [&](int64_t number, std::string_view line) {
        if (ignore.matches(line)) return;
        const std::vector<std::string_view> fields = split_fields(line, separator);
        std::string json = "[";
        for (size_t i = 0; i < columns.size(); ++i) {
          if (i) json += ',';
          const ColumnSpec& c = columns[i];
          if (c.field == 0) {
            append_value(line, c.type, &json);
          } else if (c.field <= fields.size()) {
            append_value(fields[c.field - 1], c.type, &json);
          } else {
            json += "null";
          }
        }
        rows.push_back(Row{Value(), Value(), Value(), Value(), path, number, json + "]"});
      });
    }
    return rows;
  }
};

const SnapshotTableRegistration<FilesColumns> registration;

}  // namespace
}  // namespace zagent::tables
