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

// The columns of the row's exec or snapshot (they share a layout), fork, or exit.
const fb::ProcessColumns* exec_of(const BlockRows& r) {
  if (r.type() == EventType::ProcessExec) return r.block().process_exec();
  if (r.type() == EventType::ProcessSnapshot) return r.block().process_snapshot();
  return nullptr;
}
constexpr auto fork_of = columns_of<EventType::ProcessFork, &fb::Block::process_fork>;
constexpr auto exit_of = columns_of<EventType::ProcessExit, &fb::Block::process_exit>;

using P = fb::ProcessColumns;
using Fork = fb::ForkColumns;
using Exit = fb::ExitColumns;

// Getters for a field that execs and forks have, and that every process
// event has, under the same name.
template <auto ExecF, auto ForkF>
void exec_fork_int(const BlockRows& r, Cell& c) {
  if (exec_of(r)) return int_of<exec_of, ExecF>(r, c);
  int_of<fork_of, ForkF>(r, c);
}
template <auto ExecF, auto ForkF, auto ExitF>
void any_int(const BlockRows& r, Cell& c) {
  if (exit_of(r)) return int_of<exit_of, ExitF>(r, c);
  exec_fork_int<ExecF, ForkF>(r, c);
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
         [](const BlockRows& r, Cell& c) {
           switch (r.type()) {
             case EventType::ProcessExec: return c.text("exec");
             case EventType::ProcessFork: return c.text("fork");
             case EventType::ProcessExit: return c.text("exit");
             default: return c.text("snapshot");
           }
         }},
        {{"pid", ColumnType::Integer, "process id"}, any_int<&P::pid, &Fork::pid, &Exit::pid>},
        {{"ppid", ColumnType::Integer, "parent's process id (exec, fork, snapshot)"}, exec_fork_int<&P::ppid, &Fork::ppid>},
        {{"start_boot_ns", ColumnType::Integer, "when the process started, ns since boot"},
         any_int<&P::start_boot_ns, &Fork::start_boot_ns, &Exit::start_boot_ns>},
        {{"parent_start_boot_ns", ColumnType::Integer, "when the parent started, ns since boot"},
         exec_fork_int<&P::parent_start_boot_ns, &Fork::parent_start_boot_ns>},
        {{"uid", ColumnType::Integer, "real user id (exec, fork, snapshot)"}, exec_fork_int<&P::uid, &Fork::uid>},
        {{"gid", ColumnType::Integer, "real group id"}, int_of<exec_of, &P::gid>},
        {{"euid", ColumnType::Integer, "effective user id"}, int_of<exec_of, &P::euid>},
        {{"egid", ColumnType::Integer, "effective group id"}, int_of<exec_of, &P::egid>},
        {{"login_uid", ColumnType::Integer, "audit login user id; 4294967295 when unset"}, int_of<exec_of, &P::login_uid, 4294967295>},
        {{"session_id", ColumnType::Integer, "audit session id"}, int_of<exec_of, &P::session_id>},
        {{"exe", ColumnType::Text, "path of the executable"}, text_of<exec_of, &P::exe>},
        {{"argv", ColumnType::Text, "arguments as a JSON array of strings"},
         [](const BlockRows& r, Cell& c) {
           const auto* x = exec_of(r);
           if (!x) return c.null();
           thread_local std::string out;  // reused: no allocation per row
           json_array(
               column_value(x->argc(), r.row()),
               [&](size_t i) { return r.string(column_value(x->argv(), r.run_first() + i)); }, &out);
           c.text(out);
         }},
        {{"argv_truncated", ColumnType::Integer, "1 when argv was cut at the configured length"},
         int_of<exec_of, &P::argv_truncated>},
        {{"cwd", ColumnType::Text, "working directory"}, text_of<exec_of, &P::cwd>},
        {{"comm", ColumnType::Text, "the kernel's short command name"},
         [](const BlockRows& r, Cell& c) {
           if (exec_of(r)) return text_of<exec_of, &P::comm>(r, c);
           if (fork_of(r)) return text_of<fork_of, &Fork::comm>(r, c);
           text_of<exit_of, &Exit::comm>(r, c);
         }},
        {{"tty", ColumnType::Text, "controlling terminal, empty when none"}, text_of<exec_of, &P::tty>},
        {{"cgroup_id", ColumnType::Integer, "id of the process's cgroup (v2)"}, int_of<exec_of, &P::cgroup_id>},
        {{"container_id", ColumnType::Text, "64-hex container id from the cgroup name, empty when none"},
         text_of<exec_of, &P::container_id>},
        {{"exe_sha256", ColumnType::Text, "SHA-256 of the executable in hex; NULL unless exe_hash_status is 'ok'"},
         [](const BlockRows& r, Cell& c) {
           const auto* x = exec_of(r);
           if (!x || column_value(x->exe_hash_status(), r.row()) != fb::HashStatus::Ok) return c.null();
           const std::string_view sha = r.string(column_value(x->exe_sha256(), r.row()));
           c.text(to_hex({reinterpret_cast<const uint8_t*>(sha.data()), sha.size()}));
         }},
        {{"exe_hash_status", ColumnType::Text,
          "'ok', 'missing', 'unreadable', 'too_large' or 'not_computed'"},
         name_of<exec_of, &P::exe_hash_status, HashStatus>},
        {{"exit_code", ColumnType::Integer, "exit status (exit)"}, int_of<exit_of, &Exit::exit_code>},
        {{"signal", ColumnType::Integer, "the signal that ended the process, 0 when it exited (exit)"},
         int_of<exit_of, &Exit::signal>},
        {{"duration_ns", ColumnType::Integer, "from start to exit in ns, -1 when unknown (exit)"},
         int_of<exit_of, &Exit::duration_ns, -1>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables
