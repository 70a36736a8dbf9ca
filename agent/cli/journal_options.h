// Options shared by the commands that read journals: the inputs, the time
// window, the event types, and how damage is reported on stderr.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "journal/damage.h"
#include "journal/journal_reader.h"

namespace zagent::cli {

// Exit codes of every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitDamage = 1;  // the journal is damaged; what was intact was used
inline constexpr int kExitError = 2;   // bad usage, unreadable input, failed write

struct JournalOptions {
  std::vector<std::string> inputs;
  std::string since;
  std::string until;
  std::string types;

  // Adds JOURNAL... (required) and, when `window`, --since/--until/--type.
  void add_to(CLI::App* cmd, bool window);
  // Parses the window into reader options; throws Error naming a bad value.
  ReadOptions read_options() const;
};

// Prints each damage report on stderr as "zagent: warning: ..." and counts them.
class DamageLog {
 public:
  DamageReporter reporter();
  uint64_t count() const { return count_; }

 private:
  uint64_t count_ = 0;
};

}  // namespace zagent::cli
