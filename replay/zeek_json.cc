#include "replay/zeek_json.h"

#include <charconv>

#include "journal/event_names.h"
#include "journal/hash_chain.h"

namespace zagent::replay {
namespace {

void append_number(uint64_t v, std::string* out) {
  char text[24];
  const auto r = std::to_chars(text, text + sizeof text, v);
  out->append(text, r.ptr);
}
void append_number(int64_t v, std::string* out) {
  char text[24];
  const auto r = std::to_chars(text, text + sizeof text, v);
  out->append(text, r.ptr);
}

// How JSON text goes out: as it is, or already escaped as the body of a
// Zeek string literal (the script's form), in one pass.
struct Encoding {
  bool zeek_literal = false;
  std::string_view quote() const {
    using namespace std::string_view_literals;
    return zeek_literal ? "\\\""sv : "\""sv;
  }
};

// A JSON string: quote, backslash and control bytes escaped; every other
// byte as it is (in a Zeek literal, bytes past 0x7e as \xNN, which Zeek
// turns back into the raw byte).
void append_string(std::string_view s, std::string* out, Encoding enc) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append(enc.quote());
  size_t run = 0;  // start of the bytes that go out as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool plain = c != '"' && c != '\\' && c >= 0x20 && (!enc.zeek_literal || c <= 0x7e);
    if (plain) continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out->append(enc.zeek_literal ? "\\\\" : "\\");  // JSON's backslash, itself escaped for Zeek
      if (enc.zeek_literal) out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out->append(enc.zeek_literal ? "\\\\u00" : "\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->append(enc.quote());
}

// Writes "key":value pairs, comma-separated, into one object.
class Object {
 public:
  Object(std::string* out, Encoding enc) : out_(out), enc_(enc) { out_->push_back('{'); }
  ~Object() { out_->push_back('}'); }
  void key(std::string_view k) {
    if (!first_) out_->push_back(',');
    first_ = false;
    // Keys are the schema's names: nothing in them needs escaping.
    out_->append(enc_.quote());
    out_->append(k);
    out_->append(enc_.quote());
    out_->push_back(':');
  }
  void num(std::string_view k, uint64_t v) { key(k), append_number(v, out_); }
  void inum(std::string_view k, int64_t v) { key(k), append_number(v, out_); }
  void str(std::string_view k, std::string_view v) { key(k), append_string(v, out_, enc_); }
  void boolean(std::string_view k, bool v) { key(k), out_->append(v ? "true" : "false"); }
  void ip(std::string_view k, const IpAddress& a) { str(k, a.to_string()); }
  void port(std::string_view k, uint16_t p, Protocol proto) {
    // Zeek knows tcp and udp here; a protocol past those makes the port "unknown".
    const std::string_view name = proto == Protocol::Tcp ? "tcp" : proto == Protocol::Udp ? "udp" : "unknown";
    key(k);
    out_->append(enc_.quote());
    append_number(static_cast<uint64_t>(name == "unknown" ? 0 : p), out_);
    out_->push_back('/');
    out_->append(name);
    out_->append(enc_.quote());
  }
  std::string* out() { return out_; }
  Encoding encoding() const { return enc_; }

