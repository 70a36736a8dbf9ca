#include "agent/zeek/broker_json.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "journal/error.h"

namespace zagent::zeek {

using nlohmann::json;

namespace {

json tagged(const char* type, json data) { return json{{"@data-type", type}, {"data", std::move(data)}}; }

json items_json(const std::vector<BrokerData>& items) {
  json a = json::array();
  for (const BrokerData& d : items) a.push_back(to_json(d));
  return a;
}

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw Error("Broker JSON" + (path.empty() ? std::string() : " at " + path) + ": " + why);
}

const std::string& text_of(const json& data, const std::string& path, const char* type) {
  if (!data.is_string()) bad(path, std::string(type) + " data must be a string");
  return data.get_ref<const std::string&>();
}

// Digits [from, to) of `s` as a number; false if any is not a digit.
bool digits(const std::string& s, size_t from, size_t to, int64_t* out) {
  if (from >= to || to > s.size()) return false;
  const auto r = std::from_chars(s.data() + from, s.data() + to, *out);
  return r.ec == std::errc() && r.ptr == s.data() + to && s[from] != '-' && s[from] != '+';
}

// "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]"; no zone is UTC.
bool parse_timestamp(const std::string& s, Timestamp* out) {
  int64_t year, month, day, hour, minute, second;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
  if (!digits(s, 0, 4, &year) || !digits(s, 5, 7, &month) || !digits(s, 8, 10, &day) ||
      !digits(s, 11, 13, &hour) || !digits(s, 14, 16, &minute) || !digits(s, 17, 19, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  size_t i = 19;
  int64_t fraction_ns = 0;
  if (i < s.size() && s[i] == '.') {
    size_t end = ++i;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    if (end == i || end - i > 9) return false;
    int64_t f;
    if (!digits(s, i, end, &f)) return false;
    for (size_t k = end - i; k < 9; ++k) f *= 10;
    fraction_ns = f;
    i = end;
  }
  int64_t offset_s = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' && i + 1 == s.size()) {
      ++i;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
      int64_t oh, om;
      if (!digits(s, i + 1, i + 3, &oh) || !digits(s, i + 4, i + 6, &om) || oh > 23 || om > 59) return false;
      offset_s = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
      i += 6;
    } else {
      return false;
    }
  }
  tm t{};
  t.tm_year = static_cast<int>(year - 1900);
  t.tm_mon = static_cast<int>(month - 1);
  t.tm_mday = static_cast<int>(day);
  t.tm_hour = static_cast<int>(hour);
  t.tm_min = static_cast<int>(minute);
  t.tm_sec = static_cast<int>(second);
  const int64_t epoch_s = static_cast<int64_t>(timegm(&t)) - offset_s;
  int64_t ns;
  return !__builtin_mul_overflow(epoch_s, int64_t{1'000'000'000}, &ns) &&
         !__builtin_add_overflow(ns, fraction_ns, &out->ns);
}

// An integer and a unit: ns, us, ms, s, min, h, d.
bool parse_timespan(const std::string& s, Timespan* out) {
  size_t unit = s.size();
  while (unit > 0 && std::isalpha(static_cast<unsigned char>(s[unit - 1]))) --unit;
  const std::string u = s.substr(unit);
  int64_t scale;
  if (u == "ns") scale = 1;
  else if (u == "us") scale = 1'000;
  else if (u == "ms") scale = 1'000'000;
  else if (u == "s") scale = 1'000'000'000;
  else if (u == "min") scale = 60'000'000'000;
  else if (u == "h") scale = 3'600'000'000'000;
  else if (u == "d") scale = 86'400'000'000'000;
  else return false;
  int64_t n;
  const auto r = std::from_chars(s.data(), s.data() + unit, n);
  if (unit == 0 || r.ec != std::errc() || r.ptr != s.data() + unit) return false;
  if (__builtin_mul_overflow(n, scale, &out->ns)) return false;
  return true;
}

bool parse_port(const std::string& s, Port* out) {
  const size_t slash = s.find('/');
  const std::string number = s.substr(0, slash);
  int64_t n = 0;
  if (!number.empty() && (!digits(number, 0, number.size(), &n) || n > 65535)) return false;
  if (number.empty() && slash == std::string::npos) return false;
  out->number = static_cast<uint16_t>(n);
  const std::string proto = slash == std::string::npos ? "tcp" : s.substr(slash + 1);
  out->protocol = proto == "tcp"    ? PortProtocol::Tcp
                  : proto == "udp"  ? PortProtocol::Udp
                  : proto == "icmp" ? PortProtocol::Icmp
                                    : PortProtocol::Unknown;
  return true;
}

bool parse_subnet(const std::string& s, Subnet* out) {
  const size_t slash = s.find('/');
  if (slash == std::string::npos || !parse_address(s.substr(0, slash), &out->prefix)) return false;
  int64_t len;
  if (!digits(s, slash + 1, s.size(), &len)) return false;
  if (len > (out->prefix.is_v4() && s.find(':') == std::string::npos ? 32 : 128)) return false;
  out->length = static_cast<uint8_t>(len);
  return true;
}

std::vector<BrokerData> items_from(const json& data, const std::string& path, const char* type) {
  if (!data.is_array()) bad(path, std::string(type) + " data must be an array");
  std::vector<BrokerData> items;
  items.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) items.push_back(from_json(data[i], path + ".data[" + std::to_string(i) + "]"));
  return items;
}

}  // namespace

bool parse_address(const std::string& text, Address* out) {
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    *out = Address::v4(ntohl(v4.s_addr));
    return true;
  }
  return inet_pton(AF_INET6, text.c_str(), out->bytes.data()) == 1;
}

