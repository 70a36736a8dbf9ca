#include "journal/block_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>

#include "journal/error.h"
#include "schemas/events_generated.h"

namespace zagent {

namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

// Verifier limits: blocks come from hosts that may have been compromised.
constexpr flatbuffers::uoffset_t kMaxDepth = 16;
constexpr flatbuffers::uoffset_t kMaxTables = 64u * 1024 * 1024;

// Builds the tables of one event. Strings that repeat across events (paths,
// names) go through CreateSharedString, which stores each once per block.
class EventEncoder {
 public:
  explicit EventEncoder(FlatBufferBuilder& fbb) : fbb_(fbb) {}

  Offset<void> operator()(const ProcessExec& e) { return encode_process(e).Union(); }
  Offset<void> operator()(const ProcessSnapshot& e) { return encode_process(e).Union(); }

  Offset<void> operator()(const ProcessFork& e) {
    auto comm = shared(e.comm);
    fb::ProcessForkBuilder b(fbb_);
    b.add_pid(e.pid);
    b.add_ppid(e.ppid);
    b.add_start_boot_ns(e.start_boot_ns);
    b.add_parent_start_boot_ns(e.parent_start_boot_ns);
    b.add_uid(e.uid);
    b.add_comm(comm);
    return b.Finish().Union();
  }

  Offset<void> operator()(const ProcessExit& e) {
    auto comm = shared(e.comm);
    fb::ProcessExitBuilder b(fbb_);
    b.add_pid(e.pid);
    b.add_start_boot_ns(e.start_boot_ns);
    b.add_exit_code(e.exit_code);
    b.add_signal(e.signal);
    b.add_duration_ns(e.duration_ns);
    b.add_comm(comm);
    return b.Finish().Union();
  }

  Offset<void> operator()(const SocketEvent& e) {
    auto comm = shared(e.comm);
    auto exe = shared(e.exe);
    fb::Ip local = ip(e.local_addr);
    fb::Ip remote = ip(e.remote_addr);
    fb::SocketEventBuilder b(fbb_);
    b.add_action(static_cast<fb::SocketAction>(e.action));
    b.add_protocol(static_cast<fb::Protocol>(e.protocol));
    b.add_pid(e.pid);
    b.add_start_boot_ns(e.start_boot_ns);
    b.add_uid(e.uid);
    b.add_comm(comm);
    b.add_exe(exe);
    b.add_local_addr(&local);
    b.add_local_port(e.local_port);
    b.add_remote_addr(&remote);
    b.add_remote_port(e.remote_port);
    b.add_bytes_sent(e.bytes_sent);
    b.add_bytes_received(e.bytes_received);
    return b.Finish().Union();
  }

  Offset<void> operator()(const FileEvent& e) {
    auto comm = shared(e.comm);
    auto exe = shared(e.exe);
    auto path = shared(e.path);
    auto new_path = optional(e.new_path);
    fb::FileEventBuilder b(fbb_);
    b.add_action(static_cast<fb::FileAction>(e.action));
    b.add_pid(e.pid);
    b.add_start_boot_ns(e.start_boot_ns);
    b.add_uid(e.uid);
    b.add_comm(comm);
    b.add_exe(exe);
    b.add_path(path);
    if (!new_path.IsNull()) b.add_new_path(new_path);
    b.add_mode(e.mode);
    return b.Finish().Union();
  }

  Offset<void> operator()(const LoginEvent& e) {
    auto user = shared(e.user);
    auto tty = shared(e.tty);
    auto host = shared(e.remote_host);
    fb::Ip remote = ip(e.remote_addr);
    fb::LoginEventBuilder b(fbb_);
    b.add_action(static_cast<fb::LoginAction>(e.action));
    b.add_user(user);
    b.add_tty(tty);
    b.add_remote_host(host);
    b.add_remote_addr(&remote);
    b.add_pid(e.pid);
    b.add_session_id(e.session_id);
    return b.Finish().Union();
  }

  Offset<void> operator()(const SensorEvent& e) {
    auto sensor = shared(e.sensor);
    auto message = fbb_.CreateString(e.message);
    std::vector<Offset<fb::Counter>> counters;
    counters.reserve(e.counters.size());
    for (const Counter& c : e.counters) {
      counters.push_back(fb::CreateCounter(fbb_, shared(c.name), c.value));
    }
    auto counter_vec = fbb_.CreateVector(counters);
    fb::SensorEventBuilder b(fbb_);
    b.add_action(static_cast<fb::SensorAction>(e.action));
    b.add_sensor(sensor);
    b.add_message(message);
    b.add_counters(counter_vec);
    return b.Finish().Union();
  }

