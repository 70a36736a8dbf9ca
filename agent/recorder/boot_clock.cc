#include "agent/recorder/boot_clock.h"

#include <time.h>

namespace zagent {

namespace {
int64_t read_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

BootClock::BootClock() : offset_ns_(offset_now()) {}

int64_t BootClock::wall_now() { return read_ns(CLOCK_REALTIME); }
uint64_t BootClock::boot_now() { return static_cast<uint64_t>(read_ns(CLOCK_BOOTTIME)); }

// The two clocks are read back to back; the boot clock is read twice and
// averaged so that the offset's error is half the read time.
int64_t BootClock::offset_now() {
  const int64_t b1 = read_ns(CLOCK_BOOTTIME);
  const int64_t w = read_ns(CLOCK_REALTIME);
  const int64_t b2 = read_ns(CLOCK_BOOTTIME);
  return w - (b1 + (b2 - b1) / 2);
}

int64_t BootClock::refresh(int64_t tolerance_ns) {
  const int64_t now = offset_now();
  const int64_t jump = now - offset_ns_;
  offset_ns_ = now;
  return (jump > tolerance_ns || jump < -tolerance_ns) ? jump : 0;
}

}  // namespace zagent
