#include "replay_source.h"

#include <zeek/Reporter.h>
#include <unistd.h>

#include "journal/error.h"

namespace zagent::zeek_plugin {

ReplaySource& ReplaySource::get() {
  static ReplaySource source;
  return source;
}

std::string ReplaySource::take_stdin() {
  auto reader = std::make_unique<replay::StreamReader>(STDIN_FILENO, "standard input", [](const std::string& w) {
    zeek::reporter->Warning("zagent-replay stream: %s", w.c_str());
  });
  std::string script;
  if (reader->read_head(&script)) reader_ = std::move(reader);
  return script;
}

bool ReplaySource::load_frame() {
  if (!reader_) return false;
  bool more = false;
  try {
    more = reader_->next(&batch_);
    if (!more && (reader_->skipped_frames() || !reader_->complete()))
      zeek::reporter->Warning("zagent-replay stream: %llu events read from it, %llu damaged frames skipped",
                              static_cast<unsigned long long>(reader_->events()),
                              static_cast<unsigned long long>(reader_->skipped_frames()));
  } catch (const Error& e) {
    zeek::reporter->Error("zagent-replay stream: %s", e.what());
  }
  if (!more) {  // the stream is done with
    reader_.reset();
    batch_ = {};
    return false;
  }
  next_ = 0;
  host_ = zeek::make_intrusive<zeek::StringVal>(batch_.host);
  boot_id_ = zeek::make_intrusive<zeek::StringVal>(batch_.boot_id);
  return true;
}

bool ReplaySource::pending() {
  while (next_ >= batch_.events.size())
    if (!load_frame()) return false;
  return true;
}

double ReplaySource::next_time() {
  if (!pending()) return 0;
  return event_seconds(batch_.events[next_].ts);
}

uint64_t ReplaySource::raise_due(double upto) {
  records_.refresh_enabled();
  uint64_t raised = 0;
  while (pending()) {
    const Event& e = batch_.events[next_];
    const double ts = event_seconds(e.ts);
    if (ts > upto) break;
    ++next_;
    raised += records_.raise(e, ts, host_, boot_id_);
  }
  return raised;
}

}  // namespace zagent::zeek_plugin
