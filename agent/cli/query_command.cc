// zagent query: SQL over journals, or over the running agent (--agent: the
// live host, the journal and the events not yet on disk). zagent tables:
// the tables and their columns, or docs/tables.md (--markdown).
#include <cstdio>
#include <memory>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"
#include "agent/cli/query_target.h"
#include "agent/cli/result_printer.h"
#include "journal/error.h"
#include "tables/table_reference.h"

namespace zagent::cli {
namespace {

struct QueryArgs {
  QueryTarget target;
  std::string sql;
  std::string format = "table";
  bool json = false;
  bool csv = false;
  bool stats = false;
};

int run_query(const QueryArgs& a) {
  OutputFormat format = parse_output_format(a.format);
  if (a.json) format = OutputFormat::Json;
  if (a.csv) format = OutputFormat::Csv;
  QueryRunner runner(a.target);
  auto printer = make_result_printer(format, stdout);
  QueryOutcome outcome;
  try {
    outcome = runner.run(a.sql, *printer);
  } catch (const Error&) {
    printer->finish();  // the rows that came before the error
    throw;
  }
  printer->finish();
  for (const auto& w : outcome.warnings) std::fprintf(stderr, "zagent: warning: %s\n", w.c_str());
  if (a.stats)
    std::fprintf(stderr, "zagent: %llu rows, %llu blocks read, %llu skipped, %.3f s CPU\n",
                 static_cast<unsigned long long>(outcome.rows), static_cast<unsigned long long>(outcome.blocks_read),
                 static_cast<unsigned long long>(outcome.blocks_skipped), outcome.cpu_seconds);
  return outcome.warnings.empty() ? kExitOk : kExitDamage;
}

}  // namespace

void add_query_command(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "Run SQL over journals or the running agent (docs/tables.md)");
  cmd->add_option("SQL", a->sql, "The statement(s) to run")->required();
  a->target.add_to(cmd);
  cmd->add_option("--format", a->format, "table (default), json (JSON lines) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_flag("--json", a->json, "Same as --format json");
  cmd->add_flag("--csv", a->csv, "Same as --format csv");
  cmd->add_flag("--stats", a->stats, "Print rows and journal blocks read on stderr");
  cmd->callback([a, exit_code] { *exit_code = run_query(*a); });
}

void add_tables_command(CLI::App& app, int* exit_code) {
  auto markdown = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("tables", "List the SQL tables and their columns");
  cmd->add_flag("--markdown", *markdown, "Print the table reference as Markdown (docs/tables.md is this output)");
  cmd->callback([markdown, exit_code] {
    const std::string text = *markdown ? tables::table_reference_markdown() : tables::table_reference_text();
    std::fwrite(text.data(), 1, text.size(), stdout);
    *exit_code = kExitOk;
  });
}

}  // namespace zagent::cli
