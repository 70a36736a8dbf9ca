#include "agent/cli/query_target.h"

#include <filesystem>

#include "journal/error.h"

namespace zagent::cli {
namespace {

constexpr const char* kDefaultJournal = "/var/lib/zagent/journal";

// The journals given, or the agent's default journal when it is there. A
// journal given that does not exist is an error, not an empty table.
std::vector<std::string> journals_to_read(const std::vector<std::string>& given) {
  std::error_code ec;
  for (const std::string& journal : given) {
    if (!std::filesystem::exists(journal, ec))
      throw Error("cannot open the journal " + journal + ": " +
                  (ec ? ec.message() : std::string("no such file or directory")));
  }
  if (!given.empty()) return given;
  if (std::filesystem::exists(kDefaultJournal, ec)) return {kDefaultJournal};
  if (ec)  // there, but out of reach: a user without access to root's journal
    std::fprintf(stderr, "zagent: warning: %s: %s; the event tables are empty\n", kDefaultJournal,
                 ec.message().c_str());
  return {};
}

}  // namespace

void QueryTarget::add_to(CLI::App* cmd) {
  cmd->add_option("-j,--journal", journals,
                  std::string("A journal directory or segment file for the event tables; repeat for more "
                              "(default ") + kDefaultJournal + " when it exists)");
  auto* agent_flag =
      cmd->add_flag("--agent", agent, "Ask the running agent: the live host and its events not yet on disk (root)");
  cmd->add_option("--socket", socket, "The agent's query socket (default /run/zagent/query.sock)")->needs(agent_flag);
  cmd->add_option("--max-cpu", max_cpu, "CPU seconds a query may use (default 10; 0: no limit; the agent has its own)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-rows", max_rows, "Rows a statement may return (default 0: no limit; the agent has its own)");
}

QueryRunner::QueryRunner(const QueryTarget& target) {
  if (target.agent) {
    if (!target.journals.empty()) throw Error("--journal and --agent exclude each other: the agent reads its own");
    socket_ = target.socket;
    client_ = std::make_unique<query::QueryClient>(socket_);
    return;
  }
  tables::QueryContext context;
  context.journals = journals_to_read(target.journals);
  engine_ = std::make_unique<tables::QueryEngine>(std::move(context),
                                                  tables::QueryLimits{target.max_cpu, target.max_rows});
}

QueryRunner::~QueryRunner() = default;

void QueryRunner::interrupt() {
  if (engine_) engine_->interrupt();
  if (client_) client_->interrupt();
}

QueryOutcome QueryRunner::run(const std::string& sql, tables::RowSink& sink) {
  QueryOutcome out;
  if (client_) {
    if (client_->interrupted()) client_ = std::make_unique<query::QueryClient>(socket_);
    const query::RemoteStats s = client_->run(sql, sink);
    out.rows = s.rows;
    out.blocks_read = s.blocks_read;
    out.blocks_skipped = s.blocks_skipped;
    out.warnings = s.warnings;
    return out;
  }
  const tables::QueryStats s = engine_->run(sql, sink);
  out.rows = s.rows;
  out.blocks_read = s.scan.blocks_read;
  out.blocks_skipped = s.scan.blocks_skipped;
  out.cpu_seconds = s.cpu_seconds;
  for (const Damage& d : s.scan.damage) out.warnings.push_back(d.to_string());
  if (s.scan.damage_reports > s.scan.damage.size())
    out.warnings.push_back(std::to_string(s.scan.damage_reports - s.scan.damage.size()) + " more damage reports");
  return out;
}

}  // namespace zagent::cli
