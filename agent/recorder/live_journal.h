// What query threads may see of the running recorder: the journal writer's
// events not yet on disk and the recorder's counters. The recorder holds
// the lock while it works (one loop turn) and lets go while it waits for
// the sensors, so a query copies a consistent tail in microseconds and
// never slows recording by more than that. Other threads (the Zeek links)
// also leave it sensor events to record, such as a stream's gap.
#pragma once

#include <mutex>
#include <vector>

#include "agent/recorder/recorder.h"
#include "tables/query_context.h"

namespace zagent {

class LiveJournal {
 public:
  // Query side (any thread).
  tables::LiveTail tail() const;
  // The seq the writer will give next (UINT64_MAX when not recording):
  // tail()'s news without its copy.
  uint64_t next_seq() const;
  tables::AgentStatus status() const;

  // Recorder side.
  std::unique_lock<std::mutex> hold() const { return std::unique_lock<std::mutex>(mutex_); }
  // Under hold(): the writer and counters to show from now on, or none.
  void attach(const JournalWriter* writer, const RecorderStats* stats, int64_t started_ts);
  void detach();

  // Any thread: a sensor event for the recorder to record on its next loop
  // turn, stamped then. At most kMaxNotes wait; more are counted, not kept.
  void note(SensorEvent event);
  // Recorder side: the waiting notes, and how many were not kept.
  std::vector<SensorEvent> take_notes(uint64_t* dropped);
  static constexpr size_t kMaxNotes = 1000;

 private:
  mutable std::mutex mutex_;
  const JournalWriter* writer_ = nullptr;
  const RecorderStats* stats_ = nullptr;
  int64_t started_ts_ = 0;
  // Apart from mutex_, which the recorder holds while it works.
  std::mutex notes_mutex_;
  std::vector<SensorEvent> notes_;
  uint64_t notes_dropped_ = 0;
};

}  // namespace zagent
