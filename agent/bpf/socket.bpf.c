// The socket sensor: TCP connect, accept, listen and close, UDP connect and
// the first datagram a socket sends to each peer, IPv4 and IPv6.
// TCP state changes can happen in softirq context, where "current" is not
// the socket's process; so the process is remembered per socket when it is
// known (connect and listen run in the caller's context, accept is seen as
// the syscall returns) and looked up when the state changes later. UDP has
// no tracepoint of its own: its syscalls are seen as they return.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "socket.h"
#include "fd_table.h"
#include "file_syscalls.h"
#include "ring.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define RCV_SHUTDOWN 1
#define NR_CONNECT 42
#define NR_ACCEPT 43
#define NR_SENDTO 44
#define NR_SENDMSG 46
#define NR_ACCEPT4 288
#define NR_SENDMMSG 307
#define SENDMMSG_SEEN 8  // messages of one sendmmsg() looked at

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

// The process of each socket we report on, by socket address. (Socket
// local storage would free itself with the socket, but costs more here: an
// allocation per socket.)
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

// The peers each UDP socket has sent to. The socket's inode is part of the
// key: a freed sock's address may be reused by a new socket, its inode not.
struct udp_peer {
  __u64 sk;
  __u64 inode;
  __u8 addr[16];
  __u16 port;
  __u16 family;
  __u32 pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, struct udp_peer);
  __type(value, __u8);
} udp_peers SEC(".maps");

// A peer named by the caller (sendto, sendmsg) rather than the socket.
struct peer {
  __u16 family;
  __u16 port;
  __u8 addr[16];
};

static __always_inline void current_owner(struct owner* o) {
  struct task_struct* task = bpf_get_current_task_btf();
  o->pid = task->tgid;
  o->uid = (__u32)bpf_get_current_uid_gid();
  o->start_boot_ns = task->group_leader->start_boottime;
  bpf_get_current_comm(&o->comm, sizeof(o->comm));
}

static __always_inline int emit(const struct sock* sk, __u32 action, const struct owner* o, const struct peer* to) {
  if (o->pid == agent_tgid) return 0;
  struct zagent_sock_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count_drop(&drops, 0);
    return 0;
  }
  e->action = action;
  e->pid = o->pid;
  e->uid = o->uid;
  e->start_boot_ns = o->start_boot_ns;
  __builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
  e->boot_ns = bpf_ktime_get_boot_ns();
  const struct sock* s = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
  e->protocol = s->sk_protocol;
  e->family = s->__sk_common.skc_family;
  e->local_port = s->__sk_common.skc_num;
  e->remote_port = __builtin_bswap16(s->__sk_common.skc_dport);
  __builtin_memset(e->local_addr, 0, sizeof(e->local_addr));
  __builtin_memset(e->remote_addr, 0, sizeof(e->remote_addr));
  if (e->family == AF_INET) {
    __u32 l = s->__sk_common.skc_rcv_saddr;
    __u32 r = s->__sk_common.skc_daddr;
    __builtin_memcpy(e->local_addr, &l, 4);
    __builtin_memcpy(e->remote_addr, &r, 4);
  } else {
    __builtin_memcpy(e->local_addr, s->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8, 16);
    __builtin_memcpy(e->remote_addr, s->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 16);
  }
  if (e->local_port == 0) e->local_port = o->local_port;
  if (e->local_port == 0) {
    // The kernel may have released the port by TCP_CLOSE (inet_num is 0),
    // but the socket still says which one it had.
    const struct inet_sock* inet = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct inet_sock));
    e->local_port = __builtin_bswap16(inet->inet_sport);
  }
  if (to) {
    // An IPv6 socket may send to an IPv4 peer: addresses are read in the
    // peer's family, and the local one, in the socket's, is then unknown.
    if (to->family != e->family) __builtin_memset(e->local_addr, 0, sizeof(e->local_addr));
    e->family = to->family;
    e->remote_port = to->port;
    __builtin_memcpy(e->remote_addr, to->addr, sizeof(e->remote_addr));
  }
  e->bytes_sent = 0;
  e->bytes_received = 0;
  if (action == ZAGENT_SOCK_CLOSE) {
    // Data bytes: bytes_sent counts payload only (retransmissions
    // included); bytes_received also counts a received FIN, which sets
    // RCV_SHUTDOWN, so that one is taken off.
    const struct tcp_sock* tp = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));
    e->bytes_sent = tp->bytes_sent;
    __u64 received = tp->bytes_received;
    if ((s->sk_shutdown & RCV_SHUTDOWN) && received > 0) received -= 1;
    e->bytes_received = received;
  }
  bpf_ringbuf_submit(e, ring_wakeup_flags(&events));
  return 0;
}

