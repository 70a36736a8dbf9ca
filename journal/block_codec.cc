#include "journal/block_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "journal/block_rows.h"
#include "journal/error.h"
#include "schemas/events_generated.h"

namespace zagent {

namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::Vector;

// Verifier limits: blocks come from hosts that may have been compromised.
constexpr flatbuffers::uoffset_t kMaxDepth = 8;
constexpr flatbuffers::uoffset_t kMaxTables = 1u << 20;

// ---------------------------------------------------------------------------
// Encoding

// The block's string table: each distinct string once, index 0 is "".
class StringTable {
 public:
  StringTable() { strings_.emplace_back(); }
  uint32_t add(std::string_view s) {
    if (s.empty()) return 0;
    auto [it, inserted] = index_.try_emplace(s, static_cast<uint32_t>(strings_.size()));
    if (inserted) strings_.push_back(s);
    return it->second;
  }
  Offset<Vector<Offset<flatbuffers::String>>> build(FlatBufferBuilder& fbb) const {
    std::vector<Offset<flatbuffers::String>> offsets;
    offsets.reserve(strings_.size());
    for (std::string_view s : strings_) offsets.push_back(fbb.CreateString(s.data(), s.size()));
    return fbb.CreateVector(offsets);
  }

 private:
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<std::string_view> strings_;
};

template <typename T>
Offset<Vector<T>> column(FlatBufferBuilder& fbb, const std::vector<T>& v) {
  return fbb.CreateVector(v);
}
Offset<Vector<uint8_t>> column(FlatBufferBuilder& fbb, const std::vector<bool>& v) {
  std::vector<uint8_t> bytes(v.begin(), v.end());
  return fbb.CreateVector(bytes);
}
template <typename Enum>
Offset<Vector<Enum>> enum_column(FlatBufferBuilder& fbb, const std::vector<Enum>& v) {
  return fbb.CreateVector(v);
}
Offset<Vector<const fb::Ip*>> ip_column(FlatBufferBuilder& fbb, const std::vector<fb::Ip>& v) {
  return fbb.CreateVectorOfStructs(v);
}
fb::Ip to_fb(const IpAddress& a) {
  return fb::Ip(flatbuffers::span<const uint8_t, 16>(a.bytes.data(), a.bytes.size()));
}

struct ProcessCols {
  std::vector<uint32_t> pid, ppid, uid, gid, euid, egid, login_uid, session_id, exe, argc, argv, cwd,
      comm, tty, container_id, exe_sha256;
  std::vector<uint64_t> start_boot_ns, parent_start_boot_ns, cgroup_id;
  std::vector<bool> argv_truncated;
  std::vector<fb::HashStatus> exe_hash_status;
  size_t rows = 0;

  void add(const ProcessExec& e, StringTable& s) {
    ++rows;
    pid.push_back(e.pid);
    ppid.push_back(e.ppid);
    start_boot_ns.push_back(e.start_boot_ns);
    parent_start_boot_ns.push_back(e.parent_start_boot_ns);
    uid.push_back(e.uid);
    gid.push_back(e.gid);
    euid.push_back(e.euid);
    egid.push_back(e.egid);
    login_uid.push_back(e.login_uid);
    session_id.push_back(e.session_id);
    exe.push_back(s.add(e.exe));
    argc.push_back(static_cast<uint32_t>(e.argv.size()));
    for (const std::string& a : e.argv) argv.push_back(s.add(a));
    argv_truncated.push_back(e.argv_truncated);
    cwd.push_back(s.add(e.cwd));
    comm.push_back(s.add(e.comm));
    tty.push_back(s.add(e.tty));
    cgroup_id.push_back(e.cgroup_id);
    container_id.push_back(s.add(e.container_id));
    exe_sha256.push_back(s.add(e.exe_sha256));
    exe_hash_status.push_back(static_cast<fb::HashStatus>(e.exe_hash_status));
  }
  Offset<fb::ProcessColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateProcessColumns(
        fbb, column(fbb, pid), column(fbb, ppid), column(fbb, start_boot_ns),
        column(fbb, parent_start_boot_ns), column(fbb, uid), column(fbb, gid), column(fbb, euid),
        column(fbb, egid), column(fbb, login_uid), column(fbb, session_id), column(fbb, exe),
        column(fbb, argc), column(fbb, argv), column(fbb, argv_truncated), column(fbb, cwd),
        column(fbb, comm), column(fbb, tty), column(fbb, cgroup_id), column(fbb, container_id),
        column(fbb, exe_sha256), enum_column(fbb, exe_hash_status));
  }
};

