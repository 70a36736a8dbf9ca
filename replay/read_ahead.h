// Reads journals on a thread of its own, a few blocks ahead of the caller,
// so that decoding (one core) and writing the output (another) overlap:
// zagent-replay's output is most of its work. At most `depth` blocks wait
// at a time, so memory stays bounded whatever the journals' size.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal_reader.h"

namespace zagent::replay {

// The wanted events of one block, with its segment's host and boot id.
struct EventBatch {
  std::vector<Event> events;
  std::string host;
  std::string boot_id;
};

class ReadAhead {
 public:
  // Starts reading; `reporter` is called on the reading thread.
  ReadAhead(std::vector<std::string> inputs, ReadOptions options, DamageReporter reporter, size_t depth = 4);
  // Stops the reader (even mid-way) and joins it.
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next block in journal order; false at the end. Throws the Error the
  // reader met (an input that cannot be read), after the blocks before it.
  bool next(EventBatch* out);

 private:
  void run(std::vector<std::string> inputs, ReadOptions options, DamageReporter reporter);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<EventBatch> ready_;
  size_t depth_;
  bool done_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace zagent::replay
