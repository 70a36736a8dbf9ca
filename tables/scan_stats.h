// What the event tables of one query read: the evidence that a window query
// touched only the blocks it overlaps, and the damage met on the way.
#pragma once

#include <cstdint>
#include <vector>

#include "journal/damage.h"

namespace zagent::tables {

struct ScanStats {
  uint64_t blocks_read = 0;     // decompressed and verified
  uint64_t blocks_skipped = 0;  // judged by their trailer only
  uint64_t blocks_damaged = 0;
  uint64_t tail_events = 0;     // rows from the writer's unflushed block
  uint64_t damage_reports = 0;
  std::vector<Damage> damage;   // the first kMaxDamage reports
  static constexpr size_t kMaxDamage = 100;
};

}  // namespace zagent::tables
