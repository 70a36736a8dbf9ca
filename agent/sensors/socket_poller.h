// The fallback socket sensor, for when eBPF is unavailable: a socket
// snapshot (socket_snapshot.h) at every poll, compared with the one before.
//
//   new TCP listener                  Listen
//   new connected TCP socket          Accept when its local port is listened
//                                     on (same family, same address or the
//                                     wildcard) at this poll or the last;
//                                     else Connect
//   TCP socket gone                   Close, bytes as at the last poll
//                                     (the others carry none, as with the
//                                     eBPF sensor)
//   new UDP socket (or new peer)      Send; remote = the connected peer, or
//                                     unspecified when unconnected
//
// A socket is known by its inode, protocol and 5-tuple, and counts as
// present while a process holds it (inode not 0): a connection is seen once
// accepted, and is closed once its process has closed it.
//
// Limits, which the eBPF sensor does not have:
//  - what opens and closes between two polls is missed: a connection
//    shorter than the poll interval leaves no event at all;
//  - events are as late as the interval, and a Close carries the bytes as
//    of the last poll that saw the socket, not the final ones;
//  - a connect is reported once established: one that fails is not;
//  - a UDP Send is the socket's first sighting, not a datagram, without
//    bytes, and nothing is reported when a UDP socket goes;
//  - the process named is the one holding the socket at the poll.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "agent/sensors/socket_snapshot.h"

namespace zagent {

class SocketPoller {
 public:
  // Sockets held by `skip_pid` (the agent) are left out.
  explicit SocketPoller(uint32_t skip_pid) : skip_pid_(skip_pid) {}

  // The events since the last poll; the first poll only takes the baseline
  // and returns none. Throws Error as snapshot_owned_sockets does.
  std::vector<SocketEvent> poll();

 private:
  using Address = std::array<uint8_t, 16>;
  // inode, protocol, local address and port, remote address and port.
  using Key = std::tuple<uint32_t, Protocol, Address, uint16_t, Address, uint16_t>;
  using Table = std::map<Key, OwnedSocket>;

  uint32_t skip_pid_;
  bool polled_ = false;
  Table last_;
};

}  // namespace zagent
