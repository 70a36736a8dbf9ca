#include "tests/support/event_in_place.h"

namespace zagent::testing {
namespace {

std::string text(const BlockRows& r, const flatbuffers::Vector<uint32_t>* column, size_t row) {
  return std::string(r.string(column_value(column, row)));
}

ProcessExec process_at(const BlockRows& r, const fb::ProcessColumns& c) {
  const size_t i = r.row();
  ProcessExec e;
  e.pid = column_value(c.pid(), i);
  e.ppid = column_value(c.ppid(), i);
  e.start_boot_ns = column_value(c.start_boot_ns(), i);
  e.parent_start_boot_ns = column_value(c.parent_start_boot_ns(), i);
  e.uid = column_value(c.uid(), i);
  e.gid = column_value(c.gid(), i);
  e.euid = column_value(c.euid(), i);
  e.egid = column_value(c.egid(), i);
  e.login_uid = column_value(c.login_uid(), i, 4294967295u);
  e.session_id = column_value(c.session_id(), i);
  e.exe = text(r, c.exe(), i);
  for (uint32_t a = 0; a < column_value(c.argc(), i); ++a) e.argv.push_back(text(r, c.argv(), r.run_first() + a));
  e.argv_truncated = column_value(c.argv_truncated(), i) != 0;
  e.cwd = text(r, c.cwd(), i);
  e.comm = text(r, c.comm(), i);
  e.tty = text(r, c.tty(), i);
  e.cgroup_id = column_value(c.cgroup_id(), i);
  e.container_id = text(r, c.container_id(), i);
  e.exe_sha256 = text(r, c.exe_sha256(), i);
  e.exe_hash_status = static_cast<HashStatus>(column_value(c.exe_hash_status(), i));
  return e;
}

}  // namespace

Event event_in_place(const BlockRows& r) {
  const fb::Block& b = r.block();
  const size_t i = r.row();
  Event e{r.ts(), r.seq(), {}};
  switch (r.type()) {
    case EventType::ProcessExec: e.body = process_at(r, *b.process_exec()); break;
    case EventType::ProcessSnapshot: {
      ProcessSnapshot s;
      static_cast<ProcessExec&>(s) = process_at(r, *b.process_snapshot());
      e.body = s;
      break;
    }
    case EventType::ProcessFork: {
      const auto& c = *b.process_fork();
      e.body = ProcessFork{column_value(c.pid(), i), column_value(c.ppid(), i), column_value(c.start_boot_ns(), i),
                           column_value(c.parent_start_boot_ns(), i), column_value(c.uid(), i), text(r, c.comm(), i)};
      break;
    }
    case EventType::ProcessExit: {
      const auto& c = *b.process_exit();
      e.body = ProcessExit{column_value(c.pid(), i), column_value(c.start_boot_ns(), i), column_value(c.exit_code(), i),
                           column_value(c.signal(), i), column_value(c.duration_ns(), i, int64_t{-1}),
                           text(r, c.comm(), i)};
      break;
    }
    case EventType::SocketEvent: {
      const auto& c = *b.socket();
      e.body = SocketEvent{static_cast<SocketAction>(column_value(c.action(), i)),
                           static_cast<Protocol>(column_value(c.protocol(), i)),
                           column_value(c.pid(), i),
                           column_value(c.start_boot_ns(), i),
                           column_value(c.uid(), i),
                           text(r, c.comm(), i),
                           text(r, c.exe(), i),
                           column_ip(c.local_addr(), i),
                           column_value(c.local_port(), i),
                           column_ip(c.remote_addr(), i),
                           column_value(c.remote_port(), i),
                           column_value(c.bytes_sent(), i),
                           column_value(c.bytes_received(), i)};
      break;
    }
    case EventType::FileEvent: {
      const auto& c = *b.file();
      e.body = FileEvent{static_cast<FileAction>(column_value(c.action(), i)), column_value(c.pid(), i),
                         column_value(c.start_boot_ns(), i), column_value(c.uid(), i), text(r, c.comm(), i),
                         text(r, c.exe(), i), text(r, c.path(), i), text(r, c.new_path(), i),
                         column_value(c.mode(), i)};
      break;
    }
    case EventType::LoginEvent: {
      const auto& c = *b.login();
      e.body = LoginEvent{static_cast<LoginAction>(column_value(c.action(), i)), text(r, c.user(), i),
                          text(r, c.tty(), i), text(r, c.remote_host(), i), column_ip(c.remote_addr(), i),
                          column_value(c.pid(), i), column_value(c.session_id(), i)};
      break;
    }
    case EventType::SensorEvent: {
      const auto& c = *b.sensor();
      SensorEvent s{static_cast<SensorAction>(column_value(c.action(), i)), text(r, c.sensor(), i),
                    text(r, c.message(), i), {}};
      for (uint32_t k = 0; k < column_value(c.counter_count(), i); ++k)
        s.counters.push_back({text(r, c.counter_name(), r.run_first() + k),
                              column_value(c.counter_value(), r.run_first() + k)});
      e.body = s;
      break;
    }
  }
  return e;
}

}  // namespace zagent::testing
