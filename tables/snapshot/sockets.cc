// sockets: the TCP and UDP sockets open at the time of the query, from
// /proc/net/{tcp,tcp6,udp,udp6} (this process's network namespace), each
// with the process holding it, found by the socket's inode in /proc/*/fd.
//
//   SELECT pid, process, local_addr, local_port FROM sockets WHERE state = 'LISTEN'
//
// Columns as zeek-agent v2's sockets table (src/tables/sockets/sockets.h).
// A socket no readable process holds (another user's, when not root; one
// the kernel keeps in TIME_WAIT) has a null pid and process; one that
// several processes share is reported with the lowest pid.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "tables/snapshot/proc_files.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

struct Holder {
  int64_t pid = 0;
  std::string process;
};

// Maps socket inodes to the first process (lowest pid) holding them.
std::unordered_map<uint64_t, Holder> socket_holders() {
  std::unordered_map<uint64_t, Holder> holders;
  for (const uint32_t pid : proc::pids()) {
    const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* dir = ::opendir(fd_dir.c_str());
    if (!dir) continue;  // gone, or another user's
    std::optional<std::string> comm;
    while (const dirent* entry = ::readdir(dir)) {
      char target[64];
      const std::string link = fd_dir + "/" + entry->d_name;
      const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      unsigned long long inode = 0;
      if (std::sscanf(target, "socket:[%llu]", &inode) != 1) continue;
      if (!comm) {
        const std::optional<proc::Stat> stat = proc::read_stat(pid);
        comm = stat ? stat->comm : "";
      }
      holders.try_emplace(inode, Holder{pid, *comm});
    }
    ::closedir(dir);
  }
  return holders;
}

// An address as /proc/net prints it: the raw 32-bit words of the address in
// network order, each printed as a host-order hex number.
std::string parse_address(const std::string& hex, int family) {
  uint8_t bytes[16] = {};
  const size_t words = family == AF_INET ? 1 : 4;
  if (hex.size() != words * 8) return "";
  for (size_t i = 0; i < words; ++i) {
    const uint32_t word = static_cast<uint32_t>(std::stoul(hex.substr(i * 8, 8), nullptr, 16));
    std::memcpy(bytes + i * 4, &word, 4);
  }
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, bytes, text, sizeof text);
  return text;
}

// The TCP states of include/net/tcp_states.h (the index: TCP_ESTABLISHED = 1
// to TCP_NEW_SYN_RECV = 12), named as zeek-agent v2 names them.
Value tcp_state(int state) {
  static const char* const kNames[] = {
      nullptr,  "ESTABLISHED", "SYN_SENT", "SYN_RECEIVED", "FIN_WAIT_1", "FIN_WAIT_2",   "TIME_WAIT",
      "CLOSED", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",       "CLOSING",    "SYN_RECEIVED",  // NEW_SYN_RECV
  };
  if (state <= 0 || state >= static_cast<int>(std::size(kNames))) return {};
  return std::string(kNames[state]);
}

void add_sockets(const std::string& file, int family, int protocol, const std::unordered_map<uint64_t, Holder>& holders,
                 std::vector<Row>* rows) {
  // Streamed: a busy server's table is far larger than proc::read_file's bound.
  std::ifstream lines(file);
  if (!lines) return;  // e.g. no IPv6 in this kernel
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
    uint64_t inode = 0;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode)) {
      continue;
    }
    const size_t local_colon = local.find(':');
    const size_t remote_colon = remote.find(':');
    if (local_colon == std::string::npos || remote_colon == std::string::npos) continue;

    Value pid, process;
    if (const auto it = holders.find(inode); inode && it != holders.end()) {
      pid = it->second.pid;
      process = it->second.process;
    }
    rows->push_back(Row{
        pid,
        process,
        std::string(family == AF_INET ? "IPv4" : "IPv6"),
        int64_t{protocol},
        parse_address(local.substr(0, local_colon), family),
        static_cast<int64_t>(std::stoul(local.substr(local_colon + 1), nullptr, 16)),
        parse_address(remote.substr(0, remote_colon), family),
        static_cast<int64_t>(std::stoul(remote.substr(remote_colon + 1), nullptr, 16)),
        protocol == IPPROTO_TCP ? tcp_state(std::stoi(state, nullptr, 16)) : Value(),
    });
  }
}

class Sockets final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "sockets",
        "the TCP and UDP sockets open at the time of the query (as zeek-agent v2's sockets)",
        {
            {"pid", ColumnType::Integer, "ID of the process holding the socket; null when none readable holds it"},
            {"process", ColumnType::Text, "name of the process holding the socket"},
            {"family", ColumnType::Text, "`IPv4` or `IPv6`"},
            {"protocol", ColumnType::Integer, "transport protocol number: 6 for TCP, 17 for UDP"},
            {"local_addr", ColumnType::Text, "local IP address"},
            {"local_port", ColumnType::Integer, "local port number"},
            {"remote_addr", ColumnType::Text, "remote IP address (the unspecified address when unconnected)"},
            {"remote_port", ColumnType::Integer, "remote port number (0 when unconnected)"},
            {"state", ColumnType::Text, "TCP state (`LISTEN`, `ESTABLISHED`, ...); null for UDP"},
        },
        "SELECT pid, process, local_addr, local_port FROM sockets WHERE state = 'LISTEN'",
        {{"pid", ZeekType::Count}, {"protocol", ZeekType::Count}, {"local_addr", ZeekType::Addr},
         {"local_port", ZeekType::Count}, {"remote_addr", ZeekType::Addr}, {"remote_port", ZeekType::Count}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>&, const QueryContext&) override {
    const std::unordered_map<uint64_t, Holder> holders = socket_holders();
    std::vector<Row> rows;
    add_sockets("/proc/net/tcp", AF_INET, IPPROTO_TCP, holders, &rows);
    add_sockets("/proc/net/tcp6", AF_INET6, IPPROTO_TCP, holders, &rows);
    add_sockets("/proc/net/udp", AF_INET, IPPROTO_UDP, holders, &rows);
    add_sockets("/proc/net/udp6", AF_INET6, IPPROTO_UDP, holders, &rows);
    return rows;
  }
};

const SnapshotTableRegistration<Sockets> registration;

}  // namespace
}  // namespace zagent::tables