 private:
  std::string* out_;
  Encoding enc_;
  bool first_ = true;
};

void process(Object& o, const ProcessExec& e) {
  o.num("pid", e.pid);
  o.num("ppid", e.ppid);
  o.num("start_boot_ns", e.start_boot_ns);
  o.num("parent_start_boot_ns", e.parent_start_boot_ns);
  o.num("uid", e.uid);
  o.num("gid", e.gid);
  o.num("euid", e.euid);
  o.num("egid", e.egid);
  o.num("login_uid", e.login_uid);
  o.num("session_id", e.session_id);
  o.str("exe", e.exe);
  o.key("argv");
  o.out()->push_back('[');
  for (size_t i = 0; i < e.argv.size(); ++i) {
    if (i) o.out()->push_back(',');
    append_string(e.argv[i], o.out(), o.encoding());
  }
  o.out()->push_back(']');
  o.boolean("argv_truncated", e.argv_truncated);
  o.str("cwd", e.cwd);
  o.str("comm", e.comm);
  o.str("tty", e.tty);
  o.num("cgroup_id", e.cgroup_id);
  o.str("container_id", e.container_id);
  o.str("exe_sha256", to_hex({reinterpret_cast<const uint8_t*>(e.exe_sha256.data()), e.exe_sha256.size()}));
  o.str("exe_hash_status", name(e.exe_hash_status));
}

}  // namespace

void append_seconds(int64_t ts, std::string* out) {
  uint64_t magnitude = static_cast<uint64_t>(ts);
  if (ts < 0) {
    out->push_back('-');
    magnitude = 0 - magnitude;
  }
  append_number(magnitude / 1'000'000'000, out);
  char fraction[] = ".000000000";
  uint64_t ns = magnitude % 1'000'000'000;
  for (int i = 9; i >= 1; --i, ns /= 10) fraction[i] = static_cast<char>('0' + ns % 10);
  out->append(fraction, 10);
}

void append_zeek_json(const Event& e, std::string_view host, std::string_view boot_id, std::string* out,
                      bool as_zeek_literal) {
  Object o(out, Encoding{as_zeek_literal});
  o.num("seq", e.seq);
  o.key("ts");
  append_seconds(e.ts, out);
  o.str("host", host);
  o.str("boot_id", boot_id);
  std::visit(
      [&o](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ProcessExec> || std::is_same_v<T, ProcessSnapshot>) {
          process(o, b);
        } else if constexpr (std::is_same_v<T, ProcessFork>) {
          o.num("pid", b.pid);
          o.num("ppid", b.ppid);
          o.num("start_boot_ns", b.start_boot_ns);
          o.num("parent_start_boot_ns", b.parent_start_boot_ns);
          o.num("uid", b.uid);
          o.str("comm", b.comm);
        } else if constexpr (std::is_same_v<T, ProcessExit>) {
          o.num("pid", b.pid);
          o.num("start_boot_ns", b.start_boot_ns);
          o.inum("exit_code", b.exit_code);
          o.inum("signal", b.signal);
          o.inum("duration_ns", b.duration_ns);
          o.str("comm", b.comm);
        } else if constexpr (std::is_same_v<T, SocketEvent>) {
          o.str("action", name(b.action));
          o.str("protocol", name(b.protocol));
          o.num("pid", b.pid);
          o.num("start_boot_ns", b.start_boot_ns);
          o.num("uid", b.uid);
          o.str("comm", b.comm);
          o.str("exe", b.exe);
          o.ip("local_addr", b.local_addr);
          o.port("local_port", b.local_port, b.protocol);
          o.ip("remote_addr", b.remote_addr);
          o.port("remote_port", b.remote_port, b.protocol);
          o.num("bytes_sent", b.bytes_sent);
          o.num("bytes_received", b.bytes_received);
        } else if constexpr (std::is_same_v<T, FileEvent>) {
          o.str("action", name(b.action));
          o.num("pid", b.pid);
          o.num("start_boot_ns", b.start_boot_ns);
          o.num("uid", b.uid);
          o.str("comm", b.comm);
          o.str("exe", b.exe);
          o.str("path", b.path);
          o.str("new_path", b.new_path);
          o.num("mode", b.mode);
        } else if constexpr (std::is_same_v<T, LoginEvent>) {
          o.str("action", name(b.action));
          o.str("user", b.user);
          o.str("tty", b.tty);
          o.str("remote_host", b.remote_host);
          o.ip("remote_addr", b.remote_addr);
          o.num("pid", b.pid);
          o.num("session_id", b.session_id);
        } else if constexpr (std::is_same_v<T, SensorEvent>) {
          o.str("action", name(b.action));
          o.str("sensor", b.sensor);
          o.str("message", b.message);
          o.key("counters");
          o.out()->push_back('[');
          for (size_t i = 0; i < b.counters.size(); ++i) {
            if (i) o.out()->push_back(',');
            Object c(o.out(), o.encoding());
            c.str("name", b.counters[i].name);
            c.num("value", b.counters[i].value);
          }
          o.out()->push_back(']');
        }
      },
      e.body);
}

}  // namespace zagent::replay
