// A journal shaped like a long recording of a busy server, for
// bench/replay-zeek's memory figures:
//
//   busy-host-journal DIR EVENTS [EVENTS_PER_SECOND] [SEED]
//
// Unlike tests/support/make-sample-journal (a mix of unrelated events a few
// microseconds apart), its processes and sockets have lifetimes: every fork
// or exec starts a process that later exits, every connect or accept opens
// a socket that its owner later closes with the same 5-tuple, and the
// events are spread over wall time at EVENTS_PER_SECOND (default 116: 10M a
// day). A few hundred processes and sockets are alive at any moment, as on
// a server, so what a consumer must remember at once stays bounded however
// long the journal is; this is the journal that shows whether it does.
// Prints the first and last event times (ns) on stdout, for a pcap to span.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "journal/error.h"
#include "journal/journal_writer.h"

namespace {

using namespace zagent;

struct Program {
  const char* exe;
  const char* comm;
  std::vector<std::string> argv;
};

const std::vector<Program>& programs() {
  static const std::vector<Program> list = {
      {"/usr/sbin/nginx", "nginx", {"nginx: worker process"}},
      {"/usr/bin/curl", "curl", {"curl", "-fsS", "https://api.internal/health"}},
      {"/usr/bin/python3.11", "python3", {"python3", "/opt/app/worker.py", "--queue", "jobs"}},
      {"/usr/bin/bash", "bash", {"bash", "-c", "logrotate /etc/logrotate.conf"}},
      {"/usr/sbin/sshd", "sshd", {"sshd: alice [priv]"}},
      {"/usr/bin/git", "git", {"git", "fetch", "--all"}},
      {"/usr/lib/postgresql/15/bin/postgres", "postgres", {"postgres: app app 10.1.0.7 idle"}},
  };
  return list;
}

const uint16_t kServicePorts[] = {443, 80, 5432, 6379, 53, 22};
constexpr size_t kMinProcesses = 200, kMaxProcesses = 400;
constexpr size_t kMaxSockets = 300;

struct Process {
  uint32_t pid;
  uint64_t start_boot_ns;
  uint32_t uid;
  const Program* program;
};

class BusyHost {
 public:
  BusyHost(uint64_t seed, double events_per_second)
      : rng_(seed), gap_ns_(1e9 / events_per_second) {}

  int64_t next_ts() {
    // Exponential gaps: bursts and lulls around the mean rate.
    ts_ += static_cast<int64_t>(std::exponential_distribution<double>(1.0 / gap_ns_)(rng_)) + 1;
    return ts_;
  }

  int64_t now() const { return ts_; }

  EventBody next_body() {
    const uint32_t r = pick(1000);
    if (processes_.size() < kMinProcesses || (r < 120 && processes_.size() < kMaxProcesses)) return exec();
    if (r < 200 && processes_.size() < kMaxProcesses) return fork();
    if (r < 320) return exit();
    if (r < 820) return sockets_.size() < kMaxSockets && pick(2) == 0 ? open() : close();
    if (r < 990) return file();
    if (r < 995) {
      return LoginEvent{pick(2) ? LoginAction::Start : LoginAction::End, "alice", "pts/1", "10.1.4.20",
                        IpAddress::v4(0x0A01040F), 3000 + pick(100), 5 + pick(3)};
    }
    return SensorEvent{SensorAction::EventsLost, "exec", "ring buffer full", {{"process_exec", pick(5)}}};
  }

 private:
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  // The host booted a day before the first event.
  uint64_t boot_ns() const { return static_cast<uint64_t>(ts_ - kStart) + 86'400'000'000'000ull; }
  Process& any_process() { return processes_[pick(static_cast<uint32_t>(processes_.size()))]; }

  Process start(const Program* program) {
    Process p{next_pid_++, boot_ns(), pick(4) == 0 ? 0u : 1000u, program};
    if (next_pid_ > 4'000'000) next_pid_ = 300;  // pid_max wraps
    processes_.push_back(p);
    return p;
  }

  ProcessExec exec() {
    const Process parent = processes_.empty() ? Process{1, 0, 0, &programs()[3]} : any_process();
    const Process p = start(&programs()[pick(static_cast<uint32_t>(programs().size()))]);
    ProcessExec e;
    e.pid = p.pid;
    e.ppid = parent.pid;
    e.start_boot_ns = p.start_boot_ns;
    e.parent_start_boot_ns = parent.start_boot_ns;
    e.uid = e.euid = e.gid = e.egid = e.login_uid = p.uid;
    e.session_id = 2 + pick(5);
    e.exe = p.program->exe;
    e.argv = p.program->argv;
    e.cwd = "/srv/app";
    e.comm = p.program->comm;
    e.cgroup_id = 4000 + pick(8);
    e.exe_sha256 = std::string(32, static_cast<char>(0x40 + (e.exe[5] & 0x1f)));
    e.exe_hash_status = HashStatus::Ok;
    return e;
  }

