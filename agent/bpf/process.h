/* The records the process sensor's eBPF programs hand to user space through
 * their ring buffer. Shared by process.bpf.c (kernel) and process_sensor.cc
 * (user space); plain C, fixed sizes. */
#ifndef ZAGENT_BPF_PROCESS_H
#define ZAGENT_BPF_PROCESS_H

#include "path.h"

#define ZAGENT_COMM_LEN 16
#define ZAGENT_ARGV_LEN 2048
#define ZAGENT_TTY_LEN 32
#define ZAGENT_CGROUP_NAME_LEN 128

enum zagent_proc_kind {
  ZAGENT_PROC_EXEC = 1,
  ZAGENT_PROC_FORK = 2,
  ZAGENT_PROC_EXIT = 3,
};

/* Indexes of the drop counters (per CPU), one per kind. */
enum zagent_proc_drop {
  ZAGENT_DROP_EXEC = 0,
  ZAGENT_DROP_FORK = 1,
  ZAGENT_DROP_EXIT = 2,
  ZAGENT_DROP_COUNT = 3,
};

struct zagent_proc_event {
  unsigned int kind;
  unsigned int pid;
  unsigned int ppid;
  unsigned int uid;
  unsigned int gid;
  unsigned int euid;
  unsigned int egid;
  unsigned int login_uid;
  unsigned int session_id;
  int exit_code;
  int exit_signal;
  unsigned int argv_size;       /* bytes of argv used, NUL-separated */
  unsigned int argv_truncated;
  unsigned int exe_size;        /* bytes of exe used; 0: unknown */
  unsigned int cwd_size;
  unsigned int pad;
  unsigned long long boot_ns;   /* when it happened, CLOCK_BOOTTIME */
  unsigned long long start_boot_ns;
  unsigned long long parent_start_boot_ns;
  unsigned long long cgroup_id;
  char comm[ZAGENT_COMM_LEN];
  char tty[ZAGENT_TTY_LEN];     /* the controlling terminal, "" when none */
  /* The names (last component) of the process's cgroup in the unified
   * hierarchy and in the v1 memory hierarchy, where container runtimes put
   * the container id ("docker-<id>.scope", ".../<id>"); "" when none. */
  char cgroup_name[ZAGENT_CGROUP_NAME_LEN];
  char cgroup_v1_name[ZAGENT_CGROUP_NAME_LEN];
  char exe[ZAGENT_PATH_BUF];
  char cwd[ZAGENT_PATH_BUF];
  char argv[ZAGENT_ARGV_LEN];
};

#endif
