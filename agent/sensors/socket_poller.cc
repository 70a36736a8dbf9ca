#include "agent/sensors/socket_poller.h"

#include <sys/socket.h>

#include <set>

namespace zagent {

namespace {

// Present for the poller: held by a process, and for TCP listening or
// connected (a connect under way is reported once it is established).
bool tracked(const DiagSocket& s) {
  return s.inode != 0 && (s.protocol == Protocol::Udp || s.state != TcpState::SynSent);
}

// (family, port, address) of each TCP listener.
using Listeners = std::set<std::tuple<uint8_t, uint16_t, std::array<uint8_t, 16>>>;

void add_listeners(const auto& table, Listeners* out) {
  for (const auto& [key, s] : table) {
    if (s.socket.protocol == Protocol::Tcp && s.socket.state == TcpState::Listen) {
      out->emplace(s.socket.family, s.socket.local_port, s.socket.local_addr.bytes);
    }
  }
}

// An IPv6 listener on the wildcard takes IPv4 connections too, but their
// sockets are then AF_INET6 with IPv4-mapped addresses: the family matches.
bool listened_on(const DiagSocket& s, const Listeners& listeners) {
  const IpAddress any = s.family == AF_INET ? IpAddress::v4(0) : IpAddress{};
  return listeners.contains({s.family, s.local_port, s.local_addr.bytes}) ||
         listeners.contains({s.family, s.local_port, any.bytes});
}

// What a socket seen for the first time is reported as. Its bytes go with
// its Close, as the eBPF sensor has them.
SocketEvent arrival(const OwnedSocket& s, const Listeners& listeners) {
  SocketEvent e = s.event;
  if (s.socket.protocol == Protocol::Udp) {
    e.action = SocketAction::Send;
  } else if (s.socket.state == TcpState::Listen) {
    e.action = SocketAction::Listen;
  } else {
    e.action = listened_on(s.socket, listeners) ? SocketAction::Accept : SocketAction::Connect;
  }
  e.bytes_sent = e.bytes_received = 0;
  return e;
}

}  // namespace

std::vector<SocketEvent> SocketPoller::poll() {
  Table now;
  for (OwnedSocket& s : snapshot_owned_sockets(skip_pid_)) {
    if (!tracked(s.socket)) continue;
    const SocketEvent& e = s.event;
    Key key{s.socket.inode, e.protocol, e.local_addr.bytes, e.local_port, e.remote_addr.bytes, e.remote_port};
    now.emplace(std::move(key), std::move(s));
  }
  std::vector<SocketEvent> out;
  if (polled_) {
    // A listener closed since the last poll still makes its last connections accepted ones.
    Listeners listeners;
    add_listeners(last_, &listeners);
    add_listeners(now, &listeners);
    for (const auto& [key, s] : now) {
      if (!last_.contains(key)) out.push_back(arrival(s, listeners));
    }
    for (const auto& [key, s] : last_) {
      if (s.event.protocol != Protocol::Tcp || now.contains(key)) continue;
      out.push_back(s.event);
      out.back().action = SocketAction::Close;
    }
  }
  last_ = std::move(now);
  polled_ = true;
  return out;
}

}  // namespace zagent