struct ForkCols {
  std::vector<uint32_t> pid, ppid, uid, comm;
  std::vector<uint64_t> start_boot_ns, parent_start_boot_ns;
  size_t rows = 0;
  void add(const ProcessFork& e, StringTable& s) {
    ++rows;
    pid.push_back(e.pid);
    ppid.push_back(e.ppid);
    start_boot_ns.push_back(e.start_boot_ns);
    parent_start_boot_ns.push_back(e.parent_start_boot_ns);
    uid.push_back(e.uid);
    comm.push_back(s.add(e.comm));
  }
  Offset<fb::ForkColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateForkColumns(fbb, column(fbb, pid), column(fbb, ppid), column(fbb, start_boot_ns),
                                 column(fbb, parent_start_boot_ns), column(fbb, uid), column(fbb, comm));
  }
};

struct ExitCols {
  std::vector<uint32_t> pid, comm;
  std::vector<uint64_t> start_boot_ns;
  std::vector<int32_t> exit_code, signal;
  std::vector<int64_t> duration_ns;
  size_t rows = 0;
  void add(const ProcessExit& e, StringTable& s) {
    ++rows;
    pid.push_back(e.pid);
    start_boot_ns.push_back(e.start_boot_ns);
    exit_code.push_back(e.exit_code);
    signal.push_back(e.signal);
    duration_ns.push_back(e.duration_ns);
    comm.push_back(s.add(e.comm));
  }
  Offset<fb::ExitColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateExitColumns(fbb, column(fbb, pid), column(fbb, start_boot_ns), column(fbb, exit_code),
                                 column(fbb, signal), column(fbb, duration_ns), column(fbb, comm));
  }
};

struct SocketCols {
  std::vector<fb::SocketAction> action;
  std::vector<fb::Protocol> protocol;
  std::vector<uint32_t> pid, uid, comm, exe;
  std::vector<uint64_t> start_boot_ns, bytes_sent, bytes_received;
  std::vector<fb::Ip> local_addr, remote_addr;
  std::vector<uint16_t> local_port, remote_port;
  size_t rows = 0;
  void add(const SocketEvent& e, StringTable& s) {
    ++rows;
    action.push_back(static_cast<fb::SocketAction>(e.action));
    protocol.push_back(static_cast<fb::Protocol>(e.protocol));
    pid.push_back(e.pid);
    start_boot_ns.push_back(e.start_boot_ns);
    uid.push_back(e.uid);
    comm.push_back(s.add(e.comm));
    exe.push_back(s.add(e.exe));
    local_addr.push_back(to_fb(e.local_addr));
    local_port.push_back(e.local_port);
    remote_addr.push_back(to_fb(e.remote_addr));
    remote_port.push_back(e.remote_port);
    bytes_sent.push_back(e.bytes_sent);
    bytes_received.push_back(e.bytes_received);
  }
  Offset<fb::SocketColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateSocketColumns(fbb, enum_column(fbb, action), enum_column(fbb, protocol), column(fbb, pid),
                                   column(fbb, start_boot_ns), column(fbb, uid), column(fbb, comm),
                                   column(fbb, exe), ip_column(fbb, local_addr), column(fbb, local_port),
                                   ip_column(fbb, remote_addr), column(fbb, remote_port),
                                   column(fbb, bytes_sent), column(fbb, bytes_received));
  }
};

