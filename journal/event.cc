#include "journal/event.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace zagent {

namespace {
constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

constexpr std::string_view kTypeNames[kEventTypeCount] = {
    "process_exec", "process_fork", "process_exit", "process_snapshot",
    "socket",       "file",         "login",        "sensor",
};
}  // namespace

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), a.bytes.begin());
  a.bytes[12] = static_cast<uint8_t>(host_order >> 24);
  a.bytes[13] = static_cast<uint8_t>(host_order >> 16);
  a.bytes[14] = static_cast<uint8_t>(host_order >> 8);
  a.bytes[15] = static_cast<uint8_t>(host_order);
  return a;
}

bool IpAddress::is_v4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin());
}

std::string IpAddress::to_string() const {
  if (is_v4()) {
    // By hand: glibc's inet_ntop formats IPv4 with sprintf, which was 7% of
    // zagent-replay's time.
    char text[16];
    char* p = text;
    for (size_t i = 12; i < 16; ++i) {
      if (i > 12) *p++ = '.';
      p = std::to_chars(p, text + sizeof text, bytes[i]).ptr;
    }
    return std::string(text, p);
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

std::string_view event_type_name(EventType type) {
  return kTypeNames[static_cast<size_t>(type)];
}

bool parse_event_type(std::string_view name, EventType* type) {
  for (size_t i = 0; i < kEventTypeCount; ++i) {
    if (kTypeNames[i] == name) {
      *type = static_cast<EventType>(i);
      return true;
    }
  }
  return false;
}

}  // namespace zagent