 private:
  Offset<fb::ProcessExec> encode_process(const ProcessExec& e) {
    auto exe = shared(e.exe);
    argv_.clear();
    argv_.reserve(e.argv.size());
    for (const std::string& arg : e.argv) argv_.push_back(fbb_.CreateString(arg));
    auto argv = fbb_.CreateVector(argv_);
    auto cwd = shared(e.cwd);
    auto comm = shared(e.comm);
    auto tty = shared(e.tty);
    auto container = optional(e.container_id);
    Offset<flatbuffers::Vector<uint8_t>> sha;
    if (!e.exe_sha256.empty()) {
      sha = fbb_.CreateVector(reinterpret_cast<const uint8_t*>(e.exe_sha256.data()),
                              e.exe_sha256.size());
    }
    fb::ProcessExecBuilder b(fbb_);
    b.add_pid(e.pid);
    b.add_ppid(e.ppid);
    b.add_start_boot_ns(e.start_boot_ns);
    b.add_parent_start_boot_ns(e.parent_start_boot_ns);
    b.add_uid(e.uid);
    b.add_gid(e.gid);
    b.add_euid(e.euid);
    b.add_egid(e.egid);
    b.add_login_uid(e.login_uid);
    b.add_session_id(e.session_id);
    b.add_exe(exe);
    b.add_argv(argv);
    b.add_argv_truncated(e.argv_truncated);
    b.add_cwd(cwd);
    b.add_comm(comm);
    b.add_tty(tty);
    b.add_cgroup_id(e.cgroup_id);
    if (!container.IsNull()) b.add_container_id(container);
    if (!sha.IsNull()) b.add_exe_sha256(sha);
    b.add_exe_hash_status(static_cast<fb::HashStatus>(e.exe_hash_status));
    return b.Finish();
  }

  Offset<flatbuffers::String> shared(const std::string& s) {
    return fbb_.CreateSharedString(s.data(), s.size());
  }
  // Empty optional strings are left out of the table entirely.
  Offset<flatbuffers::String> optional(const std::string& s) {
    return s.empty() ? Offset<flatbuffers::String>() : shared(s);
  }
  static fb::Ip ip(const IpAddress& a) {
    return fb::Ip(flatbuffers::span<const uint8_t, 16>(a.bytes.data(), a.bytes.size()));
  }

  FlatBufferBuilder& fbb_;
  std::vector<Offset<flatbuffers::String>> argv_;
};

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

IpAddress ip(const fb::Ip* a) {
  IpAddress out;
  if (a) std::copy(a->bytes()->begin(), a->bytes()->end(), out.bytes.begin());
  return out;
}

void decode_process(const fb::ProcessExec& p, ProcessExec* out) {
  out->pid = p.pid();
  out->ppid = p.ppid();
  out->start_boot_ns = p.start_boot_ns();
  out->parent_start_boot_ns = p.parent_start_boot_ns();
  out->uid = p.uid();
  out->gid = p.gid();
  out->euid = p.euid();
  out->egid = p.egid();
  out->login_uid = p.login_uid();
  out->session_id = p.session_id();
  out->exe = str(p.exe());
  if (p.argv()) {
    out->argv.reserve(p.argv()->size());
    for (const flatbuffers::String* arg : *p.argv()) out->argv.push_back(str(arg));
  }
  out->argv_truncated = p.argv_truncated();
  out->cwd = str(p.cwd());
  out->comm = str(p.comm());
  out->tty = str(p.tty());
  out->cgroup_id = p.cgroup_id();
  out->container_id = str(p.container_id());
  if (p.exe_sha256()) {
    out->exe_sha256.assign(reinterpret_cast<const char*>(p.exe_sha256()->data()),
                           p.exe_sha256()->size());
  }
  out->exe_hash_status = static_cast<HashStatus>(p.exe_hash_status());
}

EventBody decode_body(const fb::Event& e) {
  switch (e.body_type()) {
    case fb::Body::ProcessExec: {
      ProcessExec out;
      decode_process(*e.body_as_ProcessExec(), &out);
      return out;
    }
    case fb::Body::ProcessSnapshot: {
      ProcessSnapshot out;
      decode_process(*e.body_as_ProcessSnapshot(), &out);
      return out;
    }
    case fb::Body::ProcessFork: {
      const fb::ProcessFork& p = *e.body_as_ProcessFork();
      return ProcessFork{p.pid(), p.ppid(), p.start_boot_ns(), p.parent_start_boot_ns(), p.uid(),
                         str(p.comm())};
    }
    case fb::Body::ProcessExit: {
      const fb::ProcessExit& p = *e.body_as_ProcessExit();
      return ProcessExit{p.pid(), p.start_boot_ns(), p.exit_code(), p.signal(), p.duration_ns(),
                         str(p.comm())};
    }
    case fb::Body::SocketEvent: {
      const fb::SocketEvent& s = *e.body_as_SocketEvent();
      return SocketEvent{static_cast<SocketAction>(s.action()),
                         static_cast<Protocol>(s.protocol()),
                         s.pid(),
                         s.start_boot_ns(),
                         s.uid(),
                         str(s.comm()),
                         str(s.exe()),
                         ip(s.local_addr()),
                         s.local_port(),
                         ip(s.remote_addr()),
                         s.remote_port(),
                         s.bytes_sent(),
                         s.bytes_received()};
    }
    case fb::Body::FileEvent: {
      const fb::FileEvent& f = *e.body_as_FileEvent();
      return FileEvent{static_cast<FileAction>(f.action()),
                       f.pid(),
                       f.start_boot_ns(),
                       f.uid(),
                       str(f.comm()),
                       str(f.exe()),
                       str(f.path()),
                       str(f.new_path()),
                       f.mode()};
    }
    case fb::Body::LoginEvent: {
      const fb::LoginEvent& l = *e.body_as_LoginEvent();
      return LoginEvent{static_cast<LoginAction>(l.action()),
                        str(l.user()),
                        str(l.tty()),
                        str(l.remote_host()),
                        ip(l.remote_addr()),
                        l.pid(),
                        l.session_id()};
    }
    case fb::Body::SensorEvent: {
      const fb::SensorEvent& s = *e.body_as_SensorEvent();
      SensorEvent out{static_cast<SensorAction>(s.action()), str(s.sensor()), str(s.message()), {}};
      if (s.counters()) {
        for (const fb::Counter* c : *s.counters()) {
          out.counters.push_back(Counter{str(c->name()), c->value()});
        }
      }
      return out;
    }
    case fb::Body::NONE:
      break;
  }
  // The verifier accepts union types it does not know (a newer writer's).
  // verified_block() rejects them, so this is unreachable for its output.
  throw Error("event body of unknown type " + std::to_string(static_cast<int>(e.body_type())));
}

}  // namespace

