// Writes the Zeek script of a replay: the zagent package (embedded from
// zeek/ at build time, or `@load zagent` with no prelude), the replay driver
// (replay/driver.zeek), then the events in journal order as batches of
// lines added from zeek_init handlers, a bounded number per handler, so
// the script stays parseable however many events there are. Memory is one
// batch, whatever the journal's size.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "journal/event.h"

namespace zagent::replay {

class ZeekScriptWriter {
 public:
  static constexpr size_t kEventsPerBatch = 1000;
  static constexpr size_t kBatchesPerHandler = 50;

  // Writes the prelude. `prelude`: the package's scripts themselves, else
  // `@load zagent` (the installed package).
  ZeekScriptWriter(std::FILE* out, bool prelude);

  void add(const Event& e, std::string_view host, std::string_view boot_id);
  // Writes what is held; throws Error when the output fails.
  void finish();

  uint64_t events() const { return events_; }

 private:
  void flush_batch();
  void write(std::string_view s);

  std::FILE* out_;
  std::string batch_;      // the current batch as a Zeek string literal's body
  size_t batch_events_ = 0;
  uint64_t batches_ = 0;   // written so far
  uint64_t events_ = 0;
};

// The embedded scripts (generated from zeek/, replay/driver.zeek and
// replay/stream_driver.zeek).
extern const char* const kZeekPackage;
extern const char* const kReplayDriver;
extern const char* const kStreamDriver;

// What every replay script opens with: a comment saying what it is, then
// the package's scripts (`embed_package`) or `@load zagent`.
std::string script_prelude(bool embed_package);

}  // namespace zagent::replay
