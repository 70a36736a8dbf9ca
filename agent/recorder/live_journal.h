// What query threads may see of the running recorder: the journal writer's
// events not yet on disk and the recorder's counters. The recorder holds
// the lock while it works (one loop turn) and lets go while it waits for
// the sensors, so a query copies a consistent tail in microseconds and
// never slows recording by more than that.
#pragma once

#include <mutex>

#include "agent/recorder/recorder.h"
#include "tables/query_context.h"

namespace zagent {

class LiveJournal {
 public:
  // Query side (any thread).
  tables::LiveTail tail() const;
  tables::AgentStatus status() const;

  // Recorder side.
  std::unique_lock<std::mutex> hold() const { return std::unique_lock<std::mutex>(mutex_); }
  // Under hold(): the writer and counters to show from now on, or none.
  void attach(const JournalWriter* writer, const RecorderStats* stats, int64_t started_ts);
  void detach();

 private:
  mutable std::mutex mutex_;
  const JournalWriter* writer_ = nullptr;
  const RecorderStats* stats_ = nullptr;
  int64_t started_ts_ = 0;
};

}  // namespace zagent
