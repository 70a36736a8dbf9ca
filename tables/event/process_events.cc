// process_events: every process event of the journals, one row each: execs,
// forks, exits, and the processes that already existed when a segment
// started (type 'snapshot'). Columns an event type does not have are NULL.
//
//   SELECT time, pid, exe, argv FROM process_events
//    WHERE type = 'exec' AND time >= 1700000000000000000 LIMIT 10;
//
// A process is named by (boot_id, pid, start_boot_ns) across all tables: a
// fork, its exec, its sockets and files, and its exit share it.
#include "journal/event_names.h"
#include "journal/hash_chain.h"
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

const ProcessExec* exec_of(const Event& e) {
  if (const auto* x = std::get_if<ProcessExec>(&e.body)) return x;
  return std::get_if<ProcessSnapshot>(&e.body);
}
const ProcessFork* fork_of(const Event& e) { return std::get_if<ProcessFork>(&e.body); }
const ProcessExit* exit_of(const Event& e) { return std::get_if<ProcessExit>(&e.body); }

// Getters for a field that only execs (and snapshots) have, that execs and
// forks have, that exits have, and that every process event has.
template <auto F>
void exec_int(const Event& e, Cell& c) {
  if (const auto* x = exec_of(e)) return c.integer(x->*F);
  c.null();
}
template <auto F>
void exec_text(const Event& e, Cell& c) {
  if (const auto* x = exec_of(e)) return c.text(x->*F);
  c.null();
}
template <auto F>
void exit_int(const Event& e, Cell& c) {
  if (const auto* x = exit_of(e)) return c.integer(x->*F);
  c.null();
}
template <auto ExecF, auto ForkF>
void exec_fork_int(const Event& e, Cell& c) {
  if (const auto* x = exec_of(e)) return c.integer(x->*ExecF);
  if (const auto* f = fork_of(e)) return c.integer(f->*ForkF);
  c.null();
}
template <auto ExecF, auto ForkF, auto ExitF>
void any_int(const Event& e, Cell& c) {
  if (const auto* x = exec_of(e)) return c.integer(x->*ExecF);
  if (const auto* f = fork_of(e)) return c.integer(f->*ForkF);
  if (const auto* x = exit_of(e)) return c.integer(x->*ExitF);
  c.null();
}

const EventTable table{
    "process_events",
    "Process events: exec, fork, exit, and 'snapshot' for the processes that existed when a "
    "journal segment started. Columns an event type lacks are NULL.",
    "SELECT time, pid, ppid, exe, argv FROM process_events WHERE type = 'exec' LIMIT 10",
    type_bit(EventType::ProcessExec) | type_bit(EventType::ProcessFork) | type_bit(EventType::ProcessExit) |
        type_bit(EventType::ProcessSnapshot),
    {
        {{"type", ColumnType::Text, "'exec', 'fork', 'exit' or 'snapshot'"},
         [](const Event& e, Cell& c) {
           switch (e.type()) {
             case EventType::ProcessExec: return c.text("exec");
             case EventType::ProcessFork: return c.text("fork");
             case EventType::ProcessExit: return c.text("exit");
             default: return c.text("snapshot");
           }
         }},
        {{"pid", ColumnType::Integer, "process id"}, any_int<&ProcessExec::pid, &ProcessFork::pid, &ProcessExit::pid>},
        {{"ppid", ColumnType::Integer, "parent's process id (exec, fork, snapshot)"}, exec_fork_int<&ProcessExec::ppid, &ProcessFork::ppid>},
        {{"start_boot_ns", ColumnType::Integer, "when the process started, ns since boot"},
         any_int<&ProcessExec::start_boot_ns, &ProcessFork::start_boot_ns, &ProcessExit::start_boot_ns>},
        {{"parent_start_boot_ns", ColumnType::Integer, "when the parent started, ns since boot"},
         exec_fork_int<&ProcessExec::parent_start_boot_ns, &ProcessFork::parent_start_boot_ns>},
        {{"uid", ColumnType::Integer, "real user id (exec, fork, snapshot)"}, exec_fork_int<&ProcessExec::uid, &ProcessFork::uid>},
        {{"gid", ColumnType::Integer, "real group id"}, exec_int<&ProcessExec::gid>},
        {{"euid", ColumnType::Integer, "effective user id"}, exec_int<&ProcessExec::euid>},
        {{"egid", ColumnType::Integer, "effective group id"}, exec_int<&ProcessExec::egid>},
        {{"login_uid", ColumnType::Integer, "audit login user id; 4294967295 when unset"}, exec_int<&ProcessExec::login_uid>},
        {{"session_id", ColumnType::Integer, "audit session id"}, exec_int<&ProcessExec::session_id>},
        {{"exe", ColumnType::Text, "path of the executable"}, exec_text<&ProcessExec::exe>},
        {{"argv", ColumnType::Text, "arguments as a JSON array of strings"},
         [](const Event& e, Cell& c) {
           if (const auto* x = exec_of(e)) return c.text(json_array(x->argv));
           c.null();
         }},
        {{"argv_truncated", ColumnType::Integer, "1 when argv was cut at the configured length"},
         exec_int<&ProcessExec::argv_truncated>},
        {{"cwd", ColumnType::Text, "working directory"}, exec_text<&ProcessExec::cwd>},
        {{"comm", ColumnType::Text, "the kernel's short command name"},
         [](const Event& e, Cell& c) {
           if (const auto* x = exec_of(e)) return c.text(x->comm);
           if (const auto* f = fork_of(e)) return c.text(f->comm);
           if (const auto* x = exit_of(e)) return c.text(x->comm);
           c.null();
         }},
        {{"tty", ColumnType::Text, "controlling terminal, empty when none"}, exec_text<&ProcessExec::tty>},
        {{"cgroup_id", ColumnType::Integer, "id of the process's cgroup (v2)"}, exec_int<&ProcessExec::cgroup_id>},
        {{"container_id", ColumnType::Text, "64-hex container id from the cgroup name, empty when none"},
         exec_text<&ProcessExec::container_id>},
        {{"exe_sha256", ColumnType::Text, "SHA-256 of the executable in hex; NULL unless exe_hash_status is 'ok'"},
         [](const Event& e, Cell& c) {
           const auto* x = exec_of(e);
           if (!x || x->exe_hash_status != HashStatus::Ok) return c.null();
           c.text(to_hex({reinterpret_cast<const uint8_t*>(x->exe_sha256.data()), x->exe_sha256.size()}));
         }},
        {{"exe_hash_status", ColumnType::Text,
          "'ok', 'missing', 'unreadable', 'too_large' or 'not_computed'"},
         [](const Event& e, Cell& c) {
           if (const auto* x = exec_of(e)) return c.text(name(x->exe_hash_status));
           c.null();
         }},
        {{"exit_code", ColumnType::Integer, "exit status (exit)"}, exit_int<&ProcessExit::exit_code>},
        {{"signal", ColumnType::Integer, "the signal that ended the process, 0 when it exited (exit)"},
         exit_int<&ProcessExit::signal>},
        {{"duration_ns", ColumnType::Integer, "from start to exit in ns, -1 when unknown (exit)"},
         exit_int<&ProcessExit::duration_ns>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables
