#include "agent/sensors/socket_snapshot.h"

#include <dirent.h>

#include <cstdlib>
#include <string>
#include <unordered_map>

#include "agent/sensors/proc_link.h"
#include "agent/sensors/proc_stat.h"
#include "journal/error.h"

namespace zagent {

namespace {

constexpr uint32_t kTcpStates =
    state_bit(TcpState::Listen) | state_bit(TcpState::SynSent) | state_bit(TcpState::Established) |
    state_bit(TcpState::FinWait1) | state_bit(TcpState::FinWait2) | state_bit(TcpState::CloseWait) |
    state_bit(TcpState::LastAck) | state_bit(TcpState::Closing);
constexpr uint32_t kUdpStates = state_bit(TcpState::Established) | state_bit(TcpState::Close);

// Calls f(n) for each entry of `dir` named by a number; false when `dir`
// cannot be read (the process is gone, or it is not ours to read).
template <typename F>
bool for_each_numbered(const std::string& dir, F f) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  while (const dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(e->d_name, &end, 10);
    if (*end == '\0' && end != e->d_name) f(static_cast<uint32_t>(n));
  }
  ::closedir(d);
  return true;
}

// Socket inode -> the pid holding it: the lowest other than skip_pid, and
// skip_pid only when no other process holds it (then the socket, the
// agent's own, is left out). A socket the agent inherited from whoever
// started it is still listed, under the other holder.
std::unordered_map<uint32_t, uint32_t> socket_holders(uint32_t skip_pid) {
  std::unordered_map<uint32_t, uint32_t> holders;
  const bool read = for_each_numbered("/proc", [&](uint32_t pid) {
    for_each_numbered("/proc/" + std::to_string(pid) + "/fd", [&](uint32_t fd) {
      const std::string target = proc_link(pid, ("fd/" + std::to_string(fd)).c_str());
      if (!target.starts_with("socket:[")) return;
      const auto inode = static_cast<uint32_t>(std::strtoul(target.c_str() + 8, nullptr, 10));
      auto [it, fresh] = holders.emplace(inode, pid);
      if (!fresh && (it->second == skip_pid || (pid != skip_pid && pid < it->second))) it->second = pid;
    });
  });
  if (!read) throw_errno("socket snapshot", "/proc");
  return holders;
}

// What a socket's event names of its process; read once per process.
struct Process {
  bool alive = false;
  ProcStat stat;
  std::string exe;
};

const Process* process(uint32_t pid, std::unordered_map<uint32_t, Process>& known) {
  if (pid == 0) return nullptr;
  auto [it, fresh] = known.try_emplace(pid);
  Process& p = it->second;
  if (fresh) {
    p.alive = read_proc_stat(pid, &p.stat);
    if (p.alive) p.exe = proc_link(pid, "exe");
  }
  return p.alive ? &p : nullptr;
}

// Without a process, TCP LISTEN and ESTABLISHED sockets are still worth
// listing (kernel listeners, connections waiting to be accepted); other TCP
// sockets without one are mostly connections their process has closed.
bool kept_without_process(const DiagSocket& s) {
  return s.protocol == Protocol::Tcp && (s.state == TcpState::Listen || s.state == TcpState::Established);
}

}  // namespace

std::vector<OwnedSocket> snapshot_owned_sockets(uint32_t skip_pid) {
  std::vector<DiagSocket> sockets = sock_diag_dump(Protocol::Tcp, kTcpStates);
  for (DiagSocket& s : sock_diag_dump(Protocol::Udp, kUdpStates)) sockets.push_back(s);
  const std::unordered_map<uint32_t, uint32_t> holders = socket_holders(skip_pid);
  std::unordered_map<uint32_t, Process> processes;
  std::vector<OwnedSocket> out;
  for (const DiagSocket& s : sockets) {
    const auto holder = s.inode == 0 ? holders.end() : holders.find(s.inode);
    const uint32_t pid = holder == holders.end() ? 0 : holder->second;
    if (skip_pid != 0 && pid == skip_pid) continue;
    const Process* p = process(pid, processes);
    if (!p && !kept_without_process(s)) continue;
    SocketEvent e;
    e.action = SocketAction::Existing;
    e.protocol = s.protocol;
    e.pid = p ? pid : 0;
    e.uid = s.uid;
    if (p) {
      e.start_boot_ns = p->stat.start_boot_ns;
      e.comm = p->stat.comm;
      e.exe = p->exe;
    }
    e.local_addr = s.local_addr;
    e.local_port = s.local_port;
    e.remote_addr = s.remote_addr;
    e.remote_port = s.remote_port;
    e.bytes_sent = s.bytes_sent;
    e.bytes_received = s.bytes_received;
    out.push_back({s, std::move(e)});
  }
  return out;
}

std::vector<SocketEvent> snapshot_sockets(uint32_t skip_pid) {
  std::vector<SocketEvent> out;
  for (OwnedSocket& s : snapshot_owned_sockets(skip_pid)) out.push_back(std::move(s.event));
  return out;
}

}  // namespace zagent
