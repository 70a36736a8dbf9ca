#include "agent/sensors/proc_process.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "agent/sensors/container_id.h"
#include "agent/sensors/kernel_path.h"
#include "agent/sensors/proc_link.h"
#include "agent/sensors/proc_stat.h"

namespace zagent {

namespace {

uint32_t to_u32(const std::string& s) { return static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 10)); }

// The controlling terminal as the eBPF sensor and utmp spell it ("pts/3",
// "tty1", "ttyS0"); "" for none and for rarer drivers.
std::string tty_name(uint32_t tty_nr) {
  const unsigned major = ::major(tty_nr), minor = ::minor(tty_nr);
  if (major >= 136 && major <= 143) return "pts/" + std::to_string((major - 136) * 256 + minor);
  if (major == 4) return minor < 64 ? "tty" + std::to_string(minor) : "ttyS" + std::to_string(minor - 64);
  return {};
}

}  // namespace

// With read(2), not a stream: reading the /proc files of a process that is
// exiting fails with ESRCH, which libstdc++'s filebuf reports by throwing
// from istreambuf_iterator (it aborted the agent). Here it just ends the file.
std::string read_proc_file(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

void proc_status_ids(const std::string& status, const std::string& key, uint32_t* real, uint32_t* effective) {
  const size_t at = status.find("\n" + key + ":");
  std::istringstream line(at == std::string::npos ? "" : status.substr(at + key.size() + 2));
  if (uint32_t r, e; line >> r >> e) *real = r, *effective = e;
}

bool read_proc_process(uint32_t pid, ExeHasher& hasher, ProcessExec* out) {
  ProcessExec& e = *out;
  e.pid = pid;
  const std::string dir = "/proc/" + std::to_string(pid);
  ProcStat st;
  const bool alive = read_proc_stat(pid, &st);
  if (alive) {
    e.ppid = st.ppid;
    e.start_boot_ns = st.start_boot_ns;
    e.comm = st.comm;
    e.tty = tty_name(st.tty_nr);
    if (read_proc_stat(st.ppid, &st)) e.parent_start_boot_ns = st.start_boot_ns;
  }
  const std::string status = read_proc_file(dir + "/status");
  proc_status_ids(status, "Uid", &e.uid, &e.euid);
  proc_status_ids(status, "Gid", &e.gid, &e.egid);
  // The audit ids, as the eBPF sensor reads them (not stat's session leader).
  if (const std::string id = read_proc_file(dir + "/loginuid"); !id.empty()) e.login_uid = to_u32(id);
  if (const std::string id = read_proc_file(dir + "/sessionid"); !id.empty()) e.session_id = to_u32(id);
  const std::string cmdline = read_proc_file(dir + "/cmdline");
  e.argv = split_nul(cmdline.data(), cmdline.size());
  e.exe = proc_link(pid, "exe");
  e.cwd = proc_link(pid, "cwd");
  e.container_id = container_id_of_pid(pid);
  // /proc/PID/exe reaches the very file even if it was replaced since.
  if (!e.exe.empty()) hasher.hash(dir + "/exe", &e.exe_sha256, &e.exe_hash_status);
  return alive;
}

}  // namespace zagent