// The close of a socket whose process we know, reported once: its owner
// entry goes with it (so the TCP_CLOSE after a reset finds none).
static __always_inline int report_close(const struct sock* sk) {
  const __u64 key = (__u64)sk;
  const struct owner* known = bpf_map_lookup_elem(&owners, &key);
  if (!known) return 0;
  struct owner o;
  __builtin_memcpy(&o, known, sizeof(o));
  bpf_map_delete_elem(&owners, &key);
  return emit(sk, ZAGENT_SOCK_CLOSE, &o, 0);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock* sk, int oldstate, int newstate) {
  if (sk->sk_protocol != IPPROTO_TCP) return 0;  // a BTF argument: a direct load
  const __u64 key = (__u64)sk;
  struct owner o = {};
  switch (newstate) {
    case TCP_SYN_SENT:  // connect(): the caller's context; ports not yet final
      current_owner(&o);
      bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
      return 0;
    case TCP_LISTEN:
      current_owner(&o);
      o.local_port = sk->__sk_common.skc_num;
      bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
      return emit(sk, ZAGENT_SOCK_LISTEN, &o, 0);
    case TCP_ESTABLISHED: {
      if (oldstate != TCP_SYN_SENT) return 0;  // passive opens are reported at accept
      struct owner* known = bpf_map_lookup_elem(&owners, &key);
      if (!known) return 0;
      known->local_port = sk->__sk_common.skc_num;
      return emit(sk, ZAGENT_SOCK_CONNECT, known, 0);
    }
    case TCP_CLOSE:  // a connect that never got established is reported as a close only
      return report_close(sk);
  }
  return 0;
}

// A reset in answer to a connect's SYN: the connection was refused. Its
// close is reported here, while the socket still holds its local address
// and port; by TCP_CLOSE the kernel has released both, and the close could
// not be matched to the connection a packet capture shows.
SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(handle_receive_reset, const struct sock* sk) {
  if (sk->__sk_common.skc_state != TCP_SYN_SENT) return 0;
  return report_close(sk);
}

// The sock behind a file descriptor of the current process, or NULL; its
// inode in *inode.
static __always_inline const struct sock* sock_of_fd(long fd, __u64* inode) {
  const struct file* file = file_of_fd(fd);
  if (!file) return 0;
  const struct socket* sock = bpf_rdonly_cast(file->private_data, bpf_core_type_id_kernel(struct socket));
  if (!sock) return 0;
  *inode = file->f_inode->i_ino;
  return sock->sk;
}

// accept() and accept4(): the new socket is the file at the returned
// descriptor.
static __always_inline int on_accept(long fd) {
  __u64 inode = 0;
  const struct sock* sk = sock_of_fd(fd, &inode);
  if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP) return 0;
  struct owner o = {};
  current_owner(&o);
  o.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
  const __u64 key = (__u64)sk;
  bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
  return emit(sk, ZAGENT_SOCK_ACCEPT, &o, 0);
}

// A sockaddr in user memory as a peer; false when it is not IPv4 or IPv6.
static __always_inline bool read_peer(const void* addr, struct peer* p) {
  if (!addr || bpf_probe_read_user(&p->family, sizeof(p->family), addr) != 0) return false;
  bpf_probe_read_user(&p->port, sizeof(p->port), addr + 2);
  p->port = __builtin_bswap16(p->port);
  __builtin_memset(p->addr, 0, sizeof(p->addr));
  if (p->family == AF_INET) return bpf_probe_read_user(p->addr, 4, addr + 4) == 0;
  if (p->family == AF_INET6) return bpf_probe_read_user(p->addr, 16, addr + 8) == 0;
  return false;
}

