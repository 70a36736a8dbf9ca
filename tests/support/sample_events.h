// A realistic mix of host events for demos, tests and benchmarks: execs of
// real-looking binaries with real-looking argv, sockets with real-looking
// addresses and ports, file events under /etc and home directories, a few
// logins and sensor records. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "journal/event.h"

namespace zagent::testing {

class SampleEvents {
 public:
  explicit SampleEvents(uint64_t seed, int64_t start_ts = 1'764'000'000'000'000'000);

  // The next event body and its timestamp (advancing a few microseconds).
  EventBody next_body();
  int64_t next_ts();

  // n events with consecutive seq from first_seq.
  std::vector<Event> make(size_t n, uint64_t first_seq = 1);

 private:
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  ProcessExec exec();
  SocketEvent socket();
  FileEvent file();
  uint64_t boot_ns() const;

  std::mt19937_64 rng_;
  int64_t ts_;
  int64_t start_ts_;
  uint32_t next_pid_ = 4000;
};

}  // namespace zagent::testing
