// Every field of an event body, in the schema's order, handed to a visitor
// by kind, so that each text form of events (`zagent cat`'s JSON, the
// Replay JSON of zagent-replay) lists the fields once, here, and only
// chooses how each kind is written. A visitor has:
//
//   num(key, integer)  str(key, bytes)  boolean(key, bool)
//   strings(key, vector<string>)  ip(key, IpAddress)
//   port(key, uint16_t, Protocol)  hash(key, raw bytes)
//   counters(key, vector<Counter>)
#pragma once

#include <variant>

#include "journal/event.h"
#include "journal/event_names.h"

namespace zagent {

template <typename Visitor>
void visit_process_fields(const ProcessExec& e, Visitor& v) {
  v.num("pid", e.pid);
  v.num("ppid", e.ppid);
  v.num("start_boot_ns", e.start_boot_ns);
  v.num("parent_start_boot_ns", e.parent_start_boot_ns);
  v.num("uid", e.uid);
  v.num("gid", e.gid);
  v.num("euid", e.euid);
  v.num("egid", e.egid);
  v.num("login_uid", e.login_uid);
  v.num("session_id", e.session_id);
  v.str("exe", e.exe);
  v.strings("argv", e.argv);
  v.boolean("argv_truncated", e.argv_truncated);
  v.str("cwd", e.cwd);
  v.str("comm", e.comm);
  v.str("tty", e.tty);
  v.num("cgroup_id", e.cgroup_id);
  v.str("container_id", e.container_id);
  v.hash("exe_sha256", e.exe_sha256);
  v.str("exe_hash_status", name(e.exe_hash_status));
}

template <typename Visitor>
void visit_fields(const EventBody& body, Visitor& v) {
  std::visit(
      [&v](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ProcessExec> || std::is_same_v<T, ProcessSnapshot>) {
          visit_process_fields(e, v);
        } else if constexpr (std::is_same_v<T, ProcessFork>) {
          v.num("pid", e.pid);
          v.num("ppid", e.ppid);
          v.num("start_boot_ns", e.start_boot_ns);
          v.num("parent_start_boot_ns", e.parent_start_boot_ns);
          v.num("uid", e.uid);
          v.str("comm", e.comm);
        } else if constexpr (std::is_same_v<T, ProcessExit>) {
          v.num("pid", e.pid);
          v.num("start_boot_ns", e.start_boot_ns);
          v.num("exit_code", e.exit_code);
          v.num("signal", e.signal);
          v.num("duration_ns", e.duration_ns);
          v.str("comm", e.comm);
        } else if constexpr (std::is_same_v<T, SocketEvent>) {
          v.str("action", name(e.action));
          v.str("protocol", name(e.protocol));
          v.num("pid", e.pid);
          v.num("start_boot_ns", e.start_boot_ns);
          v.num("uid", e.uid);
          v.str("comm", e.comm);
          v.str("exe", e.exe);
          v.ip("local_addr", e.local_addr);
          v.port("local_port", e.local_port, e.protocol);
          v.ip("remote_addr", e.remote_addr);
          v.port("remote_port", e.remote_port, e.protocol);
          v.num("bytes_sent", e.bytes_sent);
          v.num("bytes_received", e.bytes_received);
        } else if constexpr (std::is_same_v<T, FileEvent>) {
          v.str("action", name(e.action));
          v.num("pid", e.pid);
          v.num("start_boot_ns", e.start_boot_ns);
          v.num("uid", e.uid);
          v.str("comm", e.comm);
          v.str("exe", e.exe);
          v.str("path", e.path);
          v.str("new_path", e.new_path);
          v.num("mode", e.mode);
        } else if constexpr (std::is_same_v<T, LoginEvent>) {
          v.str("action", name(e.action));
          v.str("user", e.user);
          v.str("tty", e.tty);
          v.str("remote_host", e.remote_host);
          v.ip("remote_addr", e.remote_addr);
          v.num("pid", e.pid);
          v.num("session_id", e.session_id);
        } else if constexpr (std::is_same_v<T, SensorEvent>) {
          v.str("action", name(e.action));
          v.str("sensor", e.sensor);
          v.str("message", e.message);
          v.counters("counters", e.counters);
        }
      },
      body);
}

}  // namespace zagent
