// The zeek_agent table's journal figures: how many bytes and events the
// journals hold, their time span, and how many events the sensors lost. A
// status table must be cheap and must not fail, so the walk reads block
// trailers only (decoding just the blocks that hold sensor events, when
// losses are wanted), ignores damage, and skips files it cannot open (a
// segment that retention deleted meanwhile).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zagent::tables {

struct JournalFigures {
  uint64_t bytes = 0;             // of the segment files
  uint64_t events = 0;            // by the block trailers
  uint64_t lost = 0;              // the counters of EventsLost sensor events
  std::optional<int64_t> oldest;  // ts, ns since the epoch; none without events
  std::optional<int64_t> newest;
};

// `journals` as QueryContext::journals: directories or segment files.
JournalFigures journal_figures(const std::vector<std::string>& journals, bool count_lost);

}  // namespace zagent::tables
