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

// A walk from a dentry up to the root, one step per bpf_loop iteration, so
// that the verifier checks a step once rather than once per step. Kernel
// pointers are kept as plain addresses and read with probe reads.
struct path_walk {
  __u64 dentry;
  __u64 vfsmnt;
  __u64 mnt;
  __u32 size;   // read_path: bytes written
  __u32 found;  // other walks: what they looked for was found
};

static __always_inline void walk_start(struct path_walk* w, const struct path* path) {
  struct vfsmount* vfsmnt = BPF_CORE_READ(path, mnt);
  w->dentry = (__u64)BPF_CORE_READ(path, dentry);
  w->vfsmnt = (__u64)vfsmnt;
  w->mnt = (__u64)container_of(vfsmnt, struct mount, mnt);
  w->size = 0;
  w->found = 0;
}

// Moves the walk to the parent of its dentry, crossing from a mount's root
// to its mount point. Returns 0 when there is no parent: the root of all.
static __always_inline int walk_up(struct path_walk* w) {
  // Copied to locals first: CO-RE relocations must not reach into
  // path_walk, which the kernel's BTF does not know.
  struct dentry* dentry = (struct dentry*)w->dentry;
  struct vfsmount* vfsmnt = (struct vfsmount*)w->vfsmnt;
  struct mount* mnt = (struct mount*)w->mnt;
  struct dentry* parent = BPF_CORE_READ(dentry, d_parent);
  if (dentry == BPF_CORE_READ(vfsmnt, mnt_root) || dentry == parent) {
    struct mount* up = BPF_CORE_READ(mnt, mnt_parent);
    if (!up || up == mnt) return 0;
    w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
    w->mnt = (__u64)up;
    w->vfsmnt = (__u64)&up->mnt;
    return 1;
  }
  w->dentry = (__u64)parent;
  return 1;
}

// A mount root contributes no name: its name is its mount point's.
static __always_inline int at_mount_root(const struct path_walk* w) {
  struct dentry* dentry = (struct dentry*)w->dentry;
  struct vfsmount* vfsmnt = (struct vfsmount*)w->vfsmnt;
  return dentry == BPF_CORE_READ(vfsmnt, mnt_root) || dentry == BPF_CORE_READ(dentry, d_parent);
}

static long path_step(__u32 index, void* data) {
  struct path_walk* w = data;
  __u32 zero = 0;
  char* buf = bpf_map_lookup_elem(&scratch, &zero);
  if (!buf) return 1;
  if (!at_mount_root(w)) {
    struct dentry* dentry = (struct dentry*)w->dentry;
    const unsigned char* name = BPF_CORE_READ(dentry, d_name.name);
    long n = bpf_probe_read_kernel_str(buf + (w->size & (ZAGENT_PATH_LIMIT - 1)), ZAGENT_PATH_LIMIT, name);
    if (n <= 0) return 1;
    w->size += n;
    if (w->size >= ZAGENT_PATH_LIMIT) return 1;
  }
  return walk_up(w) ? 0 : 1;
}

// Walks a path from its dentry up to the root, crossing mount points, into
// `out` (components last first, see process.h); returns the bytes used.
// Paths past the limit come out cut at the top; user space marks them.
static __always_inline unsigned int read_path(char* out, const struct path* path) {
  struct path_walk w;
  walk_start(&w, path);
  bpf_loop(64, path_step, &w, 0);
  __u32 zero = 0;
  const char* buf = bpf_map_lookup_elem(&scratch, &zero);
  unsigned int size = w.size < ZAGENT_PATH_LIMIT ? w.size : ZAGENT_PATH_LIMIT;
  if (!buf || size == 0) return 0;
  bpf_probe_read_kernel(out, size & (ZAGENT_PATH_BUF - 1), buf);
  return size;
}

#endif
