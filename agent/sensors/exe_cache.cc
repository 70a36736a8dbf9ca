#include "agent/sensors/exe_cache.h"

#include "agent/sensors/proc_link.h"

namespace zagent {

namespace {
constexpr size_t kMaxProcesses = 4096;
}  // namespace

const std::string& ExeCache::exe_of(uint32_t pid, uint64_t start_boot_ns) {
  auto it = by_pid_.find(pid);
  if (it != by_pid_.end() && it->second.first == start_boot_ns) return it->second.second;
  remember(pid, start_boot_ns, proc_link(pid, "exe"));
  return by_pid_[pid].second;
}

void ExeCache::remember(uint32_t pid, uint64_t start_boot_ns, std::string exe) {
  if (by_pid_.size() >= kMaxProcesses && !by_pid_.count(pid)) by_pid_.clear();
  by_pid_[pid] = {start_boot_ns, std::move(exe)};
}

}  // namespace zagent
