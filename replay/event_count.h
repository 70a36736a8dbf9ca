// How many events a replay would raise, counted before it writes anything,
// so that zagent-replay can refuse a script too large for Zeek to load
// (docs/replay.md, "Too many events for one Zeek") instead of letting Zeek run out of memory after
// minutes of parsing. Counting reads the blocks in place (block_rows.h)
// and skips by trailer whatever lies outside the window: far cheaper than
// the replay itself.
#pragma once

#include <cstdint>

#include "replay/replay_options.h"

namespace zagent::replay {

// zagent-replay's default --max-events: Zeek 7.0 takes about 145 s and
// 1.5 GB per million events of script (docs/performance.md, "Replay
// through Zeek"), so this is about 5 minutes and 3.3 GB.
constexpr uint64_t kDefaultMaxEvents = 2'000'000;

// The events of `options.inputs` that the replay would write, counting no
// further than `stop_after` + 1. Damage is not reported here: the replay
// reports it. Inputs must be readable twice (no "-": spool it first).
uint64_t count_replay_events(const ReplayOptions& options, uint64_t stop_after);

}  // namespace zagent::replay
