// What zagent-replay reads and how: the journals, the window, the types,
// the hosts, the time shift. The window is in shifted time: the times the
// output shows.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "journal/journal_reader.h"

namespace zagent::replay {

struct ReplayOptions {
  std::vector<std::string> inputs;
  std::string since;
  std::string until;
  std::vector<std::string> types;  // names as --type takes them; each may be a comma list
  std::vector<std::string> hosts;  // host names; empty: every host
  std::string time_shift;

  // The reader's options, the window moved back by the shift so that it
  // selects by shifted time. Throws Error naming a bad value.
  ReadOptions read_options() const;
  int64_t shift_ns() const;
  bool wants_host(const std::string& host) const;
};

}  // namespace zagent::replay
