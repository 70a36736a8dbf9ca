// What zagent takes from /proc/PID/stat: the one place that parses it, so
// that every reader of process start times (process and socket snapshots,
// the proc connector sensor) computes the process key the same way.
#pragma once

#include <cstdint>
#include <string>

namespace zagent {

struct ProcStat {
  std::string comm;  // as /proc/PID/comm, without its newline: the same bytes
  uint32_t ppid = 0;
  uint32_t session_id = 0;
  uint32_t tty_nr = 0;  // device number of the controlling terminal, 0 for none
  // Start in ns since boot, from starttime in clock ticks (usually 10 ms):
  // rounded down to the tick, where the eBPF sensors have ns.
  uint64_t start_boot_ns = 0;
};

// False when the process is gone or its stat cannot be parsed.
bool read_proc_stat(uint32_t pid, ProcStat* out);

}  // namespace zagent
