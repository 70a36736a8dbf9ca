// The process sensor: exec, fork (processes, not threads) and exit, from BTF
// tracepoints. Kernel logic only: read fields, reserve, fill, submit; paths,
// hashes and names are resolved in user space (process_sensor.cc).
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "path_walk.h"
#include "process.h"
#include "ring.h"

char LICENSE[] SEC("license") = "GPL";

// Set by the loader before load: the agent's own process is not recorded.
const volatile __u32 agent_tgid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 22);  // resized by the loader from the config
} events SEC(".maps");

// Events that found the ring buffer full, per kind; user space reads and
// journals them every second.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, ZAGENT_DROP_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} drops SEC(".maps");

static __always_inline void fill_task(struct zagent_proc_event* e, struct task_struct* task) {
  struct task_struct* parent = BPF_CORE_READ(task, real_parent);
  e->pid = BPF_CORE_READ(task, tgid);
  e->ppid = BPF_CORE_READ(parent, tgid);
  e->start_boot_ns = BPF_CORE_READ(task, start_boottime);
  e->parent_start_boot_ns = BPF_CORE_READ(parent, start_boottime);
  e->uid = BPF_CORE_READ(task, cred, uid.val);
  e->gid = BPF_CORE_READ(task, cred, gid.val);
  e->euid = BPF_CORE_READ(task, cred, euid.val);
  e->egid = BPF_CORE_READ(task, cred, egid.val);
  e->login_uid = BPF_CORE_READ(task, loginuid.val);
  e->session_id = BPF_CORE_READ(task, sessionid);
  e->boot_ns = bpf_ktime_get_boot_ns();
  BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
}

// Reserves a record of `kind` for `task` with every optional part empty; on
// a full ring counts the drop and returns NULL.
static __always_inline struct zagent_proc_event* reserve(__u32 kind, __u32 drop, struct task_struct* task) {
  struct zagent_proc_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count_drop(&drops, drop);
    return 0;
  }
  e->kind = kind;
  fill_task(e, task);
  e->cgroup_id = 0;
  e->exit_code = 0;
  e->exit_signal = 0;
  e->argv_size = 0;
  e->argv_truncated = 0;
  e->exe_size = 0;
  e->cwd_size = 0;
  e->tty[0] = 0;
  e->cgroup_name[0] = 0;
  e->cgroup_v1_name[0] = 0;
  return e;
}

// The cgroup names a container id may be read from (process.h).
static __always_inline void read_cgroup_names(struct zagent_proc_event* e, struct task_struct* task) {
  struct css_set* cgroups = BPF_CORE_READ(task, cgroups);
  const char* name = BPF_CORE_READ(cgroups, dfl_cgrp, kn, name);
  if (name) bpf_probe_read_kernel_str(e->cgroup_name, sizeof(e->cgroup_name), name);
  if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) return;
  const int memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
  if (memory < 0 || memory >= bpf_core_field_size(cgroups->subsys) / sizeof(void*)) return;
  struct cgroup_subsys_state* css = 0;
  bpf_probe_read_kernel(&css, sizeof(css), &cgroups->subsys[memory & 15]);
  if (!css) return;
  name = BPF_CORE_READ(css, cgroup, kn, name);
  if (name) bpf_probe_read_kernel_str(e->cgroup_v1_name, sizeof(e->cgroup_v1_name), name);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct* task, pid_t old_pid, struct linux_binprm* bprm) {
  if (BPF_CORE_READ(task, tgid) == agent_tgid) return 0;
  struct zagent_proc_event* e = reserve(ZAGENT_PROC_EXEC, ZAGENT_DROP_EXEC, task);
  if (!e) return 0;
  e->cgroup_id = bpf_get_current_cgroup_id();
  read_cgroup_names(e, task);
  struct tty_struct* tty = BPF_CORE_READ(task, signal, tty);
  if (tty) BPF_CORE_READ_STR_INTO(&e->tty, tty, name);
  // Read here, not from /proc later: short-lived processes are gone by then.
  struct path exe_path = BPF_CORE_READ(bprm, file, f_path);
  e->exe_size = read_path(e->exe, &exe_path);
  struct path cwd_path = BPF_CORE_READ(task, fs, pwd);
  e->cwd_size = read_path(e->cwd, &cwd_path);

  // argv lies in the new process's memory, between arg_start and arg_end.
  unsigned long start = BPF_CORE_READ(task, mm, arg_start);
  unsigned long end = BPF_CORE_READ(task, mm, arg_end);
  unsigned long size = end > start ? end - start : 0;
  // The mask proves the bound to the verifier; it keeps one byte spare.
  e->argv_truncated = size > ZAGENT_ARGV_LEN - 1;
  if (size > ZAGENT_ARGV_LEN - 1) size = ZAGENT_ARGV_LEN - 1;
  size &= ZAGENT_ARGV_LEN - 1;
  if (size > 0 && bpf_probe_read_user(&e->argv, size, (void*)start) == 0) e->argv_size = size;
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct* parent, struct task_struct* child) {
  // A new thread shares its parent's thread group: not a process.
  if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid)) return 0;
  if (BPF_CORE_READ(parent, tgid) == agent_tgid) return 0;
  struct zagent_proc_event* e = reserve(ZAGENT_PROC_FORK, ZAGENT_DROP_FORK, child);
  if (!e) return 0;
  e->cgroup_id = bpf_get_current_cgroup_id();
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct* task) {
  // Only when the whole process ends: its last thread exits.
  if (BPF_CORE_READ(task, signal, live.counter) != 0) return 0;
  if (BPF_CORE_READ(task, tgid) == agent_tgid) return 0;
  struct zagent_proc_event* e = reserve(ZAGENT_PROC_EXIT, ZAGENT_DROP_EXIT, task);
  if (!e) return 0;
  int code = BPF_CORE_READ(task, exit_code);
  e->exit_code = (code >> 8) & 0xff;
  e->exit_signal = code & 0x7f;
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}
