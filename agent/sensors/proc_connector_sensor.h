// The process sensor's fallback for when eBPF cannot load: the kernel's proc
// connector (netlink, CN_IDX_PROC) announces each fork, exec and exit, and
// the rest of the event is read from /proc after the fact. Needs a kernel
// with CONFIG_PROC_EVENTS, CAP_NET_ADMIN before Linux 6.6, and the initial
// pid namespace (the messages carry its pids).
//
// Weaker than ProcessSensor, and journaled with the same event types:
// - a process that is gone, or has exec'd again, by the time /proc is read
//   gives only what the message carries (pid, parent, exit status) and what
//   earlier events taught; the event is never dropped;
// - start times have clock-tick precision, as in process_snapshot.h;
// - no cgroup_id;
// - a process whose leader thread ends before its other threads is reported
//   as exited when the leader ends (the message for the last thread does
//   not say it was the last).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "agent/sensors/exe_hasher.h"
#include "journal/event.h"

struct proc_event;

namespace zagent {

class ProcConnectorSensor {
 public:
  // An event and when it happened, in ns since boot (CLOCK_BOOTTIME).
  using Sink = std::function<void(uint64_t boot_ns, EventBody body)>;

  // Subscribes to the connector and waits (up to 1 s) for the kernel to
  // confirm, handing events that come first to the sink; throws Error naming
  // the step that failed ("proc connector: cannot bind netlink socket: ...").
  // `hasher` (which must outlive the sensor) hashes each exec's executable.
  // Events of the process `agent_tgid` are not reported.
  ProcConnectorSensor(uint32_t agent_tgid, ExeHasher& hasher, Sink sink);
  ~ProcConnectorSensor();
  ProcConnectorSensor(const ProcConnectorSensor&) = delete;
  ProcConnectorSensor& operator=(const ProcConnectorSensor&) = delete;

  // Hands every waiting message to the sink; waits up to timeout_ms for one.
  void poll(int timeout_ms);
  // Hands every waiting message to the sink without waiting.
  void drain();

  // The socket, for callers that wait on several sensors at once.
  int fd() const { return fd_; }
  // Times the socket's buffer overflowed and the kernel dropped messages
  // since the sensor started. The kernel does not say how many were lost.
  uint64_t lost() const { return lost_; }

 private:
  // What an exit needs of a process seen at its fork or exec.
  struct Known {
    uint64_t start_boot_ns = 0;
    std::string comm;
  };

  void subscribe();
  void handle(const proc_event& ev);
  void remember(uint32_t pid, uint64_t start_boot_ns, const std::string& comm);
  ProcessExit to_exit(uint32_t pid, uint64_t boot_ns, uint32_t status);

  int fd_ = -1;
  uint32_t port_ = 0;  // the socket's netlink address
  int answer_ = -1;    // the kernel's answer to our subscription: 0 or an errno
  uint32_t agent_tgid_;
  ExeHasher& hasher_;
  Sink sink_;
  uint64_t lost_ = 0;
  std::unordered_map<uint32_t, Known> known_;
};

}  // namespace zagent
