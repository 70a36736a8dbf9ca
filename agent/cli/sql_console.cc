#include "agent/cli/sql_console.h"

#include <editline/readline.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include "agent/cli/journal_options.h"
#include "journal/error.h"

namespace zagent::cli {
namespace {

constexpr const char* kPrompt = "zagent> ";
constexpr const char* kContinuationPrompt = "   ...> ";
constexpr const char* kTablesQuery = "SELECT name FROM zagent_tables ORDER BY name";

constexpr const char* kHelp =
    "Statements are SQL ending in ';' and may span lines. Dot commands:\n"
    "  .tables           list the tables\n"
    "  .schema [TABLE]   show a table's columns (every table without TABLE)\n"
    "  .mode [MODE]      show or set the output mode: table, json or csv\n"
    "  .help             show this text\n"
    "  .quit, .exit      leave (so does Ctrl-D)\n";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) words.emplace_back(s.substr(start, i - start));
  }
  return words;
}

// What a scan of SQL text found at its end.
struct SqlScan {
  bool open = false;         // inside a string literal, quoted name or /* comment */
  bool significant = false;  // holds something other than white space and comments
  char last = 0;             // the last character outside comments and white space
};

// SQLite's lexical rules, as far as they decide where a statement ends:
// '...' literals and "...", `...` names with the quote doubled inside,
// [...] names, -- comments to the end of the line and /* */ comments.
SqlScan scan_sql(std::string_view text) {
  enum class State { Code, Quoted, Bracket, LineComment, BlockComment };
  State state = State::Code;
  char quote = 0;
  SqlScan scan;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : 0;
    switch (state) {
      case State::Code:
        if (c == '-' && next == '-') {
          state = State::LineComment;
          ++i;
        } else if (c == '/' && next == '*') {
          state = State::BlockComment;
          ++i;
        } else if (!is_space(c)) {
          scan.significant = true;
          scan.last = c;
          if (c == '\'' || c == '"' || c == '`') {
            state = State::Quoted;
            quote = c;
          } else if (c == '[') {
            state = State::Bracket;
          }
        }
        break;
      case State::Quoted:
        // A doubled quote leaves and re-enters at once: the escape needs no case of its own.
        if (c == quote) state = State::Code;
        scan.last = c;
        break;
      case State::Bracket:
        if (c == ']') state = State::Code;
        scan.last = c;
        break;
      case State::LineComment:
        if (c == '\n') state = State::Code;
        break;
      case State::BlockComment:
        if (c == '*' && next == '/') {
          state = State::Code;
          ++i;
        }
        break;
    }
  }
  scan.open = state == State::Quoted || state == State::Bracket || state == State::BlockComment;
  return scan;
}

// Collects a statement's rows, for the dot commands that shape them themselves.
class RowCollector : public tables::RowSink {
 public:
  void columns(const std::vector<std::string>&) override {}
  void row(const tables::Row& values) override { rows.push_back(values); }
  std::vector<tables::Row> rows;
};

std::string text_of(const tables::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  return "";
}

std::string quoted_name(const std::string& name) {
  if (is_sql_identifier(name)) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write(std::FILE* f, const std::string& s) { std::fwrite(s.data(), 1, s.size(), f); }

// Creates the history file owner-only before libedit writes it with the
// umask's mode; an existing file keeps the mode its owner gave it.
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

// Tab completion: libedit calls plain functions, so the words live here
// while run_interactive() runs: the dot commands and, fetched at the first
// Tab, the table names.
std::vector<std::string>* g_completion_words = nullptr;
std::function<void()> g_load_table_names;

char* next_completion(const char* text, int state) {
  static size_t next = 0;
  if (state == 0) {
    next = 0;
    if (g_load_table_names) {
      g_load_table_names();
      g_load_table_names = nullptr;
    }
  }
  const size_t length = std::strlen(text);
  while (g_completion_words && next < g_completion_words->size()) {
    const std::string& word = (*g_completion_words)[next++];
    if (word.compare(0, length, text) == 0) return ::strdup(word.c_str());
  }
  return nullptr;
}

char** complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  return rl_completion_matches(text, next_completion);
}

}  // namespace

bool sql_statement_complete(std::string_view text) {
  const SqlScan scan = scan_sql(text);
  return !scan.open && scan.last == ';';
}

bool is_sql_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

SqlConsole::SqlConsole(Runner runner, ConsoleOptions options, std::FILE* in, std::FILE* out, std::FILE* err)
    : runner_(std::move(runner)), options_(std::move(options)), in_(in), out_(out), err_(err) {}

int SqlConsole::run() {
  const int fd = ::fileno(in_);
  return fd >= 0 && ::isatty(fd) ? run_interactive() : run_script();
}

