#include "agent/sensors/proc_connector_sensor.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "agent/sensors/proc_process.h"
#include "agent/sensors/proc_stat.h"
#include "journal/error.h"

namespace zagent {

namespace {

// Named through the member: the enum moved out of proc_event in Linux 6.6.
using What = decltype(proc_event::what);

// For a fork storm while the loop is busy journaling; SO_RCVBUFFORCE (root)
// may go past net.core.rmem_max.
constexpr int kReceiveBytes = 8 << 20;
// Processes whose exit was lost would otherwise stay known for ever; when
// full, one is forgotten (its exit then falls back on /proc).
constexpr size_t kMaxKnown = 32768;

[[noreturn]] void fail(const std::string& what, int err = errno) {
  throw Error("proc connector: " + what + ": " + std::strerror(err));
}

std::string proc_dir(uint32_t pid) { return "/proc/" + std::to_string(pid); }

// The connector stamps messages with ktime_get_ns (CLOCK_MONOTONIC), which
// stands still while the machine is suspended; CLOCK_BOOTTIME does not.
// Their difference, the time spent suspended, is read now rather than when
// the message was sent: one that waited in the socket across a suspend is
// placed later by that suspend's length.
uint64_t to_boot_ns(uint64_t monotonic_ns) {
  timespec boot{}, mono{};
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  const int64_t suspended = (boot.tv_sec - mono.tv_sec) * 1'000'000'000ll + boot.tv_nsec - mono.tv_nsec;
  return monotonic_ns + static_cast<uint64_t>(suspended);
}

// `parent_thread`: the thread of `ppid` that forked.
ProcessFork read_fork(uint32_t pid, uint32_t ppid, uint32_t parent_thread) {
  ProcessFork e{pid, ppid, 0, 0, 0, {}};
  ProcStat st;
  if (read_proc_stat(pid, &st)) e.start_boot_ns = st.start_boot_ns;
  if (read_proc_stat(ppid, &st)) e.parent_start_boot_ns = st.start_boot_ns;
  // comm and uid as the child got them: from the thread that forked (/proc
  // serves threads by id too), which changes less often than the child (that
  // often execs at once), or from the child when that thread is gone.
  for (const uint32_t id : {parent_thread, pid}) {
    if (!read_proc_stat(id, &st)) continue;
    e.comm = st.comm;
    uint32_t euid;
    proc_status_ids(read_proc_file(proc_dir(id) + "/status"), "Uid", &e.uid, &euid);
    break;
  }
  return e;
}

// Sends a control operation (listen, ignore); the kernel's answer carries
// `ack` + 1 (and a seq of its own).
bool send_op(int fd, proc_cn_mcast_op op, uint32_t ack) {
  alignas(nlmsghdr) char buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof op)] = {};
  auto* nl = reinterpret_cast<nlmsghdr*>(buf);
  *nl = nlmsghdr{NLMSG_LENGTH(sizeof(cn_msg) + sizeof op), NLMSG_DONE, 0, 0, 0};
  auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nl));
  *cn = cn_msg{{CN_IDX_PROC, CN_VAL_PROC}, 0, ack, sizeof op, 0};
  std::memcpy(cn->data, &op, sizeof op);
  return ::send(fd, buf, nl->nlmsg_len, 0) == static_cast<ssize_t>(nl->nlmsg_len);
}

}  // namespace

ProcConnectorSensor::ProcConnectorSensor(uint32_t agent_tgid, ExeHasher& hasher, Sink sink)
    : agent_tgid_(agent_tgid), hasher_(hasher), sink_(std::move(sink)) {
  try {
    subscribe();
  } catch (...) {
    if (fd_ >= 0) ::close(fd_);
    throw;
  }
}

void ProcConnectorSensor::subscribe() {
  fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (fd_ < 0) fail("cannot open netlink socket");
  const int bytes = kReceiveBytes;
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);  // capped by rmem_max; best effort
  }
  sockaddr_nl addr{AF_NETLINK, 0, 0, CN_IDX_PROC};
  socklen_t size = sizeof addr;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), size) != 0) fail("cannot bind netlink socket");
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) fail("cannot name netlink socket");
  port_ = addr.nl_pid;
  if (!send_op(fd_, PROC_CN_MCAST_LISTEN, port_)) fail("cannot subscribe to process events");
  // The answer is queued at once, among events (handed to the sink). None
  // comes from a kernel without proc events, nor, on older kernels, to a
  // process outside the initial pid and user namespaces.
  for (int i = 0; i < 10 && answer_ < 0; ++i) poll(100);
  if (answer_ < 0) fail("no answer to the subscription (kernel without CONFIG_PROC_EVENTS?)", ETIMEDOUT);
  if (answer_ > 0) fail("subscription to process events refused", answer_);
}

