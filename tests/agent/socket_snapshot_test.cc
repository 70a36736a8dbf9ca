// The socket snapshot and the polling socket sensor, against sockets this
// test opens itself with known addresses, ports and byte counts, read back
// field by field. Needs no root: a process may always read its own
// /proc/PID/fd, and sock_diag lists sockets to anyone.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/sensors/exe_hasher.h"
#include "agent/sensors/process_snapshot.h"
#include "agent/sensors/socket_poller.h"
#include "agent/sensors/socket_snapshot.h"

namespace zagent {

void PrintTo(const SocketEvent& e, std::ostream* os) {
  *os << "{action " << int(e.action) << " proto " << int(e.protocol) << " " << e.local_addr.to_string() << ":"
      << e.local_port << " -> " << e.remote_addr.to_string() << ":" << e.remote_port << " pid " << e.pid
      << " start " << e.start_boot_ns << " uid " << e.uid << " comm '" << e.comm << "' exe " << e.exe << " bytes "
      << e.bytes_sent << "/" << e.bytes_received << "}";
}

namespace {

// Spaces and parentheses, as /proc/PID/stat must be parsed around them.
constexpr char kComm[] = "snap (t) est";

// A descriptor, closed at the end of its scope.
struct Fd {
  explicit Fd(int f) : fd(f) { EXPECT_GE(f, 0) << std::strerror(errno); }
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(std::exchange(fd, -1));
  }
  int fd;
};

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

// `text` ("127.0.0.1", "::1", "::") at `port` (0: the kernel chooses).
SockAddr ip(const char* text, uint16_t port = 0) {
  SockAddr a;
  if (std::strchr(text, ':')) {
    auto& v6 = reinterpret_cast<sockaddr_in6&>(a.storage);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    EXPECT_EQ(::inet_pton(AF_INET6, text, &v6.sin6_addr), 1);
    a.len = sizeof v6;
  } else {
    auto& v4 = reinterpret_cast<sockaddr_in&>(a.storage);
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    EXPECT_EQ(::inet_pton(AF_INET, text, &v4.sin_addr), 1);
    a.len = sizeof v4;
  }
  return a;
}

SockAddr address_of(const Fd& fd) {
  SockAddr a;
  EXPECT_EQ(::getsockname(fd.fd, a.get(), &a.len), 0);
  return a;
}

// A socket of `type` bound to `at`; TCP ones listen; IPv6 ones take IPv4 too.
Fd bound(int type, SockAddr at) {
  Fd fd(::socket(at.family(), type | SOCK_CLOEXEC, 0));
  const int off = 0;
  if (at.family() == AF_INET6) ::setsockopt(fd.fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  EXPECT_EQ(::bind(fd.fd, at.get(), at.len), 0) << std::strerror(errno);
  if (type == SOCK_STREAM) {
    EXPECT_EQ(::listen(fd.fd, 8), 0);
  }
  return fd;
}

Fd connected_to(int type, SockAddr to) {
  Fd fd(::socket(to.family(), type | SOCK_CLOEXEC, 0));
  EXPECT_EQ(::connect(fd.fd, to.get(), to.len), 0) << std::strerror(errno);
  return fd;
}

Fd accepted(const Fd& listener) { return Fd(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC)); }

struct Endpoint {
  IpAddress addr;
  uint16_t port = 0;
};

// The local or remote end of `fd`; unspecified (0.0.0.0:0 or [::]:0) when not connected.
Endpoint end_of(const Fd& fd, bool remote) {
  SockAddr a = address_of(fd);
  const bool is4 = a.family() == AF_INET;
  if (remote && ::getpeername(fd.fd, a.get(), &a.len) != 0) return {is4 ? IpAddress::v4(0) : IpAddress{}, 0};
  if (is4) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a.storage);
    return {IpAddress::v4(ntohl(v4.sin_addr.s_addr)), ntohs(v4.sin_port)};
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a.storage);
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), &v6.sin6_addr, b.size());
  return {IpAddress::v6(b), ntohs(v6.sin6_port)};
}

// `n` bytes from one end of a connection to the other, all read.
void transfer(const Fd& from, const Fd& to, size_t n) {
  std::string data(n, 'z');
  ASSERT_EQ(::send(from.fd, data.data(), n, 0), static_cast<ssize_t>(n)) << std::strerror(errno);
  ASSERT_EQ(::recv(to.fd, data.data(), n, MSG_WAITALL), static_cast<ssize_t>(n)) << std::strerror(errno);
}

// Client sends 1000 bytes, server 300.
void exchange(const Fd& client, const Fd& server) {
  transfer(client, server, 1000);
  transfer(server, client, 300);
}

