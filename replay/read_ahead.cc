#include "replay/read_ahead.h"

namespace zagent::replay {

ReadAhead::ReadAhead(std::vector<std::string> inputs, ReadOptions options, DamageReporter reporter, size_t depth)
    : depth_(depth) {
  // The reader is made on the thread, so that its errors arrive in order.
  thread_ = std::thread([this, inputs = std::move(inputs), options, reporter = std::move(reporter)]() mutable {
    run(std::move(inputs), options, std::move(reporter));
  });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ReadAhead::run(std::vector<std::string> inputs, ReadOptions options, DamageReporter reporter) {
  try {
    JournalReader reader(inputs, options, std::move(reporter));
    ReadBlock block;
    while (reader.next_block(&block)) {
      EventBatch batch;
      batch.events = std::move(block.events);
      block.events.clear();
      batch.host = block.segment ? block.segment->header.host_name : "";
      batch.boot_id = block.segment ? block.segment->header.boot_id : "";
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || ready_.size() < depth_; });
      if (stop_) return;
      ready_.push_back(std::move(batch));
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = true;
  changed_.notify_all();
}

bool ReadAhead::next(EventBatch* out) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty() || done_; });
  if (!ready_.empty()) {
    *out = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return true;
  }
  if (error_) std::rethrow_exception(error_);
  return false;
}

}  // namespace zagent::replay
