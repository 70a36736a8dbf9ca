// Test helper: everything a JournalReader gives for some inputs: the
// events, the damage it reported, and its counters.
#pragma once

#include <string>
#include <vector>

#include "journal/journal_reader.h"

namespace zagent::testing {

struct ReadResult {
  std::vector<Event> events;
  std::vector<Damage> damage;
  ReadStats stats;
};

ReadResult read_all(const std::vector<std::string>& inputs, ReadOptions options = {});

}  // namespace zagent::testing
