// The file sensor: create, open for writing, unlink, rename and chmod of
// regular files and directories, seen as their system calls return with
// success (the syscall tracepoints are the stable place every path takes;
// this kernel offers neither kprobes nor fentry). Which paths are of
// interest is decided in user space (file_sensor.cc).
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "file.h"
#include "path_walk.h"
#include "ring_wakeup.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define FMODE_WRITE 0x2
#define FMODE_CREATED 0x100000
#define S_IFMT 00170000
#define S_IFREG 0100000

// x86_64 system call numbers.
#define NR_OPEN 2
#define NR_RENAME 82
#define NR_RMDIR 84
#define NR_CREAT 85
#define NR_UNLINK 87
#define NR_CHMOD 90
#define NR_FCHMOD 91
#define NR_OPENAT 257
#define NR_UNLINKAT 263
#define NR_RENAMEAT 264
#define NR_FCHMODAT 268
#define NR_RENAMEAT2 316
#define NR_OPENAT2 437
#define NR_FCHMODAT2 452

const volatile __u32 agent_tgid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} drops SEC(".maps");

static __always_inline struct file* file_of_fd(long fd) {
  if (fd < 0) return 0;
  struct task_struct* task = bpf_get_current_task_btf();
  struct file** fds = BPF_CORE_READ(task, files, fdt, fd);
  struct file* file = 0;
  bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xfffff]);
  return file;
}

static __always_inline struct zagent_file_event* reserve(__u32 action) {
  struct zagent_file_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    __u32 zero = 0;
    __u64* n = bpf_map_lookup_elem(&drops, &zero);
    if (n) *n += 1;
    return 0;
  }
  struct task_struct* task = bpf_get_current_task_btf();
  e->action = action;
  e->pid = task->tgid;
  e->uid = (__u32)bpf_get_current_uid_gid();
  e->start_boot_ns = task->group_leader->start_boottime;
  e->boot_ns = bpf_ktime_get_boot_ns();
  e->mode = 0;
  bpf_get_current_comm(&e->comm, sizeof(e->comm));
  e->path.dir_size = 0;
  e->path.name_size = 0;
  e->new_path.dir_size = 0;
  e->new_path.name_size = 0;
  return e;
}

// The path of an open file.
static __always_inline void path_of_file(struct zagent_file_path* out, struct file* file) {
  struct path p = BPF_CORE_READ(file, f_path);
  out->dir_size = read_path(out->dir, &p);
}

// A path passed as (dirfd, name): the name as given, and the directory it
// is relative to unless it is absolute.
static __always_inline void path_at(struct zagent_file_path* out, long dirfd, const char* name) {
  long n = bpf_probe_read_user_str(out->name, sizeof(out->name), name);
  out->name_size = n > 0 ? n : 0;
  if (n > 0 && out->name[0] == '/') return;
  struct path dir;
  if ((int)dirfd == AT_FDCWD) {
    struct task_struct* task = bpf_get_current_task_btf();
    dir = BPF_CORE_READ(task, fs, pwd);
  } else {
    struct file* file = file_of_fd((int)dirfd);
    if (!file) return;
    dir = BPF_CORE_READ(file, f_path);
  }
  out->dir_size = read_path(out->dir, &dir);
}

// open(), creat(), openat(), openat2() that returned a descriptor to a
// regular file opened for writing (or created).
static __always_inline int on_open(long fd) {
  struct file* file = file_of_fd(fd);
  if (!file) return 0;
  const __u32 fmode = BPF_CORE_READ(file, f_mode);
  if (!(fmode & (FMODE_WRITE | FMODE_CREATED))) return 0;
  const __u32 imode = BPF_CORE_READ(file, f_inode, i_mode);
  if ((imode & S_IFMT) != S_IFREG) return 0;
  struct zagent_file_event* e = reserve(fmode & FMODE_CREATED ? ZAGENT_FILE_CREATE : ZAGENT_FILE_WRITE_OPEN);
  if (!e) return 0;
  e->mode = imode & 07777;
  path_of_file(&e->path, file);
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs* regs, long ret) {
  if (ret < 0) return 0;
  const long id = BPF_CORE_READ(regs, orig_ax);
  // The cheap test first: most system calls are none of these.
  if (id != NR_OPEN && id != NR_CREAT && id != NR_OPENAT && id != NR_OPENAT2 && id != NR_UNLINK &&
      id != NR_UNLINKAT && id != NR_RMDIR && id != NR_RENAME && id != NR_RENAMEAT && id != NR_RENAMEAT2 &&
      id != NR_CHMOD && id != NR_FCHMOD && id != NR_FCHMODAT && id != NR_FCHMODAT2) {
    return 0;
  }
  if ((bpf_get_current_pid_tgid() >> 32) == agent_tgid) return 0;
  if (id == NR_OPEN || id == NR_CREAT || id == NR_OPENAT || id == NR_OPENAT2) return on_open(ret);
  // Arguments as saved at entry: di, si, dx, r10 are the first four.
  const long a0 = BPF_CORE_READ(regs, di);
  const long a1 = BPF_CORE_READ(regs, si);
  const long a2 = BPF_CORE_READ(regs, dx);
  const long a3 = BPF_CORE_READ(regs, r10);
  struct zagent_file_event* e = 0;
  switch (id) {
    case NR_UNLINK:
    case NR_RMDIR:
      if ((e = reserve(ZAGENT_FILE_UNLINK))) path_at(&e->path, AT_FDCWD, (const char*)a0);
      break;
    case NR_UNLINKAT:
      if ((e = reserve(ZAGENT_FILE_UNLINK))) path_at(&e->path, a0, (const char*)a1);
      break;
    case NR_RENAME:
      if ((e = reserve(ZAGENT_FILE_RENAME))) {
        path_at(&e->path, AT_FDCWD, (const char*)a0);
        path_at(&e->new_path, AT_FDCWD, (const char*)a1);
      }
      break;
    case NR_RENAMEAT:
    case NR_RENAMEAT2:
      if ((e = reserve(ZAGENT_FILE_RENAME))) {
        path_at(&e->path, a0, (const char*)a1);
        path_at(&e->new_path, a2, (const char*)a3);
      }
      break;
    case NR_CHMOD:
      if ((e = reserve(ZAGENT_FILE_CHMOD))) {
        e->mode = a1 & 07777;
        path_at(&e->path, AT_FDCWD, (const char*)a0);
      }
      break;
    case NR_FCHMOD: {
      struct file* file = file_of_fd(a0);
      if (file && (e = reserve(ZAGENT_FILE_CHMOD))) {
        e->mode = a1 & 07777;
        path_of_file(&e->path, file);
      }
      break;
    }
    case NR_FCHMODAT:
    case NR_FCHMODAT2:
      if ((e = reserve(ZAGENT_FILE_CHMOD))) {
        e->mode = a2 & 07777;
        path_at(&e->path, a0, (const char*)a1);
      }
      break;
  }
  if (e) bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}
