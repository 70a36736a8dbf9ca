// zagent shell: an interactive SQL console (agent/cli/sql_console.h) over the
// journals given, or over a running agent with --agent. Piped input runs as
// a script: `echo 'SELECT 1;' | zagent shell` exits 2 if a statement failed.
// Ctrl-C stops the statement running, not the shell.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "agent/cli/commands.h"
#include "agent/cli/interrupt_guard.h"
#include "agent/cli/journal_options.h"
#include "agent/cli/query_target.h"
#include "agent/cli/result_printer.h"
#include "agent/cli/sql_console.h"

namespace zagent::cli {

namespace {

struct ShellArgs {
  QueryTarget target;
  std::string mode = "table";
};

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.zagent_history" : "";
}

int run_shell(const ShellArgs& args) {
  ConsoleOptions options;
  options.format = parse_output_format(args.mode);
  options.history_path = history_path();

  QueryRunner runner(args.target);
  SqlConsole console(
      [&runner](const std::string& sql, tables::RowSink& sink) {
        const InterruptGuard ctrl_c(runner);  // Ctrl-C stops the query, not the shell
        for (const auto& w : runner.run(sql, sink).warnings) std::fprintf(stderr, "zagent: warning: %s\n", w.c_str());
      },
      std::move(options), stdin, stdout, stderr);
  return console.run();
}

}  // namespace

void add_shell_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ShellArgs>();
  CLI::App* cmd = app.add_subcommand("shell", "An interactive SQL console over journals and the live host");
  args->target.add_to(cmd);
  cmd->add_option("--mode", args->mode, "Output mode: table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->callback([args, exit_code] { *exit_code = run_shell(*args); });
}

}  // namespace zagent::cli
