// The socket sensor: TCP connect, accept, listen and close, IPv4 and IPv6.
// TCP state changes can happen in softirq context, where "current" is not
// the socket's process; so the process is remembered per socket when it is
// known (connect and listen run in the caller's context, accept is seen as
// the syscall returns) and looked up when the state changes later.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "socket.h"
#include "ring_wakeup.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define RCV_SHUTDOWN 1
#define NR_ACCEPT 43
#define NR_ACCEPT4 288

const volatile __u32 agent_tgid = 0;

struct owner {
  __u32 pid;
  __u32 uid;
  __u64 start_boot_ns;
  char comm[ZAGENT_COMM_LEN];
  __u16 local_port;  // the kernel may have released it by the time of the close
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 22);
} events SEC(".maps");

// The process of each socket we report on, by socket address.
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, __u64);
  __type(value, struct owner);
} owners SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} drops SEC(".maps");

static __always_inline void current_owner(struct owner* o) {
  struct task_struct* task = bpf_get_current_task_btf();
  o->pid = task->tgid;
  o->uid = (__u32)bpf_get_current_uid_gid();
  o->start_boot_ns = task->group_leader->start_boottime;
  bpf_get_current_comm(&o->comm, sizeof(o->comm));
}

static __always_inline int emit(const struct sock* sk, __u32 action, const struct owner* o) {
  if (o->pid == agent_tgid) return 0;
  struct zagent_sock_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    __u32 zero = 0;
    __u64* n = bpf_map_lookup_elem(&drops, &zero);
    if (n) *n += 1;
    return 0;
  }
  e->action = action;
  e->pid = o->pid;
  e->uid = o->uid;
  e->start_boot_ns = o->start_boot_ns;
  __builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
  e->boot_ns = bpf_ktime_get_boot_ns();
  e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
  e->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
  e->remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
  __builtin_memset(e->local_addr, 0, sizeof(e->local_addr));
  __builtin_memset(e->remote_addr, 0, sizeof(e->remote_addr));
  if (e->family == AF_INET) {
    __u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    __u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
    __builtin_memcpy(e->local_addr, &l, 4);
    __builtin_memcpy(e->remote_addr, &r, 4);
  } else {
    BPF_CORE_READ_INTO(&e->local_addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
    BPF_CORE_READ_INTO(&e->remote_addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
  }
  if (e->local_port == 0) e->local_port = o->local_port;
  e->bytes_sent = 0;
  e->bytes_received = 0;
  if (action == ZAGENT_SOCK_CLOSE) {
    // Data bytes: bytes_sent counts payload only (retransmissions
    // included); bytes_received also counts a received FIN, which sets
    // RCV_SHUTDOWN, so that one is taken off.
    const struct tcp_sock* tp = (const struct tcp_sock*)sk;
    e->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
    __u64 received = BPF_CORE_READ(tp, bytes_received);
    if ((BPF_CORE_READ(sk, sk_shutdown) & RCV_SHUTDOWN) && received > 0) received -= 1;
    e->bytes_received = received;
  }
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock* sk, int oldstate, int newstate) {
  if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP) return 0;
  const __u64 key = (__u64)sk;
  struct owner o = {};
  switch (newstate) {
    case TCP_SYN_SENT:  // connect(): the caller's context; ports not yet final
      current_owner(&o);
      bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
      return 0;
    case TCP_LISTEN:
      current_owner(&o);
      o.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
      bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
      return emit(sk, ZAGENT_SOCK_LISTEN, &o);
    case TCP_ESTABLISHED: {
      if (oldstate != TCP_SYN_SENT) return 0;  // passive opens are reported at accept
      struct owner* known = bpf_map_lookup_elem(&owners, &key);
      if (!known) return 0;
      known->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
      return emit(sk, ZAGENT_SOCK_CONNECT, known);
    }
    case TCP_CLOSE: {
      const struct owner* known = bpf_map_lookup_elem(&owners, &key);
      if (!known) return 0;
      __builtin_memcpy(&o, known, sizeof(o));
      bpf_map_delete_elem(&owners, &key);
      // A connect that never got established is reported as a close only.
      return emit(sk, ZAGENT_SOCK_CLOSE, &o);
    }
  }
  return 0;
}

// accept() and accept4() as they return: the new socket is the file at the
// returned descriptor.
SEC("raw_tp/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs* regs, long ret) {
  const long id = BPF_CORE_READ(regs, orig_ax);
  if ((id != NR_ACCEPT && id != NR_ACCEPT4) || ret < 0) return 0;
  struct task_struct* task = bpf_get_current_task_btf();
  struct file** fds = BPF_CORE_READ(task, files, fdt, fd);
  struct file* file = 0;
  bpf_probe_read_kernel(&file, sizeof(file), &fds[ret & 0xfffff]);
  if (!file) return 0;
  struct socket* sock = BPF_CORE_READ(file, private_data);
  if (!sock) return 0;
  const struct sock* sk = BPF_CORE_READ(sock, sk);
  if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP) return 0;
  struct owner o = {};
  current_owner(&o);
  o.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
  const __u64 key = (__u64)sk;
  bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
  return emit(sk, ZAGENT_SOCK_ACCEPT, &o);
}
