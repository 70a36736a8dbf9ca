#include "journal/event_json.h"

#include <charconv>

#include "journal/event_fields.h"
#include "journal/event_names.h"
#include "journal/hash_chain.h"
#include "journal/timestamp.h"

namespace zagent {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (b(i + k) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

class JsonObject {
 public:
  explicit JsonObject(std::string* out) : out_(out) { out_->push_back('{'); }
  void close() { out_->push_back('}'); }

  void key(std::string_view k) {
    if (!first_) out_->push_back(',');
    first_ = false;
    append_json_string(k, out_);
    out_->push_back(':');
  }
  template <typename Int>
  void num(std::string_view k, Int v) {
    key(k);
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_->append(buf, r.ptr);
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(v, out_);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out_->append(v ? "true" : "false");
  }
  void strings(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out_->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out_->push_back(',');
      append_json_string(v[i], out_);
    }
    out_->push_back(']');
  }
  void ip(std::string_view k, const IpAddress& a) { str(k, a.to_string()); }
  void port(std::string_view k, uint16_t p, Protocol) { num(k, p); }
  void hash(std::string_view k, const std::string& bytes) {
    str(k, to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
  }
  // Counters as one object: {"name": value, ...}.
  void counters(std::string_view k, const std::vector<Counter>& counters) {
    key(k);
    JsonObject o(out_);
    for (const Counter& c : counters) o.num(c.name, c.value);
    o.close();
  }
  std::string* out() { return out_; }

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace

void append_json_string(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; };
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (plain(c)) {  // a run of bytes that stand for themselves, appended at once
      size_t end = i + 1;
      while (end < s.size() && plain(static_cast<unsigned char>(s[end]))) ++end;
      out->append(s.data() + i, end - i);
      i = end;
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); ++i; continue;
      case '\\': out->append("\\\\"); ++i; continue;
      case '\n': out->append("\\n"); ++i; continue;
      case '\t': out->append("\\t"); ++i; continue;
      case '\r': out->append("\\r"); ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
      ++i;
      continue;
    }
    const size_t n = utf8_sequence(s, i);
    if (n > 0) {
      out->append(s.substr(i, n));
      i += n;
    } else {
      out->append("\\udc");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
      ++i;
    }
  }
  out->push_back('"');
}

void append_event_json(const Event& event, std::string_view host, std::string* out) {
  JsonObject o(out);
  o.num("seq", event.seq);
  o.num("ts", event.ts);
  o.str("time", format_rfc3339(event.ts));
  o.str("host", host);
  o.str("type", event_type_name(event.type()));
  visit_fields(event.body, o);
  o.close();
}

}  // namespace zagent
