// The TCP and UDP sockets that exist right now, IPv4 and IPv6, each with the
// process holding it: what opens every journal segment next to the process
// snapshot, so that a segment stands on its own, and what the fallback
// socket sensor (socket_poller.h) compares poll by poll.
//
// Which sockets: TCP in LISTEN, SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2,
// CLOSE_WAIT, LAST_ACK and CLOSING; not TIME_WAIT (no process holds it any
// more) nor SYN_RECV (a handshake under way, listed once it is ESTABLISHED);
// TCP sockets only bound are not in the kernel's list. UDP bound to a port,
// connected or not.
//
// The process is found by reading every /proc/PID/fd/* link once per
// snapshot ("socket:[INODE]"): one readlink per open file of the host. They
// are read after the kernel's list, so that every listed socket was open
// before they were read: a new socket never comes out without its process,
// only one closed in between may. When several processes hold a socket
// (inherited over fork), the lowest pid is named. Sockets no process is
// found for (not yet accepted, closed by their process, the kernel's own, or
// another user's when not run as root) are kept with pid 0 when they are TCP
// LISTEN or ESTABLISHED, and left out otherwise.
//
// start_boot_ns has tick precision, as in process_snapshot.h, so that it
// joins with the process snapshot. UDP sockets have no byte counts.
#pragma once

#include <cstdint>
#include <vector>

#include "agent/sensors/sock_diag.h"
#include "journal/event.h"

namespace zagent {

struct OwnedSocket {
  DiagSocket socket;  // the kernel's view
  SocketEvent event;  // action Existing, with the process
};

// Every socket as above but those that `skip_pid` holds (0: none is skipped).
// Throws Error("sock_diag: ...") when the kernel refuses the list.
std::vector<OwnedSocket> snapshot_owned_sockets(uint32_t skip_pid);

// The same as events.
std::vector<SocketEvent> snapshot_sockets(uint32_t skip_pid);

}  // namespace zagent
