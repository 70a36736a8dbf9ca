#include "agent/sensors/process_snapshot.h"

#include "agent/sensors/container_id.h"
#include "agent/sensors/proc_link.h"
#include "agent/sensors/proc_stat.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace zagent {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Fields of /proc/PID/status such as "Uid:\t0\t0\t0\t0".
std::vector<uint32_t> status_ids(const std::string& status, const std::string& key) {
  std::vector<uint32_t> ids;
  const size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return ids;
  std::istringstream line(status.substr(at + key.size() + 2, status.find('\n', at + 1) - at - key.size() - 2));
  uint32_t v;
  while (line >> v) ids.push_back(v);
  return ids;
}

bool read_process(uint32_t pid, ExeHasher& hasher, ProcessSnapshot* p) {
  const std::string dir = "/proc/" + std::to_string(pid);
  ProcStat stat;
  if (!read_proc_stat(pid, &stat)) return false;
  p->pid = pid;
  p->comm = stat.comm;
  p->ppid = stat.ppid;
  p->session_id = stat.session_id;
  p->start_boot_ns = stat.start_boot_ns;

  const std::string status = read_all(dir + "/status");
  const std::vector<uint32_t> uids = status_ids(status, "Uid"), gids = status_ids(status, "Gid");
  if (uids.size() >= 2) {
    p->uid = uids[0];
    p->euid = uids[1];
  }
  if (gids.size() >= 2) {
    p->gid = gids[0];
    p->egid = gids[1];
  }
  const std::string loginuid = read_all(dir + "/loginuid");
  if (!loginuid.empty()) p->login_uid = static_cast<uint32_t>(std::strtoul(loginuid.c_str(), nullptr, 10));

  const std::string cmdline = read_all(dir + "/cmdline");
  size_t start = 0;
  for (size_t i = 0; i < cmdline.size(); ++i) {
    if (cmdline[i] == '\0') {
      p->argv.push_back(cmdline.substr(start, i - start));
      start = i + 1;
    }
  }
  if (start < cmdline.size()) p->argv.push_back(cmdline.substr(start));
  p->exe = proc_link(pid, "exe");
  p->cwd = proc_link(pid, "cwd");
  p->container_id = container_id_of_pid(pid);
  if (!p->exe.empty()) hasher.hash(dir + "/exe", &p->exe_sha256, &p->exe_hash_status);
  return true;
}

}  // namespace

std::vector<ProcessSnapshot> snapshot_processes(ExeHasher& hasher, uint32_t skip_pid) {
  std::vector<ProcessSnapshot> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (const dirent* d = ::readdir(proc)) {
    char* end = nullptr;
    const unsigned long pid = std::strtoul(d->d_name, &end, 10);
    if (*end != '\0' || pid == 0 || pid == skip_pid) continue;
    ProcessSnapshot p;
    if (read_process(static_cast<uint32_t>(pid), hasher, &p)) out.push_back(std::move(p));
  }
  ::closedir(proc);
  // Parents before children where pids allow: ascending pid.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  return out;
}

}  // namespace zagent