ProcConnectorSensor::~ProcConnectorSensor() {
  // The kernel builds messages while it counts a listener.
  send_op(fd_, PROC_CN_MCAST_IGNORE, port_);
  ::close(fd_);
}

void ProcConnectorSensor::poll(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  const int n = ::poll(&p, 1, timeout_ms);
  if (n < 0 && errno != EINTR) fail("poll failed");
  if (n > 0) drain();
}

void ProcConnectorSensor::drain() {
  alignas(nlmsghdr) char buf[4096];
  for (;;) {
    sockaddr_nl from{};
    socklen_t from_size = sizeof from;
    const ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_size);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == ENOBUFS) ++lost_;  // the socket works on after an overrun
      else if (errno != EINTR) fail("receive failed");
      continue;
    }
    // One message a datagram: nlmsghdr, cn_msg, proc_event, from the kernel (port 0).
    const auto* nl = reinterpret_cast<const nlmsghdr*>(buf);
    const auto size = static_cast<size_t>(n);
    if (from.nl_pid != 0 || size < NLMSG_LENGTH(sizeof(cn_msg)) || nl->nlmsg_len > size) continue;
    const auto* cn = static_cast<const cn_msg*>(NLMSG_DATA(nl));
    if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
    // Copied out: the data is not 8-aligned, and older kernels send a
    // shorter proc_event (the union grew).
    proc_event ev{};
    std::memcpy(&ev, cn->data, std::min<size_t>({nl->nlmsg_len - NLMSG_LENGTH(sizeof(cn_msg)), cn->len, sizeof ev}));
    // Every listener hears every subscription's answer; ours acks our port.
    if (ev.what == What::PROC_EVENT_NONE && cn->ack == port_ + 1) answer_ = static_cast<int>(ev.event_data.ack.err);
    handle(ev);
  }
}

void ProcConnectorSensor::handle(const proc_event& ev) {
  const uint64_t boot_ns = to_boot_ns(ev.timestamp_ns);
  if (ev.what == What::PROC_EVENT_FORK) {
    const auto& f = ev.event_data.fork;
    // A new thread shares its parent's thread group: not a process.
    if (f.child_pid != f.child_tgid || static_cast<uint32_t>(f.child_tgid) == agent_tgid_) return;
    ProcessFork e = read_fork(static_cast<uint32_t>(f.child_tgid), static_cast<uint32_t>(f.parent_tgid),
                              static_cast<uint32_t>(f.parent_pid));
    remember(e.pid, e.start_boot_ns, e.comm);
    sink_(boot_ns, std::move(e));
  } else if (ev.what == What::PROC_EVENT_EXEC) {
    const auto pid = static_cast<uint32_t>(ev.event_data.exec.process_tgid);
    if (pid == agent_tgid_) return;
    ProcessExec e;
    read_proc_process(pid, hasher_, &e);
    if (const auto it = known_.find(pid); e.start_boot_ns == 0 && it != known_.end()) {
      e.start_boot_ns = it->second.start_boot_ns;  // gone already, but seen at its fork
    }
    remember(pid, e.start_boot_ns, e.comm);
    sink_(boot_ns, std::move(e));
  } else if (ev.what == What::PROC_EVENT_EXIT) {
    const auto& x = ev.event_data.exit;
    if (x.process_pid != x.process_tgid || static_cast<uint32_t>(x.process_tgid) == agent_tgid_) return;
    sink_(boot_ns, to_exit(static_cast<uint32_t>(x.process_tgid), boot_ns, x.exit_code));
  }
}

void ProcConnectorSensor::remember(uint32_t pid, uint64_t start_boot_ns, const std::string& comm) {
  if (known_.size() >= kMaxKnown && !known_.contains(pid)) known_.erase(known_.begin());
  known_[pid] = Known{start_boot_ns, comm};
}

// `status` is the wait status: exit code in bits 8-15, signal in bits 0-6.
ProcessExit ProcConnectorSensor::to_exit(uint32_t pid, uint64_t boot_ns, uint32_t status) {
  ProcessExit x{pid, 0, static_cast<int32_t>((status >> 8) & 0xff), static_cast<int32_t>(status & 0x7f), -1, {}};
  if (auto it = known_.find(pid); it != known_.end()) {
    x.start_boot_ns = it->second.start_boot_ns;
    x.comm = std::move(it->second.comm);
    known_.erase(it);
  } else if (ProcStat st; read_proc_stat(pid, &st) && st.start_boot_ns <= boot_ns) {
    // Started before the sensor: until reaped it is still in /proc (a
    // process started after this exit has merely reused the pid).
    x.start_boot_ns = st.start_boot_ns;
    x.comm = st.comm;
  }
  if (x.start_boot_ns != 0 && x.start_boot_ns < boot_ns) x.duration_ns = int64_t(boot_ns - x.start_boot_ns);
  return x;
}

}  // namespace zagent