struct FileCols {
  std::vector<fb::FileAction> action;
  std::vector<uint32_t> pid, uid, comm, exe, path, new_path, mode;
  std::vector<uint64_t> start_boot_ns;
  size_t rows = 0;
  void add(const FileEvent& e, StringTable& s) {
    ++rows;
    action.push_back(static_cast<fb::FileAction>(e.action));
    pid.push_back(e.pid);
    start_boot_ns.push_back(e.start_boot_ns);
    uid.push_back(e.uid);
    comm.push_back(s.add(e.comm));
    exe.push_back(s.add(e.exe));
    path.push_back(s.add(e.path));
    new_path.push_back(s.add(e.new_path));
    mode.push_back(e.mode);
  }
  Offset<fb::FileColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateFileColumns(fbb, enum_column(fbb, action), column(fbb, pid), column(fbb, start_boot_ns),
                                 column(fbb, uid), column(fbb, comm), column(fbb, exe), column(fbb, path),
                                 column(fbb, new_path), column(fbb, mode));
  }
};

struct LoginCols {
  std::vector<fb::LoginAction> action;
  std::vector<uint32_t> user, tty, remote_host, pid, session_id;
  std::vector<fb::Ip> remote_addr;
  size_t rows = 0;
  void add(const LoginEvent& e, StringTable& s) {
    ++rows;
    action.push_back(static_cast<fb::LoginAction>(e.action));
    user.push_back(s.add(e.user));
    tty.push_back(s.add(e.tty));
    remote_host.push_back(s.add(e.remote_host));
    remote_addr.push_back(to_fb(e.remote_addr));
    pid.push_back(e.pid);
    session_id.push_back(e.session_id);
  }
  Offset<fb::LoginColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateLoginColumns(fbb, enum_column(fbb, action), column(fbb, user), column(fbb, tty),
                                  column(fbb, remote_host), ip_column(fbb, remote_addr), column(fbb, pid),
                                  column(fbb, session_id));
  }
};

struct SensorCols {
  std::vector<fb::SensorAction> action;
  std::vector<uint32_t> sensor, message, counter_count, counter_name;
  std::vector<uint64_t> counter_value;
  size_t rows = 0;
  void add(const SensorEvent& e, StringTable& s) {
    ++rows;
    action.push_back(static_cast<fb::SensorAction>(e.action));
    sensor.push_back(s.add(e.sensor));
    message.push_back(s.add(e.message));
    counter_count.push_back(static_cast<uint32_t>(e.counters.size()));
    for (const Counter& c : e.counters) {
      counter_name.push_back(s.add(c.name));
      counter_value.push_back(c.value);
    }
  }
  Offset<fb::SensorColumns> build(FlatBufferBuilder& fbb) const {
    if (rows == 0) return 0;
    return fb::CreateSensorColumns(fbb, enum_column(fbb, action), column(fbb, sensor), column(fbb, message),
                                   column(fbb, counter_count), column(fbb, counter_name),
                                   column(fbb, counter_value));
  }
};

// Adds each event's fields to the columns of its type.
struct BlockColumns {
  StringTable strings;
  ProcessCols exec, snapshot;
  ForkCols fork;
  ExitCols exit;
  SocketCols socket;
  FileCols file;
  LoginCols login;
  SensorCols sensor;

  void operator()(const ProcessExec& e) { exec.add(e, strings); }
  void operator()(const ProcessSnapshot& e) { snapshot.add(e, strings); }
  void operator()(const ProcessFork& e) { fork.add(e, strings); }
  void operator()(const ProcessExit& e) { exit.add(e, strings); }
  void operator()(const SocketEvent& e) { socket.add(e, strings); }
  void operator()(const FileEvent& e) { file.add(e, strings); }
  void operator()(const LoginEvent& e) { login.add(e, strings); }
  void operator()(const SensorEvent& e) { sensor.add(e, strings); }
};

