#include "journal/block_rows.h"

#include <algorithm>
#include <string>
#include <utility>

namespace zagent {

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
  const uint32_t argc = column_value(c.argc(), i);
  e.argv.reserve(argc);
  for (uint32_t a = 0; a < argc; ++a) e.argv.push_back(text(r, c.argv(), r.run_first() + a));
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


BlockRows::BlockRows(const fb::Block* block) : block_(block), count_(block ? block->type()->size() : 0) {
  if (block) {
    seq_ = block->base_seq() - 1;
    ts_ = static_cast<uint64_t>(block->base_ts());
  }
}

bool BlockRows::next() {
  if (index_ + 1 >= count_) {
    index_ = count_;
    return false;
  }
  ++index_;
  const fb::Block& b = *block_;
  ts_ += static_cast<uint64_t>(column_value(b.ts_delta(), index_));
  seq_ += 1 + column_value(b.seq_skip(), index_);
  const auto t = static_cast<size_t>(b.type()->Get(index_)) - 1;  // fb::EventType None is 0
  type_ = static_cast<EventType>(t);
  row_ = next_row_[t]++;
  run_first_ = next_run_[t];
  switch (type_) {
    case EventType::ProcessExec: next_run_[t] += column_value(b.process_exec()->argc(), row_); break;
    case EventType::ProcessSnapshot: next_run_[t] += column_value(b.process_snapshot()->argc(), row_); break;
    case EventType::SensorEvent: next_run_[t] += column_value(b.sensor()->counter_count(), row_); break;
    default: break;
  }
  return true;
}

std::string_view BlockRows::string(uint32_t index) const {
  if (index == 0) return {};
  const flatbuffers::String* s = block_->strings()->Get(index);
  return {s->data(), s->size()};
}

IpAddress column_ip(const flatbuffers::Vector<const fb::Ip*>* column, size_t row) {
  IpAddress out;
  if (!column) return out;
  const fb::Ip* a = column->Get(row);
  std::copy(a->bytes()->begin(), a->bytes()->end(), out.bytes.begin());
  return out;
}

Event BlockRows::event() const {
  const BlockRows& r = *this;
  const fb::Block& b = r.block();
  const size_t i = r.row();
  Event e{r.ts(), r.seq(), {}};
  switch (r.type()) {
    case EventType::ProcessExec: e.body = process_at(r, *b.process_exec()); break;
    case EventType::ProcessSnapshot: {
      ProcessSnapshot s;
      static_cast<ProcessExec&>(s) = process_at(r, *b.process_snapshot());
      e.body = std::move(s);
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
      e.body = std::move(s);
      break;
    }
  }
  return e;
}

}  // namespace zagent
