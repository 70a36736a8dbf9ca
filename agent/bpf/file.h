/* The records the file sensor's eBPF program hands to user space. Shared by
 * file.bpf.c (kernel) and file_sensor.cc (user space). */
#ifndef ZAGENT_BPF_FILE_H
#define ZAGENT_BPF_FILE_H

#include "path.h"

#define ZAGENT_COMM_LEN 16
#define ZAGENT_NAME_LEN 512 /* a path as the caller passed it */
#define ZAGENT_WATCHED_DIRS 1024 /* watched directories, after expanding "*" */
/* The first component of each prefix ("etc" of /etc/ssh), cut to this many
 * bytes with NUL padding; all NULs: any (a prefix "/" or one starting "/" followed by "*"). */
#define ZAGENT_TOP_LEN 32

enum zagent_file_action {
  ZAGENT_FILE_CREATE = 0, /* values match the schema's FileAction */
  ZAGENT_FILE_WRITE_OPEN = 1,
  ZAGENT_FILE_UNLINK = 2,
  ZAGENT_FILE_RENAME = 3,
  ZAGENT_FILE_CHMOD = 4,
};

/* Each path comes in two parts: a directory walked in the kernel (path.h
 * form; for calls on a descriptor, the file itself) and the name the caller
 * passed (user memory, as given: relative to the directory unless it starts
 * with '/'; empty for calls on a descriptor). User space joins them. */
struct zagent_file_path {
  unsigned int dir_size;
  unsigned int name_size; /* with its NUL; 0: none */
  char dir[ZAGENT_PATH_BUF];
  char name[ZAGENT_NAME_LEN];
};

struct zagent_file_event {
  unsigned int action;
  unsigned int pid;
  unsigned int uid;
  unsigned int mode; /* permission bits: chmod's argument, or the file's */
  unsigned long long boot_ns;
  unsigned long long start_boot_ns;
  char comm[ZAGENT_COMM_LEN];
  struct zagent_file_path path;
  struct zagent_file_path new_path; /* rename only */
};

#endif
