/* The system calls the file sensor reports on (x86_64 numbers). Shared by
 * file.bpf.c and socket.bpf.c: the socket sensor's sys_exit program
 * tail-calls the file sensor's for these calls only, because whatever runs
 * there runs at the return of every system call of the host. */
#ifndef ZAGENT_BPF_FILE_SYSCALLS_H
#define ZAGENT_BPF_FILE_SYSCALLS_H

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

static __always_inline bool is_file_syscall(long id) {
  return id == NR_OPEN || id == NR_CREAT || id == NR_OPENAT || id == NR_OPENAT2 || id == NR_UNLINK ||
         id == NR_UNLINKAT || id == NR_RMDIR || id == NR_RENAME || id == NR_RENAMEAT || id == NR_RENAMEAT2 ||
         id == NR_CHMOD || id == NR_FCHMOD || id == NR_FCHMODAT || id == NR_FCHMODAT2;
}

#endif
