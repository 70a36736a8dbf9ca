// The socket sensor in user space: loads and attaches socket.bpf.c and turns
// its records into SocketEvents (TCP connect, accept, listen, close with
// bytes, IPv4 and IPv6).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "journal/event.h"

struct socket_bpf;
struct ring_buffer;

namespace zagent {

class SocketSensor {
 public:
  using Sink = std::function<void(uint64_t boot_ns, EventBody body)>;

  // Throws Error naming what is missing when the kernel refuses.
  SocketSensor(uint32_t ring_bytes, uint32_t agent_tgid, Sink sink);
  ~SocketSensor();
  SocketSensor(const SocketSensor&) = delete;
  SocketSensor& operator=(const SocketSensor&) = delete;

  // Hands every waiting record to the sink without waiting.
  void drain();
  // Records dropped because the ring buffer was full, since the start.
  uint64_t drops() const;
  // The ring buffer's fd, for an epoll set shared with other sensors.
  int epoll_fd() const;

 private:
  static int on_record(void* self, void* data, size_t size);

  // exe of a process by (pid, start): one readlink per process, not per
  // socket event. Bounded: cleared when full.
  const std::string& exe_of(uint32_t pid, uint64_t start_boot_ns);

  socket_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  Sink sink_;
  std::unordered_map<uint64_t, std::pair<uint64_t, std::string>> exe_cache_;  // pid -> (start, exe)
};

}  // namespace zagent