std::string format_address(const Address& a) {
  char buf[INET6_ADDRSTRLEN];
  if (a.is_v4()) return inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof buf);
  return inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
}

std::string format_port(const Port& p) {
  static constexpr const char* kProto[] = {"?", "tcp", "udp", "icmp"};
  return std::to_string(p.number) + "/" + kProto[static_cast<int>(p.protocol)];
}

std::string format_timespan(const Timespan& t) {
  static constexpr std::pair<int64_t, const char*> kUnits[] = {
      {1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
  if (t.ns == 0) return "0s";
  for (const auto& [scale, unit] : kUnits)
    if (t.ns % scale == 0) return std::to_string(t.ns / scale) + unit;
  return std::to_string(t.ns) + "ns";  // not reached
}

// UTC, with milliseconds and no zone: the one form both Zeek 7's Broker
// (three fraction digits exactly, no zone, read as Zeek's local time) and
// Zeek 8's (read as UTC) accept. docs/protocol.md, "Times".
std::string format_timestamp(const Timestamp& t) {
  int64_t s = t.ns / 1'000'000'000, ns = t.ns % 1'000'000'000;
  if (ns < 0) ns += 1'000'000'000, --s;
  const time_t tt = static_cast<time_t>(s);
  tm u{};
  gmtime_r(&tt, &u);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", u.tm_year + 1900, u.tm_mon + 1, u.tm_mday,
                u.tm_hour, u.tm_min, u.tm_sec, static_cast<int>(ns / 1'000'000));
  return buf;
}

json to_json(const BrokerData& d) {
  const char* type = type_name(d);
  return std::visit(
      [type](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, None>) {
          return tagged(type, json::object());
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, uint64_t> ||
                             std::is_same_v<T, int64_t> || std::is_same_v<T, std::string>) {
          return tagged(type, v);
        } else if constexpr (std::is_same_v<T, double>) {
          // JSON has no NaN or infinity; Broker would print "nan", which no
          // reader takes. An unrepresentable real travels as none.
          if (!std::isfinite(v)) return tagged("none", json::object());
          return tagged(type, v);
        } else if constexpr (std::is_same_v<T, Address>) {
          return tagged(type, format_address(v));
        } else if constexpr (std::is_same_v<T, Subnet>) {
          return tagged(type, format_address(v.prefix) + "/" + std::to_string(v.length));
        } else if constexpr (std::is_same_v<T, Port>) {
          return tagged(type, format_port(v));
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          return tagged(type, format_timestamp(v));
        } else if constexpr (std::is_same_v<T, Timespan>) {
          return tagged(type, format_timespan(v));
        } else if constexpr (std::is_same_v<T, EnumValue>) {
          return tagged(type, v.name);
        } else if constexpr (std::is_same_v<T, Table>) {
          json a = json::array();
          for (const auto& [k, val] : v.entries) a.push_back(json{{"key", to_json(k)}, {"value", to_json(val)}});
          return tagged(type, std::move(a));
        } else {  // Set, Vector
          return tagged(type, items_json(v.items));
        }
      },
      d.value);
}

