#include "agent/recorder/recorder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "agent/recorder/boot_clock.h"
#include "agent/recorder/ring_waiter.h"
#include "agent/sensors/exe_hasher.h"
#include "agent/sensors/file_sensor.h"
#include "agent/sensors/login_sensor.h"
#include "agent/sensors/process_sensor.h"
#include "agent/sensors/process_snapshot.h"
#include "agent/sensors/socket_sensor.h"
#include "agent/sensors/socket_snapshot.h"
#include "journal/error.h"

namespace zagent {

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kPollMs = 100;

// The effective capability set of this process, from /proc/self/status.
uint64_t effective_capabilities() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  }
  return 0;
}

}  // namespace

std::string missing_privileges() {
  constexpr int kCapSysAdmin = 21, kCapPerfmon = 38, kCapBpf = 39;
  const uint64_t caps = effective_capabilities();
  const auto has = [caps](int cap) { return (caps >> cap) & 1; };
  std::string missing;
  if (!has(kCapSysAdmin) && !(has(kCapBpf) && has(kCapPerfmon))) {
    missing = "the capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run as root";
  }
  struct stat st {};
  if (::stat("/sys/kernel/btf/vmlinux", &st) != 0) {
    if (!missing.empty()) missing += "; ";
    missing += "kernel BTF (/sys/kernel/btf/vmlinux; a kernel built with CONFIG_DEBUG_INFO_BTF)";
  }
  return missing;
}

Recorder::Recorder(RecorderOptions options) : options_(std::move(options)) {}

