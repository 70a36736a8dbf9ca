// The recorder: runs the sensors and writes what they see into the journal,
// with the sensor's own health (start, stop, attach, losses, clock jumps)
// recorded beside the host's events. Single-threaded: one loop polls the
// ring buffers and drives the journal's time-based work.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/sensors/watched_paths.h"
#include "journal/journal_writer.h"
#include "tables/query_engine.h"

namespace zagent {

class LiveJournal;

// Which sensors record: eBPF where it loads, else the fallback (Auto); eBPF
// or refuse (Ebpf); the fallback only (Fallback). See sensor_set.h.
enum class SensorMode : uint8_t { Auto, Ebpf, Fallback };

struct RecorderOptions {
  WriterOptions journal;
  SensorMode sensor = SensorMode::Auto;
  uint32_t ring_bytes = 8u << 20;  // per sensor; a power of two
  uint64_t exe_hash_max_bytes = 64ull << 20;
  std::string utmp_path = "/var/run/utmp";
  std::string wtmp_path = "/var/log/wtmp";  // "" or missing: utmp only
  // Path prefixes the file sensor reports on (WatchedPaths syntax).
  std::vector<std::string> watch = WatchedPaths::defaults();
  int64_t duration_ns = 0;         // 0: until stopped
  // Called about once a second with a one-line status.
  std::function<void(const std::string&)> status;
  // Called once the sensors are attached: from here on activity is recorded.
  std::function<void()> started;
  // Where query threads see the unflushed tail and the counters; optional.
  LiveJournal* live = nullptr;
  // The query socket served beside the recorder (agent/query/query_server.h);
  // "" serves none. Its limits hold for every query.
  std::string query_socket = "/run/zagent/query.sock";
  tables::QueryLimits query_limits{10, 100000, 256 << 20};
};

struct RecorderStats {
  uint64_t events[kEventTypeCount] = {};
  uint64_t lost = 0;
};

class Recorder {
 public:
  explicit Recorder(RecorderOptions options);

  // Records until `stop` is set or the duration has passed; then drains the
  // ring buffers and closes the journal cleanly. `rotate` asks for a segment
  // rotation (SIGHUP). Throws Error when a sensor cannot start.
  void run(const std::atomic<bool>& stop, std::atomic<bool>& rotate);

  const RecorderStats& stats() const { return stats_; }

 private:
  RecorderOptions options_;
  RecorderStats stats_;
};

// The capabilities the agent lacks to run its sensors (CAP_BPF and
// CAP_PERFMON, or CAP_SYS_ADMIN: root), or "" when it has them.
std::string missing_capabilities();
// Why the eBPF sensors cannot run ("" when they can): the capabilities,
// or the kernel's BTF.
std::string missing_privileges();

}  // namespace zagent
