#include "log_records.h"

#include <zeek/ID.h>
#include <zeek/IPAddr.h>
#include <zeek/Reporter.h>
#include <zeek/ZeekString.h>

#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "process_uid.h"

namespace zagent::zeek_plugin {
namespace {

using zeek::RecordVal;
using zeek::TypeTag;

// The journal's "none" for 32-bit ids (login_uid, session_id).
constexpr uint64_t kUnset32 = 4294967295u;

// When an event field goes to the line, as zeek/logs.zeek decides it:
// always; only when it holds a value (the journal's "none", 0, "" or an
// empty list, is left unset, so that it shows as "-"); only when it is not
// the 32-bit "unset"; only when true.
enum class When { Always, Set, NotUnset32, IfTrue };

struct Rule {
  const char* from;
  const char* to;
  When when;
};

zeek::RecordTypePtr record_type(const char* name) {
  const auto& t = zeek::id::find_type(name);
  if (!t || t->Tag() != zeek::TYPE_RECORD)
    zeek::reporter->FatalError("Zagent::Replay: the zagent package has no record type %s: "
                               "the plugin and the package are of different versions", name);
  return zeek::cast_intrusive<zeek::RecordType>(t);
}

// The event's and the line's record types, the offsets of the fields a
// line needs (found once) and the fields that are plain copies.
class Plan {
 public:
  Plan(const char* event_type, const char* line_type)
      : event_(record_type(event_type)), line_(record_type(line_type)),
        event_name_(event_type), line_name_(line_type) {}

  const zeek::RecordTypePtr& event_type() const { return event_; }
  const zeek::RecordTypePtr& line_type() const { return line_; }
  int in(const char* field) const { return offset(*event_, event_name_, field); }
  int out(const char* field) const { return offset(*line_, line_name_, field); }

  void copies(std::initializer_list<Rule> rules) {
    for (const Rule& r : rules) {
      const int from = in(r.from);
      steps_.push_back({from, out(r.to), event_->GetFieldType(from)->Tag(), r.when});
    }
  }

  // A new line with the plain copies made.
  zeek::RecordValPtr line(const RecordVal& e) const {
    auto line = zeek::make_intrusive<RecordVal>(line_);
    for (const Step& s : steps_) copy(e, s, *line);
    return line;
  }

 private:
  struct Step {
    int from;
    int to;
    TypeTag tag;
    When when;
  };

  static int offset(const zeek::RecordType& t, const char* type_name, const char* field) {
    const int f = t.FieldOffset(field);
    if (f < 0)
      zeek::reporter->FatalError("Zagent::Replay: the zagent package's %s has no field %s: "
                                 "the plugin and the package are of different versions", type_name, field);
    return f;
  }

  // Counts and ints by value, the rest (strings, addresses, ports,
  // vectors) by reference, as a script's assignment shares them.
  static void copy(const RecordVal& e, const Step& s, RecordVal& line) {
    if (!e.HasField(s.from)) return;
    switch (s.tag) {
      case zeek::TYPE_COUNT: {
        const uint64_t v = e.GetFieldAs<zeek::CountVal>(s.from);
        if ((s.when == When::Set && v == 0) || (s.when == When::NotUnset32 && v == kUnset32)) return;
        line.Assign(s.to, v);
        return;
      }
      case zeek::TYPE_INT: {
        const int64_t v = e.GetFieldAs<zeek::IntVal>(s.from);
        if (s.when == When::Set && v == 0) return;
        line.Assign(s.to, v);
        return;
      }
      case zeek::TYPE_BOOL: {
        const bool v = e.GetFieldAs<zeek::BoolVal>(s.from);
        if (s.when == When::IfTrue && !v) return;
        line.Assign(s.to, v);
        return;
      }
      case zeek::TYPE_TIME:
        line.AssignTime(s.to, e.GetFieldAs<zeek::TimeVal>(s.from));
        return;
      default: {
        zeek::ValPtr v = e.GetField(s.from);
        if (s.when == When::Set && ((s.tag == zeek::TYPE_STRING && v->AsStringVal()->Len() == 0) ||
                                    (s.tag == zeek::TYPE_VECTOR && v->AsVectorVal()->Size() == 0)))
          return;
        line.Assign(s.to, std::move(v));
      }
    }
  }