// A datagram sent to the peer the caller named (`named`) or else to the
// socket's connected peer: reported the first time this socket sends there.
static __always_inline int on_udp_send(const struct sock* sk, __u64 inode, struct peer* to, bool named) {
  if (!named) {
    to->family = BPF_CORE_READ(sk, __sk_common.skc_family);
    to->port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
    __builtin_memset(to->addr, 0, sizeof(to->addr));
    if (to->family == AF_INET) {
      BPF_CORE_READ_INTO((__u32*)to->addr, sk, __sk_common.skc_daddr);
    } else {
      BPF_CORE_READ_INTO(&to->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
    }
  }
  if (to->port == 0) return 0;
  struct udp_peer key = {.sk = (__u64)sk, .inode = inode, .port = to->port, .family = to->family};
  __builtin_memcpy(key.addr, to->addr, sizeof(key.addr));
  const __u8 seen = 1;
  if (bpf_map_update_elem(&udp_peers, &key, &seen, BPF_NOEXIST) != 0) return 0;  // not new
  struct owner o = {};
  current_owner(&o);
  return emit(sk, ZAGENT_SOCK_SEND, &o, to);
}

// A successful send on a UDP socket: sendto(fd, buf, len, flags, addr, n),
// sendmsg(fd, msg, flags), sendmmsg(fd, msgs, count, flags); the arguments
// are still in the registers saved at entry.
static __always_inline int on_send(long id, struct pt_regs* regs, long ret) {
  __u64 inode = 0;
  const struct sock* sk = sock_of_fd(regs->di, &inode);
  if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP) return 0;
  struct peer to = {};
  if (id == NR_SENDTO) {
    const void* addr = (const void*)regs->r8;
    return on_udp_send(sk, inode, &to, read_peer(addr, &to));
  }
  if (id == NR_SENDMSG) {
    const struct user_msghdr* msg = (const struct user_msghdr*)regs->si;
    void* name = 0;
    bpf_probe_read_user(&name, sizeof(name), &msg->msg_name);
    return on_udp_send(sk, inode, &to, read_peer(name, &to));
  }
  const struct mmsghdr* msgs = (const struct mmsghdr*)regs->si;
  for (int i = 0; i < SENDMMSG_SEEN && i < ret; ++i) {
    void* name = 0;
    bpf_probe_read_user(&name, sizeof(name), &msgs[i].msg_hdr.msg_name);
    on_udp_send(sk, inode, &to, read_peer(name, &to));
  }
  return 0;
}

// connect() on a UDP socket fixes its peer (sends then name none).
static __always_inline int on_connect(struct pt_regs* regs) {
  __u64 inode = 0;
  const struct sock* sk = sock_of_fd(regs->di, &inode);
  if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP) return 0;
  if (BPF_CORE_READ(sk, __sk_common.skc_dport) == 0) return 0;  // AF_UNSPEC: disconnected
  struct owner o = {};
  current_owner(&o);
  return emit(sk, ZAGENT_SOCK_CONNECT, &o, 0);
}

// Other sensors' handlers of the same hook (the file sensor's), called from
// here: one program per system call instead of one per sensor, each of
// which costs every system call of the host (docs/performance.md).
struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} more_exits SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs* regs, long ret) {
  if (ret < 0) return 0;
  const long id = regs->orig_ax;  // a BTF pointer: read directly, no helper call
  switch (id) {
    default:
      // A tail call costs every system call of the host; most are no
      // file sensor's business.
      if (is_file_syscall(id)) bpf_tail_call(ctx, &more_exits, 0);  // returns only when there is none
      return 0;
    case NR_ACCEPT:
    case NR_ACCEPT4:
      return on_accept(ret);
    case NR_SENDTO:
    case NR_SENDMSG:
    case NR_SENDMMSG:
      return on_send(id, regs, ret);
    case NR_CONNECT:
      return on_connect(regs);
  }
  return 0;
}
