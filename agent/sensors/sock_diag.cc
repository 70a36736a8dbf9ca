#include "agent/sensors/sock_diag.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "journal/error.h"

namespace zagent {

namespace {

// Closed however the dump ends.
struct NetlinkSocket {
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  NetlinkSocket() {
    if (fd < 0) throw_errno("sock_diag", "socket(NETLINK_SOCK_DIAG)");
  }
  ~NetlinkSocket() { ::close(fd); }
};

// inet_diag_sockid holds addresses in network order, IPv4 in the first word.
IpAddress address(uint8_t family, const __be32 (&words)[4]) {
  if (family == AF_INET) return IpAddress::v4(ntohl(words[0]));
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), words, b.size());
  return IpAddress::v6(b);
}

// tcp_info grows with kernel versions: what this kernel does not send stays 0.
void read_tcp_info(const char* data, size_t len, DiagSocket* s) {
  tcp_info ti{};
  std::memcpy(&ti, data, std::min(len, sizeof ti));
  const bool has_bytes_sent = len >= offsetof(tcp_info, tcpi_bytes_sent) + sizeof ti.tcpi_bytes_sent;
  s->bytes_sent = has_bytes_sent ? ti.tcpi_bytes_sent : ti.tcpi_bytes_acked;
  s->bytes_received = ti.tcpi_bytes_received;
  // A received FIN takes a sequence number, which tcpi_bytes_received counts;
  // these are the live states that have received one.
  const bool fin_received = s->state == TcpState::CloseWait || s->state == TcpState::LastAck ||
                            s->state == TcpState::Closing;
  if (fin_received && s->bytes_received > 0) s->bytes_received -= 1;
}

// One inet_diag_msg and its attributes; the caller checked it is long enough.
DiagSocket parse(Protocol protocol, const char* msg, size_t len) {
  inet_diag_msg m;
  std::memcpy(&m, msg, sizeof m);
  DiagSocket s;
  s.protocol = protocol;
  s.family = m.idiag_family;
  s.state = static_cast<TcpState>(m.idiag_state);
  s.inode = m.idiag_inode;
  s.uid = m.idiag_uid;
  s.local_addr = address(m.idiag_family, m.id.idiag_src);
  s.local_port = ntohs(m.id.idiag_sport);
  s.remote_addr = address(m.idiag_family, m.id.idiag_dst);
  s.remote_port = ntohs(m.id.idiag_dport);
  for (size_t at = NLMSG_ALIGN(sizeof m); at + NLA_HDRLEN <= len;) {
    nlattr a;
    std::memcpy(&a, msg + at, sizeof a);
    if (a.nla_len < NLA_HDRLEN || at + a.nla_len > len) break;
    if ((a.nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO) {
      read_tcp_info(msg + at + NLA_HDRLEN, a.nla_len - NLA_HDRLEN, &s);
    }
    at += NLA_ALIGN(a.nla_len);
  }
  return s;
}

void dump(int fd, uint8_t family, Protocol protocol, uint32_t states, std::vector<char>& buf,
          std::vector<DiagSocket>* out) {
  const std::string what = std::string(protocol == Protocol::Tcp ? "tcp" : "udp") +
                           (family == AF_INET ? " ipv4" : " ipv6") + " dump";
  struct {
    nlmsghdr header;
    inet_diag_req_v2 body;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.body.sdiag_family = family;
  request.body.sdiag_protocol = protocol == Protocol::Tcp ? IPPROTO_TCP : IPPROTO_UDP;
  request.body.idiag_states = states;
  if (protocol == Protocol::Tcp) request.body.idiag_ext = 1 << (INET_DIAG_INFO - 1);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    throw_errno("sock_diag", what + " request");
  }
  for (;;) {
    // MSG_TRUNC: the datagram's full length, so that a cut one is seen.
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("sock_diag", what + " reply");
    if (static_cast<size_t>(n) > buf.size()) {
      throw Error("sock_diag: " + what + " reply: datagram larger than its buffer");
    }
    for (size_t at = 0; at + NLMSG_HDRLEN <= static_cast<size_t>(n);) {
      nlmsghdr h;
      std::memcpy(&h, buf.data() + at, sizeof h);
      if (h.nlmsg_len < NLMSG_HDRLEN || at + h.nlmsg_len > static_cast<size_t>(n)) {
        throw Error("sock_diag: " + what + " reply: malformed message at offset " + std::to_string(at));
      }
      const char* body = buf.data() + at + NLMSG_HDRLEN;
      const size_t body_len = h.nlmsg_len - NLMSG_HDRLEN;
      if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) {
        // Both start with an int: 0, or a negative errno.
        int err = 0;
        if (body_len >= sizeof err) std::memcpy(&err, body, sizeof err);
        if (err < 0) throw Error("sock_diag: " + what + ": " + std::strerror(-err));
        if (h.nlmsg_type == NLMSG_DONE) return;
      } else if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY && body_len >= sizeof(inet_diag_msg)) {
        out->push_back(parse(protocol, body, body_len));
      }
      at += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
}

}  // namespace

std::vector<DiagSocket> sock_diag_dump(Protocol protocol, uint32_t states) {
  NetlinkSocket netlink;
  std::vector<char> buf(1 << 16);
  std::vector<DiagSocket> out;
  for (const uint8_t family : {AF_INET, AF_INET6}) dump(netlink.fd, family, protocol, states, buf, &out);
  return out;
}

}  // namespace zagent