// ---------------------------------------------------------------------------
// Decoding

// Checks once per block what reading its events needs, so that readers of
// single fields (block_rows.h) need not check each access: every column of
// a type is absent or has an entry for each of its events, every string
// index an event uses is inside the string table, and each list column
// (argv, counters) holds the runs its counts add up to. Building the events
// (BlockRows::event()) then reads unchecked as well.
class ColumnCheck {
 public:
  ColumnCheck(const fb::Block& block, std::string* why) : strings_(block.strings()), why_(why) {}

  bool ok() const { return ok_; }
  void fail(const char* why) {
    if (ok_) *why_ = why;
    ok_ = false;
  }
  // A table of columns for `n` events: present when n > 0.
  template <typename Table>
  bool table(const Table* t, size_t n) {
    if (n && !t) fail("events without their columns");
    return n && t;
  }
  template <typename T>
  void rows(const Vector<T>* column, size_t n) {
    if (column && column->size() < n) fail("a column is shorter than its events");
  }
  void strings(const Vector<uint32_t>* column, size_t n) {
    rows(column, n);
    if (!column || !ok_) return;
    const size_t table = strings_ ? strings_->size() : 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t index = column_value(column, i);
      if (index != 0 && index >= table) return fail("a string index is past the string table");
    }
  }
  // The sum of the first n counts (0 when the column is absent).
  size_t total(const Vector<uint32_t>* counts, size_t n) {
    rows(counts, n);
    size_t sum = 0;
    if (counts && ok_)
      for (size_t i = 0; i < n; ++i) sum += column_value(counts, i);
    return sum;
  }
  template <typename T>
  void runs(const Vector<T>* column, size_t total) {
    if (total > (column ? column->size() : 0)) fail("a list column is shorter than its counts");
  }

 private:
  const Vector<Offset<flatbuffers::String>>* strings_;
  std::string* why_;
  bool ok_ = true;
};

void check_process_columns(ColumnCheck& k, const fb::ProcessColumns* c, size_t n) {
  if (!k.table(c, n)) return;
  k.rows(c->pid(), n);
  k.rows(c->ppid(), n);
  k.rows(c->start_boot_ns(), n);
  k.rows(c->parent_start_boot_ns(), n);
  k.rows(c->uid(), n);
  k.rows(c->gid(), n);
  k.rows(c->euid(), n);
  k.rows(c->egid(), n);
  k.rows(c->login_uid(), n);
  k.rows(c->session_id(), n);
  k.strings(c->exe(), n);
  const size_t args = k.total(c->argc(), n);
  k.runs(c->argv(), args);
  k.strings(c->argv(), args);
  k.rows(c->argv_truncated(), n);
  k.strings(c->cwd(), n);
  k.strings(c->comm(), n);
  k.strings(c->tty(), n);
  k.rows(c->cgroup_id(), n);
  k.strings(c->container_id(), n);
  k.strings(c->exe_sha256(), n);
  k.rows(c->exe_hash_status(), n);
}

