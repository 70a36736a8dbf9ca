/* Walking a struct path up to the root in the kernel, crossing mount
 * points, into the component-reversed form of path.h. Included by the
 * *.bpf.c programs that report paths (each gets its own scratch map). */
#ifndef ZAGENT_BPF_PATH_WALK_H
#define ZAGENT_BPF_PATH_WALK_H

#include "path.h"

// Path walks write into this scratch buffer (one per CPU), then the result
// is copied into the event.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, char[ZAGENT_PATH_BUF]);
} scratch SEC(".maps");

// One step of a path walk, run by bpf_loop so that the verifier checks it
// once rather than once per step. Kernel pointers are kept as plain
// addresses and read with probe reads.
struct path_walk {
  __u64 dentry;
  __u64 vfsmnt;
  __u64 mnt;
  __u32 size;
};

static long path_step(__u32 index, void* data) {
  struct path_walk* w = data;
  __u32 zero = 0;
  char* buf = bpf_map_lookup_elem(&scratch, &zero);
  if (!buf) return 1;
  // Copied to locals first: CO-RE relocations must not reach into path_walk,
  // which the kernel's BTF does not know.
  struct dentry* dentry = (struct dentry*)w->dentry;
  struct vfsmount* vfsmnt = (struct vfsmount*)w->vfsmnt;
  struct mount* mnt = (struct mount*)w->mnt;
  struct dentry* parent = BPF_CORE_READ(dentry, d_parent);
  if (dentry == BPF_CORE_READ(vfsmnt, mnt_root) || dentry == parent) {
    struct mount* up = BPF_CORE_READ(mnt, mnt_parent);
    if (!up || up == mnt) return 1;  // the root of everything
    w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
    w->mnt = (__u64)up;
    w->vfsmnt = (__u64)&up->mnt;
    return 0;
  }
  const unsigned char* name = BPF_CORE_READ(dentry, d_name.name);
  long n = bpf_probe_read_kernel_str(buf + (w->size & (ZAGENT_PATH_LIMIT - 1)), ZAGENT_PATH_LIMIT, name);
  if (n <= 0) return 1;
  w->size += n;
  if (w->size >= ZAGENT_PATH_LIMIT) return 1;
  w->dentry = (__u64)parent;
  return 0;
}

// Walks a path from its dentry up to the root, crossing mount points, into
// `out` (components last first, see process.h); returns the bytes used.
// Paths past the limit come out cut at the top; user space marks them.
static __always_inline unsigned int read_path(char* out, const struct path* path) {
  struct vfsmount* vfsmnt = BPF_CORE_READ(path, mnt);
  struct path_walk w = {
      .dentry = (__u64)BPF_CORE_READ(path, dentry),
      .vfsmnt = (__u64)vfsmnt,
      .mnt = (__u64)container_of(vfsmnt, struct mount, mnt),
      .size = 0,
  };
  bpf_loop(64, path_step, &w, 0);
  __u32 zero = 0;
  const char* buf = bpf_map_lookup_elem(&scratch, &zero);
  unsigned int size = w.size < ZAGENT_PATH_LIMIT ? w.size : ZAGENT_PATH_LIMIT;
  if (!buf || size == 0) return 0;
  bpf_probe_read_kernel(out, size & (ZAGENT_PATH_BUF - 1), buf);
  return size;
}

#endif