BrokerData from_json(const json& j, const std::string& path) {
  if (!j.is_object()) bad(path, "a value must be an object");
  const auto t = j.find("@data-type");
  const auto data_it = j.find("data");
  if (t == j.end() || !t->is_string()) bad(path, "no \"@data-type\" string");
  if (data_it == j.end()) bad(path, "no \"data\"");
  const std::string& type = t->get_ref<const std::string&>();
  const json& data = *data_it;
  if (type == "none") return None{};
  if (type == "boolean") {
    if (!data.is_boolean()) bad(path, "boolean data must be true or false");
    return data.get<bool>();
  }
  if (type == "count") {
    if (data.is_number_unsigned()) return data.get<uint64_t>();
    if (data.is_number_integer() && data.get<int64_t>() >= 0) return static_cast<uint64_t>(data.get<int64_t>());
    bad(path, "count data must be a non-negative integer below 2^64");
  }
  if (type == "integer") {
    if (data.is_number_unsigned() && data.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      bad(path, "integer data out of range");
    }
    if (!data.is_number_integer()) bad(path, "integer data must be an integer");
    return data.get<int64_t>();
  }
  if (type == "real") {
    if (!data.is_number()) bad(path, "real data must be a number");
    return data.get<double>();
  }
  if (type == "string") return text_of(data, path, "string");
  if (type == "enum-value") return EnumValue{text_of(data, path, "enum-value")};
  if (type == "address") {
    Address a;
    if (!parse_address(text_of(data, path, "address"), &a)) bad(path, "not an IPv4 or IPv6 address: " + data.dump());
    return a;
  }
  if (type == "subnet") {
    Subnet s;
    if (!parse_subnet(text_of(data, path, "subnet"), &s)) bad(path, "not a subnet (address/length): " + data.dump());
    return s;
  }
  if (type == "port") {
    Port p;
    if (!parse_port(text_of(data, path, "port"), &p)) bad(path, "not a port (number/protocol): " + data.dump());
    return p;
  }
  if (type == "timestamp") {
    Timestamp ts;
    if (!parse_timestamp(text_of(data, path, "timestamp"), &ts)) {
      bad(path, "not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS.fff): " + data.dump());
    }
    return ts;
  }
  if (type == "timespan") {
    Timespan s;
    if (!parse_timespan(text_of(data, path, "timespan"), &s)) {
      bad(path, "not a timespan (integer and ns, us, ms, s, min, h or d): " + data.dump());
    }
    return s;
  }
  if (type == "set") return Set{items_from(data, path, "set")};
  if (type == "vector") return Vector{items_from(data, path, "vector")};
  if (type == "table") {
    if (!data.is_array()) bad(path, "table data must be an array");
    Table table;
    for (size_t i = 0; i < data.size(); ++i) {
      const std::string at = path + ".data[" + std::to_string(i) + "]";
      const json& e = data[i];
      if (!e.is_object() || !e.contains("key") || !e.contains("value")) bad(at, "a table entry must be {key, value}");
      table.entries.emplace_back(from_json(e["key"], at + ".key"), from_json(e["value"], at + ".value"));
    }
    return table;
  }
  bad(path, "unknown @data-type \"" + type + "\"");
}

}  // namespace zagent::zeek