bool check_columns(const fb::Block& b, const std::vector<uint32_t>& counts, std::string* why) {
  ColumnCheck k(b, why);
  const auto n = [&counts](EventType t) { return counts[static_cast<size_t>(t)]; };
  check_process_columns(k, b.process_exec(), n(EventType::ProcessExec));
  check_process_columns(k, b.process_snapshot(), n(EventType::ProcessSnapshot));
  if (const auto* c = b.process_fork(); k.table(c, n(EventType::ProcessFork))) {
    const size_t rows = n(EventType::ProcessFork);
    k.rows(c->pid(), rows);
    k.rows(c->ppid(), rows);
    k.rows(c->start_boot_ns(), rows);
    k.rows(c->parent_start_boot_ns(), rows);
    k.rows(c->uid(), rows);
    k.strings(c->comm(), rows);
  }
  if (const auto* c = b.process_exit(); k.table(c, n(EventType::ProcessExit))) {
    const size_t rows = n(EventType::ProcessExit);
    k.rows(c->pid(), rows);
    k.rows(c->start_boot_ns(), rows);
    k.rows(c->exit_code(), rows);
    k.rows(c->signal(), rows);
    k.rows(c->duration_ns(), rows);
    k.strings(c->comm(), rows);
  }
  if (const auto* c = b.socket(); k.table(c, n(EventType::SocketEvent))) {
    const size_t rows = n(EventType::SocketEvent);
    k.rows(c->action(), rows);
    k.rows(c->protocol(), rows);
    k.rows(c->pid(), rows);
    k.rows(c->start_boot_ns(), rows);
    k.rows(c->uid(), rows);
    k.strings(c->comm(), rows);
    k.strings(c->exe(), rows);
    k.rows(c->local_addr(), rows);
    k.rows(c->local_port(), rows);
    k.rows(c->remote_addr(), rows);
    k.rows(c->remote_port(), rows);
    k.rows(c->bytes_sent(), rows);
    k.rows(c->bytes_received(), rows);
  }
  if (const auto* c = b.file(); k.table(c, n(EventType::FileEvent))) {
    const size_t rows = n(EventType::FileEvent);
    k.rows(c->action(), rows);
    k.rows(c->pid(), rows);
    k.rows(c->start_boot_ns(), rows);
    k.rows(c->uid(), rows);
    k.strings(c->comm(), rows);
    k.strings(c->exe(), rows);
    k.strings(c->path(), rows);
    k.strings(c->new_path(), rows);
    k.rows(c->mode(), rows);
  }
  if (const auto* c = b.login(); k.table(c, n(EventType::LoginEvent))) {
    const size_t rows = n(EventType::LoginEvent);
    k.rows(c->action(), rows);
    k.strings(c->user(), rows);
    k.strings(c->tty(), rows);
    k.strings(c->remote_host(), rows);
    k.rows(c->remote_addr(), rows);
    k.rows(c->pid(), rows);
    k.rows(c->session_id(), rows);
  }
  if (const auto* c = b.sensor(); k.table(c, n(EventType::SensorEvent))) {
    const size_t rows = n(EventType::SensorEvent);
    k.rows(c->action(), rows);
    k.strings(c->sensor(), rows);
    k.strings(c->message(), rows);
    const size_t counters = k.total(c->counter_count(), rows);
    k.runs(c->counter_name(), counters);
    k.strings(c->counter_name(), counters);
    k.runs(c->counter_value(), counters);
  }
  return k.ok();
}

}  // namespace

void encode_block(std::span<const Event> events, FlatBufferBuilder& fbb) {
  fbb.Clear();
  const int64_t base_ts = events.empty() ? 0 : events.front().ts;
  const uint64_t base_seq = events.empty() ? 0 : events.front().seq;

  BlockColumns cols;
  std::vector<fb::EventType> types;
  std::vector<int64_t> ts_delta;
  std::vector<uint32_t> seq_skip;
  types.reserve(events.size());
  ts_delta.reserve(events.size());
  seq_skip.reserve(events.size());
  bool gaps = false;
  uint64_t prev_ts = static_cast<uint64_t>(base_ts);
  uint64_t prev_seq = base_seq - 1;
  for (const Event& e : events) {
    types.push_back(static_cast<fb::EventType>(e.body.index() + 1));
    ts_delta.push_back(static_cast<int64_t>(static_cast<uint64_t>(e.ts) - prev_ts));
    prev_ts = static_cast<uint64_t>(e.ts);
    const uint64_t skip = e.seq - prev_seq - 1;
    if (e.seq <= prev_seq && &e != &events.front()) throw Error("block events must have increasing seq");
    if (skip > UINT32_MAX) throw Error("seq jumps by more than 2^32 within a block");
    gaps |= skip != 0;
    seq_skip.push_back(static_cast<uint32_t>(skip));
    prev_seq = e.seq;
    std::visit(cols, e.body);
  }

  const auto strings = cols.strings.build(fbb);
  const auto exec = cols.exec.build(fbb);
  const auto fork = cols.fork.build(fbb);
  const auto exit = cols.exit.build(fbb);
  const auto snapshot = cols.snapshot.build(fbb);
  const auto socket = cols.socket.build(fbb);
  const auto file = cols.file.build(fbb);
  const auto login = cols.login.build(fbb);
  const auto sensor = cols.sensor.build(fbb);
  const auto type_vec = fbb.CreateVector(types);
  const auto ts_vec = fbb.CreateVector(ts_delta);
  const auto seq_vec = gaps ? fbb.CreateVector(seq_skip) : Offset<Vector<uint32_t>>();
  fb::BlockBuilder b(fbb);
  b.add_base_ts(base_ts);
  b.add_base_seq(base_seq);
  b.add_type(type_vec);
  b.add_ts_delta(ts_vec);
  if (gaps) b.add_seq_skip(seq_vec);
  b.add_strings(strings);
  b.add_process_exec(exec);
  b.add_process_fork(fork);
  b.add_process_exit(exit);
  b.add_process_snapshot(snapshot);
  b.add_socket(socket);
  b.add_file(file);
  b.add_login(login);
  b.add_sensor(sensor);
  fbb.Finish(b.Finish(), fb::BlockIdentifier());
}