// The events of this process, in a stable order.
std::vector<SocketEvent> own(std::vector<SocketEvent> events) {
  std::erase_if(events, [](const SocketEvent& e) { return e.pid != static_cast<uint32_t>(::getpid()); });
  const auto key = [](const SocketEvent& e) {
    return std::tuple(e.action, e.protocol, e.local_addr.bytes, e.local_port, e.remote_addr.bytes, e.remote_port);
  };
  std::sort(events.begin(), events.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  return events;
}

class SocketSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::prctl(PR_GET_NAME, saved_comm_);
    ::prctl(PR_SET_NAME, kComm);
    ExeHasher hasher(0);  // nothing hashed
    for (const ProcessSnapshot& p : snapshot_processes(hasher, 0)) {
      if (p.pid == static_cast<uint32_t>(::getpid())) start_boot_ns_ = p.start_boot_ns;
    }
    ASSERT_NE(start_boot_ns_, 0u);
  }
  void TearDown() override { ::prctl(PR_SET_NAME, saved_comm_); }

  // What this process's socket `fd` must come out as.
  SocketEvent expected(SocketAction action, Protocol protocol, const Fd& fd, uint64_t sent = 0,
                       uint64_t received = 0) const {
    const Endpoint local = end_of(fd, false), remote = end_of(fd, true);
    return {.action = action, .protocol = protocol, .pid = static_cast<uint32_t>(::getpid()),
            .start_boot_ns = start_boot_ns_,  // the process snapshot's: the two join
            .uid = ::getuid(), .comm = kComm, .exe = std::filesystem::read_symlink("/proc/self/exe").string(),
            .local_addr = local.addr, .local_port = local.port, .remote_addr = remote.addr,
            .remote_port = remote.port, .bytes_sent = sent, .bytes_received = received};
  }

  char saved_comm_[16] = {};
  uint64_t start_boot_ns_ = 0;
};

TEST_F(SocketSnapshotTest, ListsEachOwnSocketExactlyAndSkipsThemForSkipPid) {
  const Fd listen4 = bound(SOCK_STREAM, ip("127.0.0.1")), listen6 = bound(SOCK_STREAM, ip("::1"));
  const Fd client4 = connected_to(SOCK_STREAM, address_of(listen4));
  const Fd client6 = connected_to(SOCK_STREAM, address_of(listen6));
  const Fd server4 = accepted(listen4), server6 = accepted(listen6);
  exchange(client4, server4);
  exchange(client6, server6);
  // The server end has the client's FIN (CLOSE_WAIT), which tcp_info counts as a byte received.
  ASSERT_EQ(::shutdown(client6.fd, SHUT_WR), 0);
  char eof;
  ASSERT_EQ(::recv(server6.fd, &eof, 1, 0), 0);
  const Fd udp4 = bound(SOCK_DGRAM, ip("127.0.0.1")), udp6 = bound(SOCK_DGRAM, ip("::1"));
  const Fd udp6_connected = connected_to(SOCK_DGRAM, address_of(udp6));

  const auto E = SocketAction::Existing;
  const auto tcp = Protocol::Tcp, udp = Protocol::Udp;
  EXPECT_EQ(own(snapshot_sockets(0)), own({
      expected(E, tcp, listen4), expected(E, tcp, listen6),
      expected(E, tcp, client4, 1000, 300), expected(E, tcp, client6, 1000, 300),
      expected(E, tcp, server4, 300, 1000), expected(E, tcp, server6, 300, 1000),
      expected(E, udp, udp4), expected(E, udp, udp6), expected(E, udp, udp6_connected),
  }));

  // Left out altogether, not listed with pid 0.
  for (const SocketEvent& e : snapshot_sockets(static_cast<uint32_t>(::getpid()))) {
    for (const Fd* fd : {&listen4, &listen6, &client4, &client6, &server4, &server6, &udp4, &udp6, &udp6_connected}) {
      const Endpoint local = end_of(*fd, false);
      EXPECT_FALSE(e.local_addr == local.addr && e.local_port == local.port) << ::testing::PrintToString(e);
    }
  }
}

TEST_F(SocketSnapshotTest, PollerReportsWhatAppearedAndWhatClosedSinceTheLastPoll) {
  SocketPoller poller(0);
  EXPECT_TRUE(poller.poll().empty());  // the baseline

  const Fd listener = bound(SOCK_STREAM, ip("::1"));
  Fd client = connected_to(SOCK_STREAM, address_of(listener));
  Fd server = accepted(listener);
  exchange(client, server);
  // An IPv4 connection to a dual-stack listener: its accepted socket is
  // IPv6 with IPv4-mapped addresses.
  const Fd dual_listener = bound(SOCK_STREAM, ip("::"));
  const Fd v4_client = connected_to(SOCK_STREAM, ip("127.0.0.1", end_of(dual_listener, false).port));
  const Fd v4_server = accepted(dual_listener);
  const Fd udp = bound(SOCK_DGRAM, ip("127.0.0.1"));
  const Fd udp_connected = connected_to(SOCK_DGRAM, address_of(udp));
  const auto tcp = Protocol::Tcp;
  // Bytes belong to the Close, as with the eBPF sensor.
  EXPECT_EQ(own(poller.poll()), own({
      expected(SocketAction::Listen, tcp, listener),
      expected(SocketAction::Connect, tcp, client),
      expected(SocketAction::Accept, tcp, server),
      expected(SocketAction::Listen, tcp, dual_listener),
      expected(SocketAction::Connect, tcp, v4_client),
      expected(SocketAction::Accept, tcp, v4_server),
      expected(SocketAction::Send, Protocol::Udp, udp),
      expected(SocketAction::Send, Protocol::Udp, udp_connected),
  }));

  const SocketEvent client_close = expected(SocketAction::Close, tcp, client, 1000, 300);
  const SocketEvent server_close = expected(SocketAction::Close, tcp, server, 300, 1000);
  client.close();
  server.close();
  EXPECT_EQ(own(poller.poll()), own({client_close, server_close}));
  EXPECT_TRUE(own(poller.poll()).empty());
}

}  // namespace
}  // namespace zagent
