#include "agent/sensors/proc_stat.h"

#include "agent/sensors/proc_process.h"

#include <unistd.h>

#include <cstdlib>
#include <iterator>
#include <sstream>
#include <vector>

namespace zagent {

bool read_proc_stat(uint32_t pid, ProcStat* out) {
  const std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
  const size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  std::istringstream rest(stat.substr(close + 1));
  const std::vector<std::string> f((std::istream_iterator<std::string>(rest)), std::istream_iterator<std::string>());
  // Fields after comm, 0-based: 0 state, 1 ppid, 2 pgrp, 3 session, 4 tty_nr, ..., 19 starttime.
  if (f.size() < 20) return false;
  out->comm = stat.substr(open + 1, close - open - 1);
  out->ppid = static_cast<uint32_t>(std::strtoul(f[1].c_str(), nullptr, 10));
  out->session_id = static_cast<uint32_t>(std::strtoul(f[3].c_str(), nullptr, 10));
  out->tty_nr = static_cast<uint32_t>(std::strtoul(f[4].c_str(), nullptr, 10));
  const uint64_t ticks = std::strtoull(f[19].c_str(), nullptr, 10);
  out->start_boot_ns = ticks * (1'000'000'000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK)));
  return true;
}

}  // namespace zagent