const fb::Block* verified_block(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8 || bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) return nullptr;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxDepth, kMaxTables);
  if (!fb::VerifyBlockBuffer(verifier)) return nullptr;
  const fb::Block* block = fb::GetBlock(bytes.data());
  if (!block->type() || !block->ts_delta() || block->ts_delta()->size() != block->type()->size()) {
    return nullptr;
  }
  if (block->seq_skip() && block->seq_skip()->size() != block->type()->size()) return nullptr;
  return block;
}

bool decode_block(const fb::Block& block, uint32_t type_mask, std::vector<Event>* out, BlockSummary* summary,
                  std::string* why) {
  const size_t count = block.type()->size();
  *summary = BlockSummary{};
  summary->event_count = static_cast<uint32_t>(count);
  summary->type_counts.assign(kEventTypeCount, 0);
  // First what the type, ts and seq columns say, then the columns of each
  // type, then the wanted events are built.
  uint64_t ts = static_cast<uint64_t>(block.base_ts());
  uint64_t seq = block.base_seq() - 1;
  uint32_t wanted = 0;
  for (size_t i = 0; i < count; ++i) {
    ts += static_cast<uint64_t>(column_value(block.ts_delta(), i));
    const uint64_t skip = block.seq_skip() ? block.seq_skip()->Get(i) : 0;
    if (seq + 1 + skip <= seq) summary->seq_increasing = false;  // wrapped
    seq += 1 + skip;
    const auto event_ts = static_cast<int64_t>(ts);
    if (i == 0) {
      summary->first_seq = seq;
      summary->min_ts = summary->max_ts = event_ts;
    }
    summary->last_seq = seq;
    summary->min_ts = std::min(summary->min_ts, event_ts);
    summary->max_ts = std::max(summary->max_ts, event_ts);
    const auto index = static_cast<size_t>(block.type()->Get(i)) - 1;  // EventType None is 0
    if (index >= kEventTypeCount) {
      *why = "an event of unknown type";
      return false;
    }
    ++summary->type_counts[index];
    if (type_mask & (1u << index)) ++wanted;
  }
  if (!check_columns(block, summary->type_counts, why)) return false;
  if (wanted == 0) return true;

  out->reserve(out->size() + wanted);  // moving Events on growth costs more
  BlockRows rows(&block);
  while (rows.next()) {
    if (type_mask & (1u << static_cast<unsigned>(rows.type()))) out->push_back(rows.event());
  }
  return true;
}

bool decode_block(const fb::Block& block, std::vector<Event>* out, std::string* why) {
  BlockSummary summary;
  return decode_block(block, ~0u, out, &summary, why);
}

}  // namespace zagent