  ProcessFork fork() {
    const Process parent = any_process();
    const Process p = start(parent.program);
    return ProcessFork{p.pid, parent.pid, p.start_boot_ns, parent.start_boot_ns, p.uid, p.program->comm};
  }

  EventBody exit() {
    const size_t i = pick(static_cast<uint32_t>(processes_.size()));
    const Process p = processes_[i];
    processes_[i] = processes_.back();
    processes_.pop_back();
    // Its sockets close with it.
    for (size_t s = 0; s < sockets_.size();) {
      if (sockets_[s].pid == p.pid) {
        pending_.push_back(closing(s));
      } else {
        ++s;
      }
    }
    return ProcessExit{p.pid, p.start_boot_ns, pick(4) == 0 ? 1 : 0, 0,
                       static_cast<int64_t>(boot_ns() - p.start_boot_ns), p.program->comm};
  }

  SocketEvent open() {
    const Process& p = any_process();
    SocketEvent s;
    s.action = pick(3) == 0 ? SocketAction::Accept : SocketAction::Connect;
    s.protocol = pick(5) == 0 ? Protocol::Udp : Protocol::Tcp;
    s.pid = p.pid;
    s.start_boot_ns = p.start_boot_ns;
    s.uid = p.uid;
    s.comm = p.program->comm;
    s.exe = p.program->exe;
    s.local_addr = IpAddress::v4(0x0A010002);
    s.remote_addr = IpAddress::v4(0x0A010000 + 3 + pick(200));
    s.local_port = static_cast<uint16_t>(32768 + pick(28000));
    s.remote_port = kServicePorts[pick(6)];
    if (s.action == SocketAction::Accept) std::swap(s.local_port, s.remote_port);
    sockets_.push_back(s);
    return s;
  }

  SocketEvent closing(size_t i) {
    SocketEvent s = sockets_[i];
    sockets_[i] = sockets_.back();
    sockets_.pop_back();
    s.action = SocketAction::Close;
    s.bytes_sent = 200 + pick(5000);
    s.bytes_received = 1000 + pick(200000);
    return s;
  }

  EventBody close() {
    if (!pending_.empty()) {
      SocketEvent s = pending_.back();
      pending_.pop_back();
      return s;
    }
    if (sockets_.empty()) return open();
    return closing(pick(static_cast<uint32_t>(sockets_.size())));
  }

  FileEvent file() {
    const Process& p = any_process();
    FileEvent f;
    f.action = static_cast<FileAction>(pick(5));
    f.pid = p.pid;
    f.start_boot_ns = p.start_boot_ns;
    f.uid = p.uid;
    f.comm = p.program->comm;
    f.exe = p.program->exe;
    f.path = "/srv/app/cache/" + std::to_string(pick(5000));
    if (f.action == FileAction::Rename) f.new_path = f.path + ".old";
    if (f.action == FileAction::Chmod || f.action == FileAction::Create) f.mode = pick(2) ? 0644 : 0600;
    return f;
  }

  static constexpr int64_t kStart = 1'764'000'000'000'000'000;
  std::mt19937_64 rng_;
  double gap_ns_;
  int64_t ts_ = kStart;
  uint32_t next_pid_ = 300;
  std::vector<Process> processes_;
  std::vector<SocketEvent> sockets_;  // open, by their connect or accept
  std::vector<SocketEvent> pending_;  // closes owed by an exit, written as the next closes
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DIR EVENTS [EVENTS_PER_SECOND] [SEED]\n", argv[0]);
    return 2;
  }
  const uint64_t count = std::strtoull(argv[2], nullptr, 10);
  const double rate = argc > 3 ? std::strtod(argv[3], nullptr) : 116.0;
  const uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
  if (count == 0 || !(rate > 0)) {
    std::fprintf(stderr, "busy-host-journal: EVENTS and EVENTS_PER_SECOND must be positive\n");
    return 2;
  }
  try {
    WriterOptions options;
    options.dir = argv[1];
    options.host = HostIdentity::local();
    options.agent_version = "busy-host-journal";
    BusyHost host(seed, rate);
    // The host's clock is the events' clock: the writer's own records
    // (segment rotation, hourly by this clock) fall among the events in
    // time, as on a real host, not at the wall time of this run, which
    // would hold every later event back in a replay.
    options.clock = [&host] { return host.now(); };
    JournalWriter writer(options);
    int64_t first = 0, last = 0;
    for (uint64_t i = 0; i < count; ++i) {
      last = host.next_ts();
      if (i == 0) first = last;
      writer.append(last, host.next_body());
    }
    writer.close();
    std::printf("%" PRId64 " %" PRId64 "\n", first, last);
  } catch (const Error& e) {
    std::fprintf(stderr, "busy-host-journal: %s\n", e.what());
    return 2;
  }
  return 0;
}
