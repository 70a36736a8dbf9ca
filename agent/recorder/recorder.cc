#include "agent/recorder/recorder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>

#include "agent/recorder/boot_clock.h"
#include "agent/recorder/live_journal.h"
#include "agent/recorder/sensor_set.h"
#include "agent/sensors/exe_hasher.h"
#include "agent/sensors/process_snapshot.h"
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

std::string missing_capabilities() {
  constexpr int kCapSysAdmin = 21, kCapPerfmon = 38, kCapBpf = 39;
  const uint64_t caps = effective_capabilities();
  const auto has = [caps](int cap) { return (caps >> cap) & 1; };
  if (has(kCapSysAdmin) || (has(kCapBpf) && has(kCapPerfmon))) return "";
  return "the capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run as root";
}

std::string missing_privileges() {
  std::string missing = missing_capabilities();
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
  JournalWriter* journal = nullptr;  // set once the writer exists
  uint64_t refused = 0;  // events the journal could not take (see record below)
  // Every event goes through here. While blocks cannot be written (a full
  // disk) the writer holds events; past its bound it refuses them, and they
  // are counted as lost rather than stopping the agent.
  const auto record = [&](int64_t ts, EventBody body) {
    ++stats_.events[body.index()];
    try {
      journal->append(ts, std::move(body));
    } catch (const Error&) {
      ++refused;
      ++stats_.lost;
    }
  };
  // Every segment starts with the processes and sockets that already exist.
  const auto snapshot = [&] {
    const int64_t now = BootClock::wall_now();
    const uint32_t self = static_cast<uint32_t>(::getpid());
    for (ProcessSnapshot& p : snapshot_processes(hasher, self)) record(now, std::move(p));
    // A host without sock_diag still records; the segment then says so.
    std::vector<SocketEvent> sockets;
    try {
      sockets = snapshot_sockets(self);
    } catch (const Error& e) {
      record(now, SensorEvent{SensorAction::SensorDegraded, "socket_snapshot", e.what(), {}});
    }
    for (SocketEvent& s : sockets) record(now, std::move(s));
  };
  WriterOptions journal_options = options_.journal;
  journal_options.on_segment_start = [&] {
    if (journal) snapshot();
  };
  // Query threads see the writer only while this thread lets go of it.
  std::unique_lock<std::mutex> held;
  if (options_.live) held = options_.live->hold();
  JournalWriter writer(journal_options);
  journal = &writer;
  struct LiveAttachment {
    LiveJournal* live;
    std::unique_lock<std::mutex>& held;
    ~LiveAttachment() {
      if (!live) return;
      if (!held.owns_lock()) held.lock();
      live->detach();
    }
  } attachment{options_.live, held};
  if (options_.live) options_.live->attach(&writer, &stats_, BootClock::wall_now());
  const auto sensor_event = [&](SensorAction action, std::string sensor, std::string message,
                                std::vector<Counter> counters) {
    record(BootClock::wall_now(), SensorEvent{action, std::move(sensor), std::move(message), std::move(counters)});
  };
  sensor_event(SensorAction::AgentStart, "agent",
               "zagent " + options_.journal.agent_version + " pid " + std::to_string(::getpid()), {});

  SensorSet sensors(
      options_, hasher, [&](uint64_t boot_ns, EventBody body) { record(clock.to_wall(boot_ns), std::move(body)); },
      [&](int64_t ts, EventBody body) { record(ts ? ts : BootClock::wall_now(), std::move(body)); },
      [&](SensorAction action, const std::string& sensor, const std::string& message) {
        sensor_event(action, sensor, message, {});
      });
  // After attaching, so that no process falls between the snapshot and the
  // sensors (one that shows in both is harmless).
  snapshot();
  if (options_.started) options_.started();

  const auto report_drops = [&] {
    std::vector<Counter> lost = sensors.new_losses();
    if (lost.empty()) return;
    for (const Counter& c : lost) stats_.lost += c.value;
    sensor_event(SensorAction::EventsLost, "agent", sensors.degraded() ? "proc connector overrun" : "ring buffer full",
                 std::move(lost));
  };

  bool paused = false;
  const int64_t start = BootClock::wall_now();
  int64_t next_tick = start + kSecond;
  while (!stop.load()) {
    // The sensors wake this loop only when their rings fill up; otherwise
    // it drains them on this timer.
    if (held) held.unlock();
    sensors.wait(kPollMs);
    if (held.mutex()) held.lock();
    sensors.drain();
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
    if (options_.live) {
      uint64_t dropped = 0;
      for (SensorEvent& n : options_.live->take_notes(&dropped)) record(BootClock::wall_now(), std::move(n));
      if (dropped) {
        sensor_event(SensorAction::EventsLost, "agent", "sensor notes beyond the bound",
                     {{"notes", dropped}});
      }
    }
    const int64_t now = BootClock::wall_now();
    if (now >= next_tick) {
      next_tick = now + kSecond;
      report_drops();
      sensors.tick();
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
  sensors.drain();
  report_drops();
  sensors.tick();
  sensor_event(SensorAction::AgentStop, "agent", "stopped", {});
  writer.close();
}

}  // namespace zagent
