// zagent: the record-and-replay host sensor for Zeek.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"
#include "journal/heap_policy.h"
#include "journal/error.h"

int main(int argc, char** argv) {
  zagent::apply_heap_policy();
  CLI::App app{"zagent: a record-and-replay forensic host sensor for Zeek"};
  app.set_version_flag("--version", std::string("zagent ") + ZAGENT_VERSION);
  app.require_subcommand(1);
  int exit_code = zagent::cli::kExitOk;
  zagent::cli::add_run_command(app, &exit_code);
  zagent::cli::add_info_command(app, &exit_code);
  zagent::cli::add_cat_command(app, &exit_code);
  zagent::cli::add_verify_command(app, &exit_code);
  zagent::cli::add_export_command(app, &exit_code);
  zagent::cli::add_query_command(app, &exit_code);
  zagent::cli::add_shell_command(app, &exit_code);
  zagent::cli::add_tables_command(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : zagent::cli::kExitError;
  } catch (const zagent::Error& e) {
    std::fprintf(stderr, "zagent: %s\n", e.what());
    return zagent::cli::kExitError;
  }
  return exit_code;
}
