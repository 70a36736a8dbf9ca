#include "agent/recorder/live_journal.h"

#include <numeric>
#include <utility>

namespace zagent {

tables::LiveTail LiveJournal::tail() const {
  std::lock_guard<std::mutex> lock(mutex_);
  tables::LiveTail t;
  if (!writer_) {
    // Not recording (starting or stopped): everything is on disk.
    t.boundary = UINT64_MAX;
    return t;
  }
  const auto pending = writer_->pending();
  t.events.assign(pending.begin(), pending.end());
  t.boundary = t.events.empty() ? writer_->next_seq() : t.events.front().seq;
  t.host = writer_->options().host.host_name;
  t.boot_id = writer_->options().host.boot_id;
  if (writer_->has_segment()) t.segment = writer_->segment().path();
  return t;
}

uint64_t LiveJournal::next_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writer_ ? writer_->next_seq() : UINT64_MAX;
}

tables::AgentStatus LiveJournal::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  tables::AgentStatus s;
  s.started_ts = started_ts_;
  if (stats_) {
    s.events_recorded = std::accumulate(std::begin(stats_->events), std::end(stats_->events), uint64_t{0});
    s.events_lost = stats_->lost;
  }
  return s;
}

void LiveJournal::attach(const JournalWriter* writer, const RecorderStats* stats, int64_t started_ts) {
  writer_ = writer;
  stats_ = stats;
  started_ts_ = started_ts;
}

void LiveJournal::note(SensorEvent event) {
  std::lock_guard<std::mutex> lock(notes_mutex_);
  if (notes_.size() < kMaxNotes) {
    notes_.push_back(std::move(event));
  } else {
    ++notes_dropped_;
  }
}

std::vector<SensorEvent> LiveJournal::take_notes(uint64_t* dropped) {
  std::lock_guard<std::mutex> lock(notes_mutex_);
  *dropped = std::exchange(notes_dropped_, 0);
  return std::exchange(notes_, {});
}

void LiveJournal::detach() {
  writer_ = nullptr;
  stats_ = nullptr;
}

}  // namespace zagent
