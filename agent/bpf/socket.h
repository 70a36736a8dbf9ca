/* The records the socket sensor's eBPF programs hand to user space. Shared
 * by socket.bpf.c (kernel) and socket_sensor.cc (user space). */
#ifndef ZAGENT_BPF_SOCKET_H
#define ZAGENT_BPF_SOCKET_H

#define ZAGENT_COMM_LEN 16

enum zagent_sock_action {
  ZAGENT_SOCK_CONNECT = 0, /* values match the schema's SocketAction */
  ZAGENT_SOCK_ACCEPT = 1,
  ZAGENT_SOCK_LISTEN = 2,
  ZAGENT_SOCK_CLOSE = 3,
  ZAGENT_SOCK_SEND = 4, /* UDP: the first datagram a socket sends to a peer */
};

struct zagent_sock_event {
  unsigned int action;
  unsigned int pid;
  unsigned int uid;
  unsigned int family; /* AF_INET or AF_INET6 */
  unsigned short local_port;
  unsigned short remote_port;
  unsigned int protocol; /* IPPROTO_TCP or IPPROTO_UDP */
  unsigned char local_addr[16]; /* IPv4: the first 4 bytes */
  unsigned char remote_addr[16];
  unsigned long long boot_ns;
  unsigned long long start_boot_ns;
  unsigned long long bytes_sent;
  unsigned long long bytes_received;
  char comm[ZAGENT_COMM_LEN];
};

#endif