  zeek::RecordTypePtr event_;
  zeek::RecordTypePtr line_;
  const char* event_name_;
  const char* line_name_;
  std::vector<Step> steps_;
};

uint64_t count_of(const RecordVal& e, int f) { return e.GetFieldAs<zeek::CountVal>(f); }

zeek::StringValPtr string_val(std::string_view s) {
  return zeek::make_intrusive<zeek::StringVal>(static_cast<int>(s.size()), s.data());
}

std::string_view string_of(const RecordVal& e, int f) {
  const zeek::String* s = e.GetFieldAs<zeek::StringVal>(f);
  return {reinterpret_cast<const char*>(s->Bytes()), static_cast<size_t>(s->Len())};
}

// What every line names its process by: ZAgent::process_uid of a pid and
// start on the event's host and boot.
class Puid {
 public:
  explicit Puid(const Plan& p)
      : host_(p.in("host")), boot_id_(p.in("boot_id")),
        tick_(zeek::id::find_const("ZAgent::start_tick_ns")->AsCount()) {}

  zeek::StringValPtr of(const RecordVal& e, uint64_t pid, uint64_t start_boot_ns) const {
    const std::string uid = process_uid(string_of(e, host_), string_of(e, boot_id_), pid,
                                        start_boot_ns / tick_);
    return string_val(uid);
  }

 private:
  int host_;
  int boot_id_;
  uint64_t tick_;
};

// Whether an address means "no address" (ZAgent's unspecified()): 16 zero
// bytes, or 0.0.0.0 (which Zeek also makes of ::ffff:0.0.0.0).
bool unspecified(const zeek::IPAddr& a) {
  static const zeek::IPAddr none4("0.0.0.0"), none6("::");
  return a == none4 || a == none6;
}


// The fields of a process line that exec, snapshot, fork and exit share.
struct ProcessPlan : Plan {
  explicit ProcessPlan(const char* event_type) : Plan(event_type, "ZAgent::ProcessInfo") {
    copies({{"ts", "ts", When::Always}, {"host", "host", When::Always}, {"seq", "seq", When::Always},
            {"pid", "pid", When::Always}, {"start_boot_ns", "start_boot_ns", When::Always},
            {"boot_id", "boot_id", When::Set}, {"comm", "comm", When::Set}});
  }

  zeek::RecordValPtr line(const RecordVal& e, std::string_view what) const {
    auto line = Plan::line(e);
    line->Assign(puid_out, puid.of(e, count_of(e, pid), count_of(e, start)));
    line->Assign(action, string_val(what));
    return line;
  }

  // exec, snapshot and fork: the parent, named when its start is known.
  void parent(const RecordVal& e, RecordVal& line) const {
    const uint64_t parent_start = count_of(e, parent_start_in);
    if (parent_start != 0) line.Assign(parent_puid, puid.of(e, count_of(e, ppid), parent_start));
  }

  Puid puid{*this};
  int pid = in("pid"), start = in("start_boot_ns");
  int puid_out = out("puid"), action = out("action");
  int ppid = -1, parent_start_in = -1, parent_puid = -1;

