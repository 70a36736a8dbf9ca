// UDP through the socket sensor end to end: datagrams sent with sendto,
// sendmsg and sendmmsg, to new and to known peers, over IPv4 and IPv6, and
// a connected socket; the journal must hold exactly one send per socket and
// peer, and a connect.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/recorder_harness.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::RunningRecorder;
using testing::TempDir;
using testing::read_journal;
using testing::real;
using testing::skip_reason;

// A bound UDP socket on a loopback address; its port.
struct Udp {
  int fd = -1;
  uint16_t port = 0;
  sockaddr_storage addr{};
  socklen_t len = 0;

  explicit Udp(int family) {
    fd = ::socket(family, SOCK_DGRAM, 0);
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(sockaddr_in);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof(sockaddr_in6);
    }
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                   : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  ~Udp() { ::close(fd); }
  sockaddr* sa() { return reinterpret_cast<sockaddr*>(&addr); }
};

std::vector<SocketEvent> udp_events_of(const std::vector<Event>& events, uint32_t pid) {
  std::vector<SocketEvent> out;
  for (const Event& e : events) {
    const auto* s = std::get_if<SocketEvent>(&e.body);
    if (s && s->pid == pid && s->protocol == Protocol::Udp) out.push_back(*s);
  }
  return out;
}

TEST(UdpSensor, FirstSendToEachPeerAndConnectAreRecordedOnceWithExactAddresses) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();

  Udp peer_a(AF_INET), peer_b(AF_INET), peer_c(AF_INET), sender(AF_INET);
  Udp peer6(AF_INET6), sender6(AF_INET6);
  const char data[] = "datagram";
  // sendto: peer a twice (one event), then peer b.
  ASSERT_EQ(::sendto(sender.fd, data, sizeof data, 0, peer_a.sa(), peer_a.len), ssize_t{sizeof data});
  ASSERT_EQ(::sendto(sender.fd, data, sizeof data, 0, peer_a.sa(), peer_a.len), ssize_t{sizeof data});
  ASSERT_EQ(::sendto(sender.fd, data, sizeof data, 0, peer_b.sa(), peer_b.len), ssize_t{sizeof data});
  // sendmsg to peer c, then sendmmsg to a (known) and c (known): nothing new.
  iovec iov{const_cast<char*>(data), sizeof data};
  msghdr msg{};
  msg.msg_name = peer_c.sa();
  msg.msg_namelen = peer_c.len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ASSERT_EQ(::sendmsg(sender.fd, &msg, 0), ssize_t{sizeof data});
  mmsghdr msgs[2] = {};
  msgs[0].msg_hdr = msg;
  msgs[0].msg_hdr.msg_name = peer_a.sa();
  msgs[1].msg_hdr = msg;
  ASSERT_EQ(::sendmmsg(sender.fd, msgs, 2, 0), 2);
  // IPv6, connected: a connect, then one send however many datagrams.
  ASSERT_EQ(::connect(sender6.fd, peer6.sa(), peer6.len), 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(::send(sender6.fd, data, sizeof data, 0), ssize_t{sizeof data});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(recorder.stop(), 0);

  const std::vector<SocketEvent> got = udp_events_of(read_journal(dir / "journal"), ::getpid());
  const IpAddress v4 = IpAddress::v4(0x7f000001);
  const IpAddress v6 = IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  struct Want {
    SocketAction action;
    IpAddress local;
    uint16_t local_port;
    IpAddress remote;
    uint16_t remote_port;
  };
  const std::vector<Want> want = {
      {SocketAction::Send, v4, sender.port, v4, peer_a.port},
      {SocketAction::Send, v4, sender.port, v4, peer_b.port},
      {SocketAction::Send, v4, sender.port, v4, peer_c.port},
      {SocketAction::Connect, v6, sender6.port, v6, peer6.port},
      {SocketAction::Send, v6, sender6.port, v6, peer6.port},
  };
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(got[i].action, want[i].action);
    EXPECT_EQ(got[i].local_addr, want[i].local);
    EXPECT_EQ(got[i].local_port, want[i].local_port);
    EXPECT_EQ(got[i].remote_addr, want[i].remote);
    EXPECT_EQ(got[i].remote_port, want[i].remote_port);
    EXPECT_EQ(got[i].uid, 0u);
    EXPECT_EQ(got[i].exe, real("/proc/self/exe"));
    EXPECT_EQ(got[i].bytes_sent, 0u);
  }
}

}  // namespace
}  // namespace zagent
