// The file sensor: create, open for writing, unlink, rename and chmod of
// regular files and directories, seen as their system calls return with
// success (the syscall tracepoint is the stable place every path takes;
// this kernel offers neither kprobes nor fentry).
//
// Only calls under a watched directory reach the ring buffer: user space
// puts the inode of every watched directory in `watched_dirs`, and a call
// is kept when the file, or the directory its name is relative to, has one
// of them as an ancestor. A name that is absolute has no directory to walk
// here; such calls (unlink, rename, chmod by absolute path) are passed on
// when the name's first component is that of a prefix (`watched_tops`),
// and user space checks their whole path.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "fd_table.h"
#include "file.h"
#include "file_syscalls.h"
#include "path_walk.h"
#include "ring.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define FMODE_WRITE 0x2
#define FMODE_CREATED 0x100000
#define S_IFMT 00170000
#define S_IFREG 0100000

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

// The watched directories, by inode: (ino, dev as the kernel encodes it).
struct dir_key {
  __u64 ino;
  __u32 dev;
  __u32 pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, ZAGENT_WATCHED_DIRS);
  __type(key, struct dir_key);
  __type(value, __u8);
} watched_dirs SEC(".maps");

struct top {
  char name[ZAGENT_TOP_LEN];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, struct top);
  __type(value, __u8);
} watched_tops SEC(".maps");

// Whether an absolute name may lie under a prefix: its first component is
// the first component of one.
static __always_inline bool top_watched(const char* name) {
  struct top any = {};
  if (bpf_map_lookup_elem(&watched_tops, &any)) return true;
  struct top t = {};
  if (bpf_probe_read_user_str(t.name, sizeof(t.name), name + 1) <= 0) return false;
  bool cut = false;  // from the first '/' on, NULs
  for (int i = 0; i < ZAGENT_TOP_LEN - 1; ++i) {
    cut = cut || t.name[i] == '/' || t.name[i] == 0;
    if (cut) t.name[i] = 0;
  }
  t.name[ZAGENT_TOP_LEN - 1] = 0;
  return bpf_map_lookup_elem(&watched_tops, &t) != 0;
}

static long watched_step(__u32 index, void* data) {
  struct path_walk* w = data;
  struct dentry* dentry = (struct dentry*)w->dentry;
  struct inode* inode = BPF_CORE_READ(dentry, d_inode);
  if (inode) {
    struct dir_key key = {.ino = BPF_CORE_READ(inode, i_ino), .dev = BPF_CORE_READ(inode, i_sb, s_dev)};
    if (bpf_map_lookup_elem(&watched_dirs, &key)) {
      w->found = 1;
      return 1;
    }
  }
  return walk_up(w) ? 0 : 1;
}

// Whether `path` is a watched directory or lies under one.
static __always_inline bool watched(const struct path* path) {
  struct path_walk w;
  walk_start(&w, path);
  bpf_loop(64, watched_step, &w, 0);
  return w.found;
}

