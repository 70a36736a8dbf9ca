// The executable of a process by its key (pid, start), for the sensors whose
// kernel records carry no exe path. Fed with what the process sensor saw at
// exec and fork (so that a process that is gone by the time its socket or
// file record is read still has its exe), else one readlink of
// /proc/PID/exe per process. Bounded: cleared when full.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

namespace zagent {

class ExeCache {
 public:
  // "" when the process is gone or its exe cannot be read.
  const std::string& exe_of(uint32_t pid, uint64_t start_boot_ns);
  void remember(uint32_t pid, uint64_t start_boot_ns, std::string exe);

 private:
  std::unordered_map<uint32_t, std::pair<uint64_t, std::string>> by_pid_;  // pid -> (start, exe)
};

}  // namespace zagent
