#include "agent/recorder/ring_waiter.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "journal/error.h"

namespace zagent {

RingWaiter::RingWaiter() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_ < 0) throw_errno("cannot create the epoll set for the ring buffers", "epoll");
}

RingWaiter::~RingWaiter() { ::close(epoll_); }

void RingWaiter::add(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("cannot watch a ring buffer", "epoll");
}

void RingWaiter::wait(int timeout_ms) {
  epoll_event events[8];
  if (::epoll_wait(epoll_, events, 8, timeout_ms) < 0 && errno != EINTR) {
    throw_errno("waiting on the ring buffers failed", "epoll");
  }
}

}  // namespace zagent