int SqlConsole::run_script() {
  char* buffer = nullptr;
  size_t capacity = 0;
  ssize_t n;
  while (!quit_ && (n = ::getline(&buffer, &capacity, in_)) >= 0) {
    std::string line(buffer, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    feed_line(line);
  }
  std::free(buffer);
  if (!quit_ && std::ferror(in_)) fail(std::string("cannot read the input: ") + std::strerror(errno));
  if (!quit_) finish_input();
  return failures_ ? kExitError : kExitOk;
}

int SqlConsole::run_interactive() {
  rl_readline_name = "zagent";  // for "zagent:" lines in ~/.editrc
  rl_instream = in_;
  rl_outstream = out_;
  using_history();
  stifle_history(ConsoleOptions::kHistoryEntries);
  const std::string& history = options_.history_path;
  if (!history.empty()) {
    create_private_file(history);
    read_history(history.c_str());
  }
  std::vector<std::string> words = {".exit", ".help", ".mode", ".quit", ".schema", ".tables",
                                    "table", "json", "csv"};
  g_completion_words = &words;
  g_load_table_names = [this, &words] {
    RowCollector names;
    try {
      runner_(kTablesQuery, names);
    } catch (const std::exception&) {
      return;  // no names to offer; the dot commands still complete
    }
    for (const auto& row : names.rows)
      if (!row.empty()) words.push_back(text_of(row[0]));
  };
  rl_attempted_completion_function = complete;

  std::fprintf(out_, "zagent shell: end statements with ';', enter .help for the dot commands\n");
  std::fflush(out_);
  std::string last_entry;
  while (!quit_) {
    char* raw = readline(in_statement() ? kContinuationPrompt : kPrompt);
    if (!raw) {
      std::fputc('\n', out_);  // Ctrl-D leaves the cursor after the prompt
      break;
    }
    const std::string line(raw);
    std::free(raw);
    if (!trim(line).empty() && line != last_entry) {
      add_history(line.c_str());
      last_entry = line;
      // Saved at once: a shell ended by a signal keeps what was typed.
      if (!history.empty()) write_history(history.c_str());
    }
    feed_line(line);
  }
  if (!quit_) finish_input();
  rl_attempted_completion_function = nullptr;
  g_completion_words = nullptr;
  g_load_table_names = nullptr;
  return kExitOk;
}

bool SqlConsole::feed_line(const std::string& line) {
  if (quit_) return false;
  if (pending_.empty()) {
    const std::string_view text = trim(line);
    if (text.empty()) return true;
    if (text.front() == '.') {
      run_dot_command(text);
      return !quit_;
    }
  }
  pending_ += line;
  pending_ += '\n';
  const SqlScan scan = scan_sql(pending_);
  if (!scan.open && !scan.significant) {
    pending_.clear();  // only comments
  } else if (!scan.open && scan.last == ';') {
    std::string sql = std::move(pending_);
    pending_.clear();
    sql.pop_back();  // the line break added above
    run_sql(sql);
  }
  return true;
}

void SqlConsole::finish_input() {
  if (pending_.empty()) return;
  std::string sql = std::move(pending_);
  pending_.clear();
  sql.pop_back();
  run_sql(sql);
}

void SqlConsole::run_sql(const std::string& sql) {
  const std::unique_ptr<ResultPrinter> printer = make_result_printer(options_.format, out_);
  try {
    runner_(sql, *printer);
  } catch (const std::exception& e) {
    printer->finish();  // the rows that came before the error
    fail(e.what());
    return;
  }
  printer->finish();
}

void SqlConsole::run_dot_command(std::string_view line) {
  // A ';' out of habit ends the command, as it would a statement.
  if (line.back() == ';') line.remove_suffix(1);
  const std::vector<std::string> words = split_words(line);
  const std::string& name = words.at(0);
  const size_t args = words.size() - 1;
  auto usage = [&](const char* text) { fail(std::string("usage: ") + text); };
  if (name == ".quit" || name == ".exit") {
    quit_ = true;
  } else if (name == ".help") {
    write(out_, kHelp);
    std::fflush(out_);
  } else if (name == ".tables") {
    if (args != 0) return usage(".tables");
    run_sql(kTablesQuery);
  } else if (name == ".schema") {
    if (args > 1) return usage(".schema [TABLE]");
    if (args == 0) return show_all_schemas();
    show_schema(words[1]);
  } else if (name == ".mode") {
    if (args > 1) return usage(".mode [table|json|csv]");
    if (args == 0) {
      static constexpr const char* kNames[] = {"table", "json", "csv"};
      std::fprintf(out_, "%s\n", kNames[static_cast<int>(options_.format)]);
      std::fflush(out_);
      return;
    }
    try {
      options_.format = parse_output_format(words[1]);
    } catch (const Error& e) {
      fail(e.what());
    }
  } else {
    fail("unknown command " + name + " (enter .help for the dot commands)");
  }
}

void SqlConsole::show_schema(const std::string& table) {
  // The name goes into SQL text: only identifiers, which need no quoting
  // inside the '...' literal.
  if (!is_sql_identifier(table))
    return fail("not a table name: '" + table + "' (letters, digits and '_' only)");
  RowCollector columns;
  try {
    runner_("SELECT name, type, hidden FROM pragma_table_xinfo('" + table + "') ORDER BY cid", columns);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (columns.rows.empty()) return fail("no such table: " + table);
  std::string text = "CREATE TABLE " + table + " (\n";
  for (size_t i = 0; i < columns.rows.size(); ++i) {
    const tables::Row& row = columns.rows[i];
    if (row.size() < 3) continue;
    text += "  " + quoted_name(text_of(row[0]));
    if (const std::string type = text_of(row[1]); !type.empty()) text += " " + type;
    // 1 is a virtual table's HIDDEN column; 2 and 3 are generated columns.
    if (const auto* hidden = std::get_if<int64_t>(&row[2]); hidden && *hidden == 1) text += " HIDDEN";
    text += i + 1 < columns.rows.size() ? ",\n" : "\n";
  }
  write(out_, text + ");\n");
  std::fflush(out_);
}

void SqlConsole::show_all_schemas() {
  RowCollector names;
  try {
    runner_(kTablesQuery, names);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  for (const auto& row : names.rows)
    if (!row.empty()) show_schema(text_of(row[0]));
}

void SqlConsole::fail(const std::string& message) {
  ++failures_;
  std::fflush(out_);
  std::fprintf(err_, "Error: %s\n", message.c_str());
  std::fflush(err_);
}

}  // namespace zagent::cli
