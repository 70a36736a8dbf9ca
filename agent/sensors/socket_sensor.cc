#include "agent/sensors/socket_sensor.h"

#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "agent/sensors/percpu_sum.h"
#include "agent/sensors/skeleton.h"
#include "journal/error.h"
#include "socket.h"
#include "socket.skel.h"

namespace zagent {

namespace {

IpAddress address(unsigned family, const unsigned char* bytes) {
  if (family == AF_INET) {
    return IpAddress::v4(uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 | bytes[3]);
  }
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), bytes, b.size());
  return IpAddress::v6(b);
}

}  // namespace

SocketSensor::SocketSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeCache& exes, Sink sink) : sink_(std::move(sink)), exes_(exes) {
  const SkeletonOps<socket_bpf> ops{socket_bpf__open, socket_bpf__load, socket_bpf__attach, socket_bpf__destroy};
  skel_ = start_skeleton("socket", ops, [&](socket_bpf* skel) {
    skel->rodata->agent_tgid = agent_tgid;
    bpf_map__set_max_entries(skel->maps.events, ring_bytes);
  });
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &SocketSensor::on_record, this, nullptr);
  if (!ring_) {
    socket_bpf__destroy(skel_);
    throw Error("socket sensor: cannot open its ring buffer");
  }
}

SocketSensor::~SocketSensor() {
  ring_buffer__free(ring_);
  socket_bpf__destroy(skel_);
}

int SocketSensor::on_record(void* self, void* data, size_t size) {
  auto* sensor = static_cast<SocketSensor*>(self);
  if (size < sizeof(zagent_sock_event)) return 0;
  const auto& r = *static_cast<const zagent_sock_event*>(data);
  if (r.action > ZAGENT_SOCK_SEND) return 0;
  SocketEvent e;
  e.action = static_cast<SocketAction>(r.action);
  e.protocol = r.protocol == IPPROTO_UDP ? Protocol::Udp : Protocol::Tcp;
  e.pid = r.pid;
  e.start_boot_ns = r.start_boot_ns;
  e.uid = r.uid;
  e.comm = std::string(r.comm, strnlen(r.comm, sizeof r.comm));
  e.exe = sensor->exes_.exe_of(r.pid, r.start_boot_ns);
  e.local_addr = address(r.family, r.local_addr);
  e.local_port = r.local_port;
  e.remote_addr = address(r.family, r.remote_addr);
  e.remote_port = r.remote_port;
  e.bytes_sent = r.bytes_sent;
  e.bytes_received = r.bytes_received;
  sensor->sink_(r.boot_ns, std::move(e));
  return 0;
}

void SocketSensor::drain() { ring_buffer__consume(ring_); }

uint64_t SocketSensor::drops() const { return percpu_sum(skel_->maps.drops, 0); }

int SocketSensor::exit_chain_fd() const { return bpf_map__fd(skel_->maps.more_exits); }

int SocketSensor::epoll_fd() const { return ring_buffer__epoll_fd(ring_); }

}  // namespace zagent
