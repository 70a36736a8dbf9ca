// The SQL console behind `zagent shell`: reads statements, runs them through
// a runner and prints their results. It does not know where queries run (a
// local engine over journals, or a running agent over its socket): the
// command hands it a runner.
//
// Input is SQL ending in ';' (a statement may span lines; a ';' inside a
// string literal, a quoted name or a comment does not end it) or, at the
// start of a statement, a dot command:
//
//   .tables           the tables (SELECT name FROM zagent_tables ORDER BY name)
//   .schema [TABLE]   a table's columns as CREATE TABLE text (every table without TABLE)
//   .mode [MODE]      show or set the output mode: table, json or csv
//   .help             the dot commands
//   .quit, .exit      leave
//
// On a terminal the console reads with libedit (line editing, history kept
// in a file); otherwise it reads plain lines without a prompt, and its exit
// code tells a script whether every statement succeeded.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "agent/cli/result_printer.h"
#include "tables/query_engine.h"

namespace zagent::cli {

// True when `text` holds at least one statement and ends with ';' outside
// string literals, quoted names and comments, so it can run as it is.
bool sql_statement_complete(std::string_view text);

// True for a name the console passes into SQL: [A-Za-z_][A-Za-z0-9_]*.
bool is_sql_identifier(std::string_view name);

struct ConsoleOptions {
  OutputFormat format = OutputFormat::Table;
  // Where an interactive console keeps its history ("" for none). Created
  // 0600; a file that cannot be read or written only loses the history.
  std::string history_path;
  static constexpr int kHistoryEntries = 1000;
};

class SqlConsole {
 public:
  // Runs `sql` (one or more statements), handing the rows to `sink`;
  // throws Error when a statement fails.
  using Runner = std::function<void(const std::string& sql, tables::RowSink& sink)>;

  SqlConsole(Runner runner, ConsoleOptions options, std::FILE* in, std::FILE* out, std::FILE* err);

  // Reads and runs until end of input or .quit: with line editing and a
  // prompt when `in` is a terminal, plain lines otherwise. Returns the exit
  // code: kExitOk, or kExitError when not on a terminal and a statement or
  // dot command failed.
  int run();

  // The reading loops run() chooses between.
  int run_interactive();
  int run_script();

  // One line of input, without its line break. Returns false after .quit.
  bool feed_line(const std::string& line);
  // End of input: runs what is left of an unfinished statement.
  void finish_input();
  // True while a statement has begun but not ended: the continuation prompt.
  bool in_statement() const { return !pending_.empty(); }
  // How many statements and dot commands have failed so far.
  int failures() const { return failures_; }
  OutputFormat format() const { return options_.format; }

 private:
  void run_sql(const std::string& sql);
  void run_dot_command(std::string_view line);
  void show_tables();
  void show_schema(const std::string& table);
  void show_all_schemas();
  void fail(const std::string& message);

  Runner runner_;
  ConsoleOptions options_;
  std::FILE* in_;
  std::FILE* out_;
  std::FILE* err_;
  std::string pending_;  // the lines of an unfinished statement
  int failures_ = 0;
  bool quit_ = false;
};

}  // namespace zagent::cli
