// The process sensor in user space: loads and attaches process.bpf.c, reads
// its ring buffer, and turns kernel records into journal events (exec, fork,
// exit), enriched from /proc where the kernel side cannot reach.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "agent/sensors/exe_hasher.h"
#include "journal/event.h"

struct process_bpf;
struct ring_buffer;

namespace zagent {

class ProcessSensor {
 public:
  // An event and when it happened, in ns since boot (CLOCK_BOOTTIME).
  using Sink = std::function<void(uint64_t boot_ns, EventBody body)>;

  // Loads and attaches the programs; throws Error naming what is missing
  // (privileges, BTF) when the kernel refuses.
  // `hasher` (which must outlive the sensor) hashes each exec's executable.
  ProcessSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeHasher& hasher, Sink sink);
  ~ProcessSensor();
  ProcessSensor(const ProcessSensor&) = delete;
  ProcessSensor& operator=(const ProcessSensor&) = delete;

  // Hands every waiting record to the sink without waiting.
  void drain();

  // Records dropped in the kernel because the ring buffer was full, per
  // event type, since the sensor started.
  struct Drops {
    uint64_t exec = 0, fork = 0, exit = 0;
  };
  Drops drops() const;
  // The ring buffer's epoll fd, for the recorder's RingWaiter.
  int epoll_fd() const;

 private:
  static int on_record(void* self, void* data, size_t size);

  process_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  ExeHasher& hasher_;
  Sink sink_;
};

}  // namespace zagent