void encode_block(std::span<const Event> events, FlatBufferBuilder& fbb) {
  fbb.Clear();
  const int64_t base_ts = events.empty() ? 0 : events.front().ts;
  const uint64_t base_seq = events.empty() ? 0 : events.front().seq;
  EventEncoder encoder(fbb);
  std::vector<Offset<fb::Event>> offsets;
  offsets.reserve(events.size());
  for (const Event& e : events) {
    Offset<void> body = std::visit(encoder, e.body);
    const uint64_t seq_delta = e.seq - base_seq;
    if (seq_delta > UINT32_MAX) throw Error("block spans more than 2^32 seq values");
    fb::EventBuilder b(fbb);
    b.add_ts_delta(static_cast<int64_t>(static_cast<uint64_t>(e.ts) - static_cast<uint64_t>(base_ts)));
    b.add_seq_delta(static_cast<uint32_t>(seq_delta));
    b.add_body_type(static_cast<fb::Body>(e.body.index() + 1));
    b.add_body(body);
    offsets.push_back(b.Finish());
  }
  auto vec = fbb.CreateVector(offsets);
  fb::BlockBuilder b(fbb);
  b.add_base_ts(base_ts);
  b.add_base_seq(base_seq);
  b.add_events(vec);
  fbb.Finish(b.Finish(), fb::BlockIdentifier());
}

const fb::Block* verified_block(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8 || bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) return nullptr;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxDepth, kMaxTables);
  if (!fb::VerifyBlockBuffer(verifier)) return nullptr;
  const fb::Block* block = fb::GetBlock(bytes.data());
  if (!block->events()) return nullptr;
  for (const fb::Event* e : *block->events()) {
    const auto type = static_cast<uint8_t>(e->body_type());
    if (type == 0 || type > static_cast<uint8_t>(fb::Body::MAX) || e->body() == nullptr) {
      return nullptr;
    }
  }
  return block;
}

Event decode_event(const fb::Event& e, int64_t base_ts, uint64_t base_seq) {
  Event out;
  out.ts = static_cast<int64_t>(static_cast<uint64_t>(base_ts) + static_cast<uint64_t>(e.ts_delta()));
  out.seq = base_seq + e.seq_delta();
  out.body = decode_body(e);
  return out;
}

void decode_block(const fb::Block& block, std::vector<Event>* out) {
  out->reserve(out->size() + block.events()->size());
  for (const fb::Event* e : *block.events()) {
    out->push_back(decode_event(*e, block.base_ts(), block.base_seq()));
  }
}

}  // namespace zagent
