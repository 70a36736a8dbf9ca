#include "agent/cli/journal_options.h"

#include <cstdio>

#include "journal/timestamp.h"

namespace zagent::cli {

void JournalOptions::add_to(CLI::App* cmd, bool window) {
  cmd->add_option("journal", inputs,
                  "Journal directories, segment files, or '-' for standard input")
      ->required();
  if (!window) return;
  cmd->add_option("--since", since, "Only events at or after T (RFC 3339 or epoch seconds)");
  cmd->add_option("--until", until, "Only events before T (RFC 3339 or epoch seconds)");
  cmd->add_option("--type", types,
                  "Only these event types, comma-separated: process (all four), process_exec, "
                  "process_fork, process_exit, process_snapshot, socket, file, login, sensor");
}

ReadOptions JournalOptions::read_options() const {
  ReadOptions o;
  if (!since.empty()) o.since_ts = parse_time(since);
  if (!until.empty()) o.until_ts = parse_time(until);
  if (!types.empty()) o.type_mask = parse_type_mask(types);
  return o;
}

DamageReporter DamageLog::reporter() {
  return [this](const Damage& d) {
    ++count_;
    std::fprintf(stderr, "zagent: warning: %s\n", d.to_string().c_str());
  };
}

}  // namespace zagent::cli
