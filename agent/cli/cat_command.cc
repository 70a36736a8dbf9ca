// zagent cat: events as JSON lines (docs/json-format.md), in journal order.
#include <cstdio>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"
#include "journal/error.h"
#include "journal/event_json.h"

namespace zagent::cli {

namespace {

int run_cat(const JournalOptions& opts) {
  DamageLog damage;
  JournalReader reader(opts.inputs, opts.read_options(), damage.reporter());
  ReadBlock block;
  std::string line;
  line.reserve(1 << 16);
  try {
    while (reader.next_block(&block)) {
      const std::string_view host =
          block.segment ? std::string_view(block.segment->header.host_name) : std::string_view();
      for (const Event& e : block.events) {
        append_event_json(e, host, &line);
        line.push_back('\n');
        if (line.size() >= (1 << 16)) {
          std::fwrite(line.data(), 1, line.size(), stdout);
          line.clear();
        }
      }
    }
  } catch (const Error&) {
    // A later input failed: what the earlier ones held is still printed.
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    throw;
  }
  std::fwrite(line.data(), 1, line.size(), stdout);
  if (std::fflush(stdout) != 0) return kExitError;
  return damage.count() ? kExitDamage : kExitOk;
}

}  // namespace

void add_cat_command(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<JournalOptions>();
  CLI::App* cmd = app.add_subcommand("cat", "Print events as JSON lines, one event per line");
  opts->add_to(cmd, true);
  cmd->callback([opts, exit_code] { *exit_code = run_cat(*opts); });
}

}  // namespace zagent::cli