 protected:
  void with_parent() {
    ppid = in("ppid");
    parent_start_in = in("parent_start_boot_ns");
    parent_puid = out("parent_puid");
    copies({{"ppid", "ppid", When::Always}});
  }
};

struct ExecPlan : ProcessPlan {
  ExecPlan() : ProcessPlan("ZAgent::ProcessExec") {
    with_parent();
    copies({{"uid", "user_id", When::Always}, {"gid", "group_id", When::Always},
            {"euid", "effective_user_id", When::Always}, {"egid", "effective_group_id", When::Always},
            {"login_uid", "login_user_id", When::NotUnset32}, {"session_id", "session_id", When::NotUnset32},
            {"exe", "exe", When::Set}, {"argv", "argv", When::Set}, {"argv_truncated", "argv_truncated", When::IfTrue},
            {"cwd", "cwd", When::Set}, {"tty", "tty", When::Set}, {"cgroup_id", "cgroup_id", When::Set},
            {"container_id", "container_id", When::Set}, {"exe_sha256", "exe_sha256", When::Set},
            {"exe_hash_status", "exe_hash_status", When::Always}});
  }
};

struct ForkPlan : ProcessPlan {
  ForkPlan() : ProcessPlan("ZAgent::ProcessFork") {
    with_parent();
    copies({{"uid", "user_id", When::Always}});
  }
};

struct ExitPlan : ProcessPlan {
  ExitPlan() : ProcessPlan("ZAgent::ProcessExit") {
    copies({{"exit_code", "exit_code", When::Always}, {"signal", "signal", When::Set}});
  }
  int duration_ns = in("duration_ns"), duration = out("duration");
};

struct SocketPlan : Plan {
  SocketPlan() : Plan("ZAgent::SocketEvent", "ZAgent::SocketInfo") {
    copies({{"ts", "ts", When::Always}, {"host", "host", When::Always}, {"seq", "seq", When::Always},
            {"action", "action", When::Always}, {"local_addr", "local_h", When::Always},
            {"local_port", "local_p", When::Always}, {"comm", "comm", When::Set}, {"exe", "exe", When::Set}});
  }
  Puid puid{*this};
  int action = in("action"), pid = in("pid"), start = in("start_boot_ns"), uid = in("uid");
  int local_port = in("local_port"), remote_addr = in("remote_addr"), remote_port = in("remote_port");
  int bytes_sent = in("bytes_sent"), bytes_received = in("bytes_received");
  int proto_out = out("proto"), pid_out = out("pid"), puid_out = out("puid"), user_id_out = out("user_id");
  int remote_h_out = out("remote_h"), remote_p_out = out("remote_p");
  int bytes_sent_out = out("bytes_sent"), bytes_received_out = out("bytes_received");
};

struct FilePlan : Plan {
  FilePlan() : Plan("ZAgent::FileEvent", "ZAgent::FileInfo") {
    copies({{"ts", "ts", When::Always}, {"host", "host", When::Always}, {"seq", "seq", When::Always},
            {"action", "action", When::Always}, {"path", "path", When::Always}, {"pid", "pid", When::Always},
            {"uid", "user_id", When::Always}, {"new_path", "new_path", When::Set}, {"comm", "comm", When::Set},
            {"exe", "exe", When::Set}});
  }
  Puid puid{*this};
  int action = in("action"), pid = in("pid"), start = in("start_boot_ns"), mode = in("mode");
  int puid_out = out("puid"), mode_out = out("mode");
};

struct LoginPlan : Plan {
  LoginPlan() : Plan("ZAgent::LoginEvent", "ZAgent::LoginInfo") {
    copies({{"ts", "ts", When::Always}, {"host", "host", When::Always}, {"seq", "seq", When::Always},
            {"action", "action", When::Always}, {"user", "user", When::Set}, {"tty", "tty", When::Set},
            {"remote_host", "remote_host", When::Set}, {"pid", "pid", When::Set}});
  }
  int remote_addr = in("remote_addr"), session_id = in("session_id");
  int remote_addr_out = out("remote_addr"), session_id_out = out("session_id");
};

struct SensorPlan : Plan {
  SensorPlan() : Plan("ZAgent::SensorEvent", "ZAgent::SensorInfo") {
    copies({{"ts", "ts", When::Always}, {"host", "host", When::Always}, {"seq", "seq", When::Always},
            {"boot_id", "boot_id", When::Set}, {"action", "action", When::Always}, {"sensor", "sensor", When::Set},
            {"message", "message", When::Set}});
  }
  zeek::RecordTypePtr counter = record_type("ZAgent::SensorCounter");
  int counters = in("counters"), names_out = out("counter_names"), values_out = out("counter_values");
  int name = counter->FieldOffset("name"), value = counter->FieldOffset("value");
};

bool string_is(const RecordVal& e, int f, std::string_view s) {
  return string_of(e, f) == s;
}

}  // namespace

zeek::RecordValPtr process_info(const RecordVal& e, std::string_view action) {
  static const ForkPlan fork;
  static const ExitPlan exit;
  const zeek::Type* type = e.GetType().get();
  if (type == fork.event_type().get()) {
    const ForkPlan& p = fork;
    auto line = p.line(e, action);
    p.parent(e, *line);
    return line;
  }
  if (type == exit.event_type().get()) {
    const ExitPlan& p = exit;
    auto line = p.line(e, action);
    // -1: the sensor did not know when the process started.
    const int64_t ns = e.GetFieldAs<zeek::IntVal>(p.duration_ns);
    if (ns >= 0) line->AssignInterval(p.duration, static_cast<double>(ns) / 1e9);
    return line;
  }
  static const ExecPlan p;
  auto line = p.line(e, action);
  p.parent(e, *line);
  return line;
}

zeek::RecordValPtr socket_info(const RecordVal& e) {
  static const SocketPlan p;
  auto line = p.line(e);
  const zeek::PortValPtr local = e.GetFieldAs<zeek::PortVal>(p.local_port);
  line->Assign(p.proto_out, zeek::id::transport_proto->GetEnumVal(local->PortType()));
  // pid 0: the sensor could not tell which process owns the socket.
  if (const uint64_t pid = count_of(e, p.pid); pid != 0) {
    line->Assign(p.pid_out, pid);
    line->Assign(p.puid_out, p.puid.of(e, pid, count_of(e, p.start)));
    line->Assign(p.user_id_out, count_of(e, p.uid));
  }
  const zeek::PortValPtr remote = e.GetFieldAs<zeek::PortVal>(p.remote_port);
  if (!unspecified(e.GetFieldAs<zeek::AddrVal>(p.remote_addr)) || remote->Port() != 0) {
    line->Assign(p.remote_h_out, e.GetField(p.remote_addr));
    line->Assign(p.remote_p_out, remote);
  }
  if (string_is(e, p.action, "close")) {
    line->Assign(p.bytes_sent_out, count_of(e, p.bytes_sent));
    line->Assign(p.bytes_received_out, count_of(e, p.bytes_received));
  }
  return line;
}

zeek::RecordValPtr file_info(const RecordVal& e) {
  static const FilePlan p;
  auto line = p.line(e);
  line->Assign(p.puid_out, p.puid.of(e, count_of(e, p.pid), count_of(e, p.start)));
  if (string_is(e, p.action, "create") || string_is(e, p.action, "chmod")) {
    // As chmod takes it, at least four octal digits: 420 -> "0644".
    char digits[24];
    const int n = std::snprintf(digits, sizeof digits, "%04llo", static_cast<unsigned long long>(count_of(e, p.mode)));
    line->Assign(p.mode_out, string_val({digits, static_cast<size_t>(n)}));
  }
  return line;
}

zeek::RecordValPtr login_info(const RecordVal& e) {
  static const LoginPlan p;
  auto line = p.line(e);
  if (!unspecified(e.GetFieldAs<zeek::AddrVal>(p.remote_addr))) line->Assign(p.remote_addr_out, e.GetField(p.remote_addr));
  if (const uint64_t s = count_of(e, p.session_id); s != 0 && s != kUnset32) line->Assign(p.session_id_out, s);
  return line;
}

zeek::RecordValPtr sensor_info(const RecordVal& e) {
  static const SensorPlan p;
  auto line = p.line(e);
  const zeek::VectorVal* counters = e.GetFieldAs<zeek::VectorVal>(p.counters);
  if (counters->Size() > 0) {
    auto names = zeek::make_intrusive<zeek::VectorVal>(p.line_type()->GetFieldType<zeek::VectorType>(p.names_out));
    auto values = zeek::make_intrusive<zeek::VectorVal>(p.line_type()->GetFieldType<zeek::VectorType>(p.values_out));
    for (unsigned int i = 0; i < counters->Size(); ++i) {
      const RecordVal* c = counters->RecordValAt(i);
      names->Append(c->GetField(p.name));
      values->Append(c->GetField(p.value));
    }
    line->Assign(p.names_out, std::move(names));
    line->Assign(p.values_out, std::move(values));
  }
  return line;
}

bool is_record(const zeek::Val* v) {
  if (v->GetType()->Tag() == zeek::TYPE_RECORD) return true;
  zeek::reporter->Error("Zagent::Replay: a zagent log line is made of an event's record, not of a %s",
                        zeek::type_name(v->GetType()->Tag()));
  return false;
}

}  // namespace zagent::zeek_plugin