void Recorder::run(const std::atomic<bool>& stop, std::atomic<bool>& rotate) {
  BootClock clock;
  ExeHasher hasher(options_.exe_hash_max_bytes);
  ExeCache exes;  // what the process sensor saw, for the socket and file sensors
  // Every segment starts with the processes and sockets that already exist.
  JournalWriter* journal = nullptr;
  uint64_t refused = 0;  // events the journal could not take (see record below)
  const auto snapshot = [&] {
    const int64_t now = BootClock::wall_now();
    const auto add = [&](EventBody body) {
      ++stats_.events[body.index()];
      try {
        journal->append(now, std::move(body));
      } catch (const Error&) {
        ++refused;
      }
    };
    const uint32_t self = static_cast<uint32_t>(::getpid());
    for (ProcessSnapshot& p : snapshot_processes(hasher, self)) {
      exes.remember(p.pid, p.start_boot_ns, p.exe);
      add(std::move(p));
    }
    // A host without sock_diag still records; the segment then says so.
    std::vector<SocketEvent> sockets;
    try {
      sockets = snapshot_sockets(self);
    } catch (const Error& e) {
      add(SensorEvent{SensorAction::SensorDegraded, "socket_snapshot", e.what(), {}});
    }
    for (SocketEvent& s : sockets) add(std::move(s));
  };
  WriterOptions journal_options = options_.journal;
  journal_options.on_segment_start = [&] {
    if (journal) snapshot();
  };
  JournalWriter writer(journal_options);
  journal = &writer;
  // Every event goes through here. While blocks cannot be written (a full
  // disk) the writer holds events; past its bound it refuses them, and they
  // are counted as lost rather than stopping the agent.
  const auto record = [&](int64_t ts, EventBody body) {
    ++stats_.events[body.index()];
    try {
      writer.append(ts, std::move(body));
    } catch (const Error&) {
      ++refused;
      ++stats_.lost;
    }
  };
  const auto sensor_event = [&](SensorAction action, std::string sensor, std::string message,
                                std::vector<Counter> counters) {
    record(BootClock::wall_now(), SensorEvent{action, std::move(sensor), std::move(message), std::move(counters)});
  };
  sensor_event(SensorAction::AgentStart, "agent",
               "zagent " + options_.journal.agent_version + " pid " + std::to_string(::getpid()), {});

  ProcessSensor process(options_.ring_bytes, static_cast<uint32_t>(::getpid()), hasher,
                        [&](uint64_t boot_ns, EventBody body) {
                          if (const auto* exec = std::get_if<ProcessExec>(&body)) {
                            exes.remember(exec->pid, exec->start_boot_ns, exec->exe);
                          } else if (const auto* fork = std::get_if<ProcessFork>(&body)) {
                            exes.remember(fork->pid, fork->start_boot_ns,
                                          exes.exe_of(fork->ppid, fork->parent_start_boot_ns));
                          }
                          record(clock.to_wall(boot_ns), std::move(body));
                        });
  sensor_event(SensorAction::SensorAttached, "process",
               "eBPF tp_btf/sched_process_exec, sched_process_fork, sched_process_exit", {});
  SocketSensor sockets(options_.ring_bytes, static_cast<uint32_t>(::getpid()), exes,
                       [&](uint64_t boot_ns, EventBody body) { record(clock.to_wall(boot_ns), std::move(body)); });
  sensor_event(SensorAction::SensorAttached, "socket",
               "eBPF tp_btf/inet_sock_set_state, raw_tp/sys_exit (accept, connect, sendto, sendmsg, sendmmsg)", {});
  FileSensor files(options_.ring_bytes, static_cast<uint32_t>(::getpid()), exes, options_.watch,
                   [&](uint64_t boot_ns, EventBody body) { record(clock.to_wall(boot_ns), std::move(body)); });
  std::string watched;
  for (const std::string& prefix : options_.watch) watched += (watched.empty() ? "" : " ") + prefix;
  sensor_event(SensorAction::SensorAttached, "file",
               "eBPF raw_tp/sys_exit (open, creat, unlink, rmdir, rename, chmod families); watching " + watched, {});
  RingWaiter rings;
  for (const int fd : {process.epoll_fd(), sockets.epoll_fd(), files.epoll_fd()}) rings.add(fd);
  LoginSensor logins(options_.utmp_path, options_.wtmp_path);
  const auto poll_logins = [&] {
    logins.poll([&](int64_t ts, LoginEvent e) { record(ts ? ts : BootClock::wall_now(), std::move(e)); });
  };
  sensor_event(SensorAction::SensorAttached, "login",
               "utmp " + options_.utmp_path + " at start, then wtmp " + options_.wtmp_path +
                   " (utmp when there is no wtmp), read every second",
               {});
  poll_logins();
  // After attaching, so that no process falls between the snapshot and the
  // sensor (one that shows in both is harmless).
  snapshot();
  if (options_.started) options_.started();

  ProcessSensor::Drops reported;
  uint64_t reported_socket = 0, reported_file = 0;
  const auto report_drops = [&] {
    const ProcessSensor::Drops now = process.drops();
    const uint64_t socket_now = sockets.drops();
    const uint64_t file_now = files.drops();
    std::vector<Counter> lost;
    if (socket_now > reported_socket) lost.push_back({"socket", socket_now - reported_socket});
    reported_socket = socket_now;
    if (file_now > reported_file) lost.push_back({"file", file_now - reported_file});
    reported_file = file_now;
    if (now.exec > reported.exec) lost.push_back({"process_exec", now.exec - reported.exec});
    if (now.fork > reported.fork) lost.push_back({"process_fork", now.fork - reported.fork});
    if (now.exit > reported.exit) lost.push_back({"process_exit", now.exit - reported.exit});
    if (lost.empty()) return;
    for (const Counter& c : lost) stats_.lost += c.value;
    reported = now;
    sensor_event(SensorAction::EventsLost, "agent", "ring buffer full", std::move(lost));
  };

  bool paused = false;
  const int64_t start = BootClock::wall_now();
  int64_t next_tick = start + kSecond;
  while (!stop.load()) {
    // The sensors wake this loop only when their rings fill up; otherwise
    // it drains them on this timer.
    rings.wait(kPollMs);
    process.drain();
    sockets.drain();
    files.drain();
    // A write that fails pauses the journal (recorded when it happens, on
    // disk once writes succeed again); the agent keeps running.
    std::string write_error;
    try {
      writer.poll();
      write_error = writer.write_error();
    } catch (const Error& e) {
      write_error = e.what();
    }
    if (!write_error.empty() && !paused) {
      paused = true;
      sensor_event(SensorAction::WritePaused, "journal", write_error, {});
    } else if (write_error.empty() && paused) {
      paused = false;
      sensor_event(SensorAction::WriteResumed, "journal", "", {{"events_dropped", refused}});
      refused = 0;
    }
    if (rotate.exchange(false)) writer.rotate();
    const int64_t now = BootClock::wall_now();
    if (now >= next_tick) {
      next_tick = now + kSecond;
      report_drops();
      poll_logins();
      files.refresh();
      if (const int64_t jump = clock.refresh()) {
        sensor_event(SensorAction::ClockJump, "agent", "the wall clock jumped",
                     {{"jump_ns", static_cast<uint64_t>(jump)}});
      }
      if (options_.status) {
        const WriterStats& w = writer.stats();
        char line[256];
        std::snprintf(line, sizeof line,
                      "exec %" PRIu64 "  fork %" PRIu64 "  exit %" PRIu64 "  socket %" PRIu64 "  file %" PRIu64 "  lost %" PRIu64
                      "  journal %" PRIu64 " events, %" PRIu64 " bytes, %" PRIu64 " segment(s)",
                      stats_.events[0], stats_.events[1], stats_.events[2],
                      stats_.events[static_cast<size_t>(EventType::SocketEvent)],
                      stats_.events[static_cast<size_t>(EventType::FileEvent)], stats_.lost,
                      w.events_written + writer.pending().size(), w.bytes_written, w.segments_written);
        options_.status(line);
      }
    }
    if (options_.duration_ns > 0 && now - start >= options_.duration_ns) break;
  }
  // What the kernel already handed over is recorded before the journal closes.
  process.drain();
  sockets.drain();
  files.drain();
  report_drops();
  poll_logins();
  sensor_event(SensorAction::AgentStop, "agent", "stopped", {});
  writer.close();
}

}  // namespace zagent
