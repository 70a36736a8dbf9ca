// A journal of sample events for the host event stream's tests: n events
// one second apart from kStreamT0, blocks of 7, optionally small segments
// and a retention bound (so that the writer itself deletes the oldest).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "journal/journal_writer.h"
#include "tests/support/sample_events.h"
#include "tests/support/writer_options.h"

namespace zagent::testing {

constexpr int64_t kStreamT0 = 1'790'000'000'000'000'000;

struct Retention {
  uint64_t rotate_bytes = 0;  // 0: the test default
  uint64_t retain_bytes = 0;
};

// The seq and type of each event written, in order.
inline std::vector<std::pair<uint64_t, EventType>> write_stream_journal(const std::string& dir, int n,
                                                                        Retention retention = {}) {
  int64_t clock = kStreamT0;
  WriterOptions o = test_writer_options(dir, &clock);
  o.block_events = 7;
  if (retention.rotate_bytes) o.rotate_bytes = retention.rotate_bytes;
  if (retention.retain_bytes) o.retain_bytes = retention.retain_bytes;
  JournalWriter w(o);
  SampleEvents sample(3);
  std::vector<std::pair<uint64_t, EventType>> written;
  for (int i = 0; i < n; ++i) {
    EventBody body = sample.next_body();
    const auto type = static_cast<EventType>(body.index());
    written.emplace_back(w.append(clock, std::move(body)), type);
    clock += 1'000'000'000;
  }
  w.close();
  return written;
}

}  // namespace zagent::testing
