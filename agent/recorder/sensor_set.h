// The sensors a recorder runs, in one of two modes:
//  - eBPF: the process, socket and file sensors (agent/bpf), exact and
//    complete;
//  - fallback, when eBPF cannot load (no BTF, no CAP_BPF) or is not wanted
//    (--sensor=fallback): processes from the netlink proc connector, sockets
//    from sock_diag polled every second, no file events; each weakened
//    sensor says so in a sensor_degraded event naming what is missing.
// Plus the login sensor (utmp/wtmp) in both. Owns them, wakes on their
// rings, drains them and counts what they lost.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/recorder/recorder.h"
#include "agent/recorder/ring_waiter.h"
#include "agent/sensors/exe_cache.h"
#include "agent/sensors/exe_hasher.h"
#include "agent/sensors/file_sensor.h"
#include "agent/sensors/login_sensor.h"
#include "agent/sensors/proc_connector_sensor.h"
#include "agent/sensors/process_sensor.h"
#include "agent/sensors/socket_poller.h"
#include "agent/sensors/socket_sensor.h"

namespace zagent {

class SensorSet {
 public:
  // An event stamped in the kernel's CLOCK_BOOTTIME ns.
  using Sink = std::function<void(uint64_t boot_ns, EventBody body)>;
  // An event stamped in wall-clock ns (logins keep their own times).
  using WallSink = std::function<void(int64_t ts, EventBody body)>;
  // The sensors' own news: attached, degraded.
  using Note = std::function<void(SensorAction action, const std::string& sensor, const std::string& message)>;

  // Attaches every sensor; throws Error when neither mode can start (or
  // eBPF cannot in SensorMode::Ebpf).
  SensorSet(const RecorderOptions& options, ExeHasher& hasher, Sink sink, WallSink wall_sink, Note note);
  ~SensorSet();
  SensorSet(const SensorSet&) = delete;
  SensorSet& operator=(const SensorSet&) = delete;

  bool degraded() const { return !process_; }
  // Waits up to timeout_ms for a ring (or the proc connector) to fill.
  void wait(int timeout_ms);
  // Hands over every waiting record.
  void drain();
  // The once-a-second work: logins, watched directories, the socket poll.
  void tick();
  // What the sensors lost since the last call, per event type.
  std::vector<Counter> new_losses();

 private:
  void start_ebpf(const RecorderOptions& options, ExeHasher& hasher);
  void start_fallback(const std::string& why, ExeHasher& hasher);

  Sink sink_;
  WallSink wall_sink_;
  Note note_;
  ExeCache exes_;  // what the process sensor saw, for the socket and file sensors
  RingWaiter rings_;
  std::unique_ptr<ProcessSensor> process_;
  std::unique_ptr<SocketSensor> sockets_;
  std::unique_ptr<FileSensor> files_;
  std::unique_ptr<ProcConnectorSensor> connector_;
  std::unique_ptr<SocketPoller> poller_;
  LoginSensor logins_;
  struct Reported {
    ProcessSensor::Drops process;
    uint64_t socket = 0, file = 0, connector = 0;
  } reported_;
};

}  // namespace zagent
