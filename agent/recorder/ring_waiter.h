// Waiting on every sensor's ring buffer at once: one epoll set holding each
// ring's own epoll fd, so that whichever ring fills first wakes the
// recorder's loop (the eBPF side wakes it only when a ring is a quarter
// full; otherwise the loop drains on its timer).
#pragma once

namespace zagent {

class RingWaiter {
 public:
  RingWaiter();  // throws Error
  ~RingWaiter();
  RingWaiter(const RingWaiter&) = delete;
  RingWaiter& operator=(const RingWaiter&) = delete;

  void add(int fd);  // throws Error
  // Returns when a ring has data or after timeout_ms (or on a signal).
  void wait(int timeout_ms);

 private:
  int epoll_ = -1;
};

}  // namespace zagent
