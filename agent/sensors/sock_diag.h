// The kernel's table of TCP and UDP sockets, IPv4 and IPv6, read over
// NETLINK_SOCK_DIAG (what `ss` uses). Needs no privilege: every socket is
// listed, whoever owns it, but only those of the caller's network namespace
// (a container with a network namespace of its own is not seen).
#pragma once

#include <cstdint>
#include <vector>

#include "journal/event.h"

namespace zagent {

// The kernel's socket states (include/net/tcp_states.h); sock_diag reports
// UDP sockets as Established when connected and Close when only bound.
enum class TcpState : uint8_t {
  Established = 1, SynSent, SynRecv, FinWait1, FinWait2, TimeWait, Close, CloseWait, LastAck, Listen, Closing,
};
constexpr uint32_t state_bit(TcpState s) { return 1u << static_cast<unsigned>(s); }

struct DiagSocket {
  Protocol protocol = Protocol::Tcp;
  uint8_t family = 0;  // AF_INET or AF_INET6; an AF_INET6 socket may hold IPv4-mapped addresses
  TcpState state = TcpState::Close;
  uint32_t inode = 0;  // 0: no socket file (in an accept queue, or closed by its process)
  uint32_t uid = 0;    // the socket's owner
  IpAddress local_addr;
  uint16_t local_port = 0;
  IpAddress remote_addr;
  uint16_t remote_port = 0;
  // TCP, from tcp_info: payload bytes sent, retransmissions included (the
  // eBPF sensor's meaning; kernels before 4.19 lack it and give bytes acked,
  // which counts the SYN of an active open), and payload bytes received (a
  // received FIN taken off).
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
};

// Every socket of `protocol`, IPv4 then IPv6, in one of `states` (state_bit
// ORed). Throws Error("sock_diag: ...") when the kernel refuses.
std::vector<DiagSocket> sock_diag_dump(Protocol protocol, uint32_t states);

}  // namespace zagent
