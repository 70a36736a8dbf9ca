#include "agent/sensors/process_sensor.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "agent/sensors/container_id.h"
#include "agent/sensors/kernel_path.h"
#include "agent/sensors/percpu_sum.h"
#include "agent/sensors/skeleton.h"
#include "journal/error.h"
#include "process.h"
#include "process.skel.h"

namespace zagent {

namespace {

std::string bounded(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

ProcessExec to_exec(const zagent_proc_event& r) {
  ProcessExec e;
  e.pid = r.pid;
  e.ppid = r.ppid;
  e.start_boot_ns = r.start_boot_ns;
  e.parent_start_boot_ns = r.parent_start_boot_ns;
  e.uid = r.uid;
  e.gid = r.gid;
  e.euid = r.euid;
  e.egid = r.egid;
  e.login_uid = r.login_uid;
  e.session_id = r.session_id;
  // Both walked in the kernel at the exec: /proc would race with processes
  // that exit at once.
  e.exe = kernel_path(r.exe, r.exe_size);
  e.argv = split_nul(r.argv, r.argv_size);
  e.argv_truncated = r.argv_truncated != 0;
  e.cwd = kernel_path(r.cwd, r.cwd_size);
  e.comm = bounded(r.comm, sizeof r.comm);
  e.tty = bounded(r.tty, sizeof r.tty);
  // The kernel names pseudo-terminals "pts3"; utmp (and so login events)
  // "pts/3": one spelling makes them join.
  if (e.tty.size() > 3 && e.tty.compare(0, 3, "pts") == 0 && std::isdigit(static_cast<unsigned char>(e.tty[3]))) {
    e.tty.insert(3, "/");
  }
  e.cgroup_id = r.cgroup_id;
  e.container_id = container_id_in(bounded(r.cgroup_name, sizeof r.cgroup_name));
  if (e.container_id.empty()) e.container_id = container_id_in(bounded(r.cgroup_v1_name, sizeof r.cgroup_v1_name));
  return e;
}

}  // namespace

ProcessSensor::ProcessSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeHasher& hasher, Sink sink)
    : hasher_(hasher), sink_(std::move(sink)) {
  libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
  const SkeletonOps<process_bpf> ops{process_bpf__open, process_bpf__load, process_bpf__attach, process_bpf__destroy};
  skel_ = start_skeleton("process", ops, [&](process_bpf* skel) {
    skel->rodata->agent_tgid = agent_tgid;
    bpf_map__set_max_entries(skel->maps.events, ring_bytes);
  });
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &ProcessSensor::on_record, this, nullptr);
  if (!ring_) {
    process_bpf__destroy(skel_);
    throw Error("process sensor: cannot open its ring buffer");
  }
}

ProcessSensor::~ProcessSensor() {
  ring_buffer__free(ring_);
  process_bpf__destroy(skel_);
}

int ProcessSensor::on_record(void* self, void* data, size_t size) {
  auto* sensor = static_cast<ProcessSensor*>(self);
  if (size < sizeof(zagent_proc_event)) return 0;
  const auto& r = *static_cast<const zagent_proc_event*>(data);
  switch (r.kind) {
    case ZAGENT_PROC_EXEC: {
      ProcessExec e = to_exec(r);
      // /proc/PID/exe reaches the very file even if it was replaced since;
      // when the process is already gone, the path must do.
      sensor->hasher_.hash("/proc/" + std::to_string(r.pid) + "/exe", &e.exe_sha256, &e.exe_hash_status);
      if (e.exe_hash_status == HashStatus::Missing && !e.exe.empty()) {
        sensor->hasher_.hash(e.exe, &e.exe_sha256, &e.exe_hash_status);
      }
      sensor->sink_(r.boot_ns, std::move(e));
      break;
    }
    case ZAGENT_PROC_FORK:
      sensor->sink_(r.boot_ns, ProcessFork{r.pid, r.ppid, r.start_boot_ns, r.parent_start_boot_ns, r.uid,
                                           bounded(r.comm, sizeof r.comm)});
      break;
    case ZAGENT_PROC_EXIT:
      sensor->sink_(r.boot_ns, ProcessExit{r.pid, r.start_boot_ns, r.exit_code, r.exit_signal,
                                           static_cast<int64_t>(r.boot_ns - r.start_boot_ns),
                                           bounded(r.comm, sizeof r.comm)});
      break;
    default:
      break;
  }
  return 0;
}

int ProcessSensor::epoll_fd() const { return ring_buffer__epoll_fd(ring_); }

void ProcessSensor::drain() { ring_buffer__consume(ring_); }

ProcessSensor::Drops ProcessSensor::drops() const {
  return Drops{percpu_sum(skel_->maps.drops, ZAGENT_DROP_EXEC), percpu_sum(skel_->maps.drops, ZAGENT_DROP_FORK),
               percpu_sum(skel_->maps.drops, ZAGENT_DROP_EXIT)};
}

}  // namespace zagent
