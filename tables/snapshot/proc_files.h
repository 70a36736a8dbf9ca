// Reading /proc for the processes and sockets tables. A process can exit at
// any point of a scan, and another user's entries may be unreadable: every
// reader here returns nothing for such an entry and the tables skip it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zagent::tables::proc {

// The pids of the processes (not threads) in /proc, ascending.
std::vector<uint32_t> pids();

// A whole small file (procfs reports size 0, so it is read to EOF); at most
// 1 MiB. Nothing when it cannot be opened or read.
std::optional<std::string> read_file(const std::string& path);

// The fields of /proc/PID/stat the tables use (proc(5) numbers them).
struct Stat {
  std::string comm;       // (2)
  int64_t ppid = 0;       // (4)
  int64_t utime = 0;      // (14) clock ticks
  int64_t stime = 0;      // (15) clock ticks
  int64_t priority = 0;   // (18)
  int64_t starttime = 0;  // (22) clock ticks since boot
  int64_t vsize = 0;      // (23) bytes
  int64_t rss = 0;        // (24) pages
};

std::optional<Stat> read_stat(uint32_t pid);

}  // namespace zagent::tables::proc
