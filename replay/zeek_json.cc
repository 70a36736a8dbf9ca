#include "replay/zeek_json.h"

#include <charconv>

#include "journal/event_fields.h"
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
  void str(std::string_view k, std::string_view v) { key(k), append_string(v, out_, enc_); }
  void boolean(std::string_view k, bool v) { key(k), out_->append(v ? "true" : "false"); }
  void ip(std::string_view k, const IpAddress& a) { str(k, a.to_string()); }
  template <typename Int>
  void num(std::string_view k, Int v) {
    key(k);
    if constexpr (std::is_signed_v<Int>) append_number(static_cast<int64_t>(v), out_);
    else append_number(static_cast<uint64_t>(v), out_);
  }
  void strings(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out_->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out_->push_back(',');
      append_string(v[i], out_, enc_);
    }
    out_->push_back(']');
  }
  void hash(std::string_view k, const std::string& bytes) {
    str(k, to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
  }
  // Counters as a list of records, as ZAgent::SensorCounter has them.
  void counters(std::string_view k, const std::vector<Counter>& counters) {
    key(k);
    out_->push_back('[');
    for (size_t i = 0; i < counters.size(); ++i) {
      if (i) out_->push_back(',');
      Object c(out_, enc_);
      c.str("name", counters[i].name);
      c.num("value", counters[i].value);
    }
    out_->push_back(']');
  }
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
  visit_fields(e.body, o);
}

}  // namespace zagent::replay
