// The subcommands of zagent. Each adds itself to the app and returns the
// exit code through *exit_code when it runs.
#pragma once

#include <CLI/CLI.hpp>

namespace zagent::cli {

void add_info_command(CLI::App& app, int* exit_code);
void add_cat_command(CLI::App& app, int* exit_code);
void add_verify_command(CLI::App& app, int* exit_code);
void add_export_command(CLI::App& app, int* exit_code);
void add_run_command(CLI::App& app, int* exit_code);
void add_query_command(CLI::App& app, int* exit_code);
void add_shell_command(CLI::App& app, int* exit_code);
void add_tables_command(CLI::App& app, int* exit_code);

}  // namespace zagent::cli
