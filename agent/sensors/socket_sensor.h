// The socket sensor in user space: loads and attaches socket.bpf.c and turns
// its records into SocketEvents (TCP connect, accept, listen, close with
// bytes; UDP connect and first send to each peer; IPv4 and IPv6).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/sensors/exe_cache.h"
#include "journal/event.h"

struct socket_bpf;
struct ring_buffer;

namespace zagent {

class SocketSensor {
 public:
  using Sink = std::function<void(uint64_t boot_ns, EventBody body)>;

  // Throws Error naming what is missing when the kernel refuses.
  SocketSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeCache& exes, Sink sink);
  ~SocketSensor();
  SocketSensor(const SocketSensor&) = delete;
  SocketSensor& operator=(const SocketSensor&) = delete;

  // Hands every waiting record to the sink without waiting.
  void drain();
  // Records dropped because the ring buffer was full, since the start.
  uint64_t drops() const;
  // The ring buffer's epoll fd, for the recorder's RingWaiter.
  int epoll_fd() const;
  // The program array the socket sensor's sys_exit program calls on to for
  // the system calls it does not handle itself (FileSensor's).
  int exit_chain_fd() const;

 private:
  static int on_record(void* self, void* data, size_t size);

  socket_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  Sink sink_;
  ExeCache& exes_;
};

}  // namespace zagent
