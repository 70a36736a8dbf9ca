#include "agent/sensors/process_snapshot.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>

#include "agent/sensors/proc_process.h"

namespace zagent {

std::vector<ProcessSnapshot> snapshot_processes(ExeHasher& hasher, uint32_t skip_pid) {
  std::vector<ProcessSnapshot> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (const dirent* d = ::readdir(proc)) {
    char* end = nullptr;
    const unsigned long pid = std::strtoul(d->d_name, &end, 10);
    if (*end != '\0' || pid == 0 || pid == skip_pid) continue;
    ProcessSnapshot p;
    if (read_proc_process(static_cast<uint32_t>(pid), hasher, &p)) out.push_back(std::move(p));
  }
  ::closedir(proc);
  // Parents before children where pids allow: ascending pid.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  return out;
}

}  // namespace zagent
