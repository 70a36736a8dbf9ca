#include "agent/recorder/sensor_set.h"

#include <unistd.h>

#include "agent/recorder/boot_clock.h"
#include "journal/error.h"

namespace zagent {

namespace {

uint32_t self() { return static_cast<uint32_t>(::getpid()); }

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

}  // namespace

SensorSet::SensorSet(const RecorderOptions& options, ExeHasher& hasher, Sink sink, WallSink wall_sink, Note note)
    : sink_(std::move(sink)),
      wall_sink_(std::move(wall_sink)),
      note_(std::move(note)),
      logins_(options.utmp_path, options.wtmp_path) {
  std::string why = options.sensor == SensorMode::Fallback ? "--sensor=fallback" : "";
  if (why.empty()) {
    if (const std::string missing = missing_privileges(); !missing.empty()) {  // no BTF
      why = "missing " + missing;
      if (options.sensor == SensorMode::Ebpf) throw Error("eBPF sensors: " + why);
    }
  }
  if (why.empty()) {
    try {
      start_ebpf(options, hasher);
    } catch (const Error& e) {
      if (options.sensor == SensorMode::Ebpf) throw;
      files_.reset();
      sockets_.reset();
      process_.reset();
      why = e.what();
    }
  }
  if (!why.empty()) start_fallback(why, hasher);
  note_(SensorAction::SensorAttached, "login",
        "utmp " + options.utmp_path + " at start, then wtmp " + options.wtmp_path +
            " (utmp when there is no wtmp), read every second");
  logins_.poll([&](int64_t ts, LoginEvent e) { wall_sink_(ts, std::move(e)); });
}

SensorSet::~SensorSet() = default;

void SensorSet::start_ebpf(const RecorderOptions& options, ExeHasher& hasher) {
  process_ = std::make_unique<ProcessSensor>(options.ring_bytes, self(), hasher, [this](uint64_t boot_ns, EventBody body) {
    // The exe of every process as its exec saw it, for the socket and file
    // events of processes gone by the time those are read.
    if (const auto* exec = std::get_if<ProcessExec>(&body)) {
      exes_.remember(exec->pid, exec->start_boot_ns, exec->exe);
    } else if (const auto* fork = std::get_if<ProcessFork>(&body)) {
      exes_.remember(fork->pid, fork->start_boot_ns, exes_.exe_of(fork->ppid, fork->parent_start_boot_ns));
    }
    sink_(boot_ns, std::move(body));
  });
  sockets_ = std::make_unique<SocketSensor>(options.ring_bytes, self(), exes_, sink_);
  files_ = std::make_unique<FileSensor>(options.ring_bytes, self(), exes_, options.watch, sockets_->exit_chain_fd(),
                                        sink_);
  for (const int fd : {process_->epoll_fd(), sockets_->epoll_fd(), files_->epoll_fd()}) rings_.add(fd);
  note_(SensorAction::SensorAttached, "process", "eBPF tp_btf/sched_process_exec, sched_process_fork, sched_process_exit");
  note_(SensorAction::SensorAttached, "socket",
        "eBPF tp_btf/inet_sock_set_state, tp_btf/tcp_receive_reset, tp_btf/sys_exit (accept, connect, sendto, sendmsg, sendmmsg)");
  note_(SensorAction::SensorAttached, "file",
        "eBPF tp_btf/sys_exit (open, creat, unlink, rmdir, rename, chmod families); watching " + joined(options.watch));
}

void SensorSet::start_fallback(const std::string& why, ExeHasher& hasher) {
  connector_ = std::make_unique<ProcConnectorSensor>(self(), hasher, sink_);
  rings_.add(connector_->fd());
  poller_ = std::make_unique<SocketPoller>(self());
  poller_->poll();  // the baseline: what exists is in the segment's snapshot
  const std::string reason = "eBPF unavailable (" + why + ")";
  note_(SensorAction::SensorDegraded, "process",
        reason + ": exec, fork and exit from the netlink proc connector, details read from /proc afterwards "
                 "(a process that ends at once keeps only its pid and exit status), start times at tick precision");
  note_(SensorAction::SensorDegraded, "socket",
        reason + ": sockets from sock_diag every second (connections shorter than that are missed; close bytes "
                 "as of the last poll)");
  note_(SensorAction::SensorDegraded, "file", reason + ": file events are not recorded");
}

void SensorSet::wait(int timeout_ms) { rings_.wait(timeout_ms); }

void SensorSet::drain() {
  if (process_) process_->drain();
  if (sockets_) sockets_->drain();
  if (files_) files_->drain();
  if (connector_) connector_->drain();
}

void SensorSet::tick() {
  logins_.poll([&](int64_t ts, LoginEvent e) { wall_sink_(ts, std::move(e)); });
  if (files_) files_->refresh();
  if (poller_) {
    try {
      for (SocketEvent& e : poller_->poll()) sink_(BootClock::boot_now(), std::move(e));
    } catch (const Error& e) {
      note_(SensorAction::SensorDegraded, "socket", e.what());
    }
  }
}

std::vector<Counter> SensorSet::new_losses() {
  std::vector<Counter> lost;
  const auto count = [&](const char* name, uint64_t now, uint64_t* reported) {
    if (now > *reported) lost.push_back({name, now - *reported});
    *reported = now;
  };
  if (process_) {
    const ProcessSensor::Drops now = process_->drops();
    count("process_exec", now.exec, &reported_.process.exec);
    count("process_fork", now.fork, &reported_.process.fork);
    count("process_exit", now.exit, &reported_.process.exit);
    count("socket", sockets_->drops(), &reported_.socket);
    count("file", files_->drops(), &reported_.file);
  }
  // The proc connector says only that messages were lost, not how many:
  // the counter is the number of overruns.
  if (connector_) count("process_overruns", connector_->lost(), &reported_.connector);
  return lost;
}

}  // namespace zagent