static __always_inline struct zagent_file_event* reserve(__u32 action) {
  struct zagent_file_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count_drop(&drops, 0);
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
static __always_inline void path_of_file(struct zagent_file_path* out, const struct file* file) {
  struct path p = BPF_CORE_READ(file, f_path);
  out->dir_size = read_path(out->dir, &p);
}

// The directory a name passed with `dirfd` is relative to.
static __always_inline bool dir_of(long dirfd, struct path* dir) {
  if ((int)dirfd == AT_FDCWD) {
    struct task_struct* task = bpf_get_current_task_btf();
    *dir = BPF_CORE_READ(task, fs, pwd);
    return true;
  }
  const struct file* file = file_of_fd((int)dirfd);
  if (!file) return false;
  *dir = BPF_CORE_READ(file, f_path);
  return true;
}

// Whether a name passed as (dirfd, name) may be watched: an absolute name
// when its first component is a prefix's (user space decides); a relative
// one when its directory is watched.
static __always_inline bool name_watched(long dirfd, const char* name) {
  char first = 0;
  if (bpf_probe_read_user(&first, 1, name) != 0) return false;
  if (first == '/') return top_watched(name);
  struct path dir;
  return dir_of(dirfd, &dir) && watched(&dir);
}

// A path passed as (dirfd, name): the name as given, and the directory it
// is relative to unless it is absolute.
static __always_inline void path_at(struct zagent_file_path* out, long dirfd, const char* name) {
  long n = bpf_probe_read_user_str(out->name, sizeof(out->name), name);
  out->name_size = n > 0 ? n : 0;
  if (n > 0 && out->name[0] == '/') return;
  struct path dir;
  if (dir_of(dirfd, &dir)) out->dir_size = read_path(out->dir, &dir);
}

// open(), creat(), openat(), openat2() that returned a descriptor to a
// regular file opened for writing (or created).
static __always_inline int on_open(long fd) {
  const struct file* file = file_of_fd(fd);
  if (!file) return 0;
  const __u32 fmode = BPF_CORE_READ(file, f_mode);
  if (!(fmode & (FMODE_WRITE | FMODE_CREATED))) return 0;
  const __u32 imode = BPF_CORE_READ(file, f_inode, i_mode);
  if ((imode & S_IFMT) != S_IFREG) return 0;
  struct path p = BPF_CORE_READ(file, f_path);
  if (!watched(&p)) return 0;
  struct zagent_file_event* e = reserve(fmode & FMODE_CREATED ? ZAGENT_FILE_CREATE : ZAGENT_FILE_WRITE_OPEN);
  if (!e) return 0;
  e->mode = imode & 07777;
  path_of_file(&e->path, file);
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs* regs, long ret) {
  if (ret < 0) return 0;
  const long id = regs->orig_ax;  // a BTF pointer: read directly, no helper call
  // The cheap test first: most system calls are none of these. (Also when
  // tail-called: this program may be attached on its own.)
  if (!is_file_syscall(id)) return 0;
  if ((bpf_get_current_pid_tgid() >> 32) == agent_tgid) return 0;
  if (id == NR_OPEN || id == NR_CREAT || id == NR_OPENAT || id == NR_OPENAT2) return on_open(ret);
  // Arguments as saved at entry: di, si, dx, r10 are the first four.
  const long a0 = regs->di;
  const long a1 = regs->si;
  const long a2 = regs->dx;
  const long a3 = regs->r10;
  __u32 action = ZAGENT_FILE_UNLINK, mode = 0;
  long dirfd = AT_FDCWD, new_dirfd = AT_FDCWD;
  const char* name = 0;
  const char* new_name = 0;
  const struct file* file = 0;  // fchmod: the file itself
  switch (id) {
    case NR_UNLINK:
    case NR_RMDIR:
      name = (const char*)a0;
      break;
    case NR_UNLINKAT:
      dirfd = a0, name = (const char*)a1;
      break;
    case NR_RENAME:
      action = ZAGENT_FILE_RENAME, name = (const char*)a0, new_name = (const char*)a1;
      break;
    case NR_RENAMEAT:
    case NR_RENAMEAT2:
      action = ZAGENT_FILE_RENAME, dirfd = a0, name = (const char*)a1, new_dirfd = a2, new_name = (const char*)a3;
      break;
    case NR_CHMOD:
      action = ZAGENT_FILE_CHMOD, name = (const char*)a0, mode = a1;
      break;
    case NR_FCHMOD:
      action = ZAGENT_FILE_CHMOD, mode = a1;
      if (!(file = file_of_fd(a0))) return 0;
      break;
    case NR_FCHMODAT:
    case NR_FCHMODAT2:
      action = ZAGENT_FILE_CHMOD, dirfd = a0, name = (const char*)a1, mode = a2;
      break;
  }
  if (file) {
    struct path p = BPF_CORE_READ(file, f_path);
    if (!watched(&p)) return 0;
  } else if (!name_watched(dirfd, name) && !(new_name && name_watched(new_dirfd, new_name))) {
    return 0;
  }
  struct zagent_file_event* e = reserve(action);
  if (!e) return 0;
  e->mode = mode & 07777;
  if (file) {
    path_of_file(&e->path, file);
  } else {
    path_at(&e->path, dirfd, name);
  }
  if (new_name) path_at(&e->new_path, new_dirfd, new_name);
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}
