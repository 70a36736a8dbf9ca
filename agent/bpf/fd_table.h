/* The open file behind a descriptor of the current process, for the
 * programs that see system calls return (socket.bpf.c, file.bpf.c). The
 * task, fd table and file are read with direct loads through read-only
 * casts rather than one probe-read helper call per field: this runs at the
 * return of many system calls of the host. */
#ifndef ZAGENT_BPF_FD_TABLE_H
#define ZAGENT_BPF_FD_TABLE_H

/* A pointer as a read-only, untrusted kernel object of a BTF type: its
 * fields are then read with direct loads (checked by the JIT). */
extern void* bpf_rdonly_cast(const void* obj__ign, __u32 btf_id) __ksym;

/* The file at descriptor `fd`, or NULL (no such descriptor). */
static __always_inline const struct file* file_of_fd(long fd) {
  const struct task_struct* task =
      bpf_rdonly_cast(bpf_get_current_task_btf(), bpf_core_type_id_kernel(struct task_struct));
  const struct fdtable* fdt = bpf_rdonly_cast(task->files->fdt, bpf_core_type_id_kernel(struct fdtable));
  if (fd < 0 || (unsigned long)fd >= fdt->max_fds) return 0;
  struct file* f = 0;
  bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd & 0xfffff]);
  if (!f) return 0;
  return bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
}

#endif
