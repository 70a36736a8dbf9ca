// Converts kernel timestamps (CLOCK_BOOTTIME, what bpf_ktime_get_boot_ns
// gives) into wall-clock ns since the epoch, and notices when the wall clock
// jumps (settimeofday, NTP steps) so the jump can be journaled.
#pragma once

#include <cstdint>

namespace zagent {

class BootClock {
 public:
  BootClock();

  // Wall-clock ns for a CLOCK_BOOTTIME reading, with the current offset.
  int64_t to_wall(uint64_t boot_ns) const { return static_cast<int64_t>(boot_ns) + offset_ns_; }

  // Re-reads the offset; returns how far the wall clock jumped since the
  // last refresh, 0 when it moved by less than `tolerance_ns`.
  int64_t refresh(int64_t tolerance_ns = 10'000'000);

  static int64_t wall_now();
  static uint64_t boot_now();

 private:
  static int64_t offset_now();
  int64_t offset_ns_;
};

}  // namespace zagent
