// rapidcheck generators of events, for properties over the journal: any
// value of every field (random byte strings, non-UTF-8 and NULs, extreme
// integers, v4 and v6 addresses), of every event type. Only inside a
// property (RC_GTEST_PROP).
#pragma once

#include <rapidcheck.h>

#include <limits>
#include <string>
#include <type_traits>

#include "journal/event.h"

namespace zagent::testing {

// Whether to draw an edge instead: a quarter of the values are those that
// fields use for "none" (0, "", the zero address, 4294967295) or that sit
// at a type's limits, which uniform draws of wide integers almost never
// give, and which decoders and loggers treat apart.
inline bool edge() { return *rc::gen::inRange(0, 4) == 0; }

// Inside a property: one value of each kind.
inline std::string any_bytes() {
  if (edge()) return "";
  return *rc::gen::container<std::string>(rc::gen::cast<char>(rc::gen::arbitrary<uint8_t>()));
}
template <typename T>
T any() {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (edge())
      return *rc::gen::element<T>(T{0}, static_cast<T>(-1), std::numeric_limits<T>::max(),
                                  std::numeric_limits<T>::min());
  }
  return *rc::gen::arbitrary<T>();
}
inline IpAddress any_ip() {
  IpAddress a;
  if (edge()) return *rc::gen::arbitrary<bool>() ? a : IpAddress::v4(0);
  for (auto& b : a.bytes) b = any<uint8_t>();
  if (*rc::gen::arbitrary<bool>()) a = IpAddress::v4(any<uint32_t>());
  return a;
}
template <typename Enum>
Enum any_enum(int count) {
  return static_cast<Enum>(*rc::gen::inRange(0, count));
}

inline ProcessExec any_process() {
  ProcessExec e;
  e.pid = any<uint32_t>();
  e.ppid = any<uint32_t>();
  e.start_boot_ns = any<uint64_t>();
  e.parent_start_boot_ns = any<uint64_t>();
  e.uid = any<uint32_t>();
  e.gid = any<uint32_t>();
  e.euid = any<uint32_t>();
  e.egid = any<uint32_t>();
  e.login_uid = any<uint32_t>();
  e.session_id = any<uint32_t>();
  e.exe = any_bytes();
  const int argc = *rc::gen::inRange(0, 12);
  for (int i = 0; i < argc; ++i) e.argv.push_back(any_bytes());
  e.argv_truncated = any<bool>();
  e.cwd = any_bytes();
  e.comm = any_bytes();
  e.tty = any_bytes();
  e.cgroup_id = any<uint64_t>();
  e.container_id = any_bytes();
  e.exe_sha256 = any_bytes();
  e.exe_hash_status = any_enum<HashStatus>(4);
  return e;
}

inline EventBody any_body() {
  switch (*rc::gen::inRange(0, static_cast<int>(kEventTypeCount))) {
    case 0: return any_process();
    case 1: return ProcessFork{any<uint32_t>(), any<uint32_t>(), any<uint64_t>(), any<uint64_t>(),
                               any<uint32_t>(), any_bytes()};
    case 2: return ProcessExit{any<uint32_t>(), any<uint64_t>(), any<int32_t>(), any<int32_t>(),
                               any<int64_t>(), any_bytes()};
    case 3: {
      ProcessSnapshot s;
      static_cast<ProcessExec&>(s) = any_process();
      return s;
    }
    case 4: return SocketEvent{any_enum<SocketAction>(5), any_enum<Protocol>(1), any<uint32_t>(),
                               any<uint64_t>(), any<uint32_t>(), any_bytes(), any_bytes(), any_ip(),
                               any<uint16_t>(), any_ip(), any<uint16_t>(), any<uint64_t>(),
                               any<uint64_t>()};
    case 5: return FileEvent{any_enum<FileAction>(4), any<uint32_t>(), any<uint64_t>(), any<uint32_t>(),
                             any_bytes(), any_bytes(), any_bytes(), any_bytes(), any<uint32_t>()};
    case 6: return LoginEvent{any_enum<LoginAction>(1), any_bytes(), any_bytes(), any_bytes(), any_ip(),
                              any<uint32_t>(), any<uint32_t>()};
    default: {
      SensorEvent s{any_enum<SensorAction>(static_cast<int>(SensorAction::StreamGap) + 1), any_bytes(), any_bytes(), {}};
      const int n = *rc::gen::inRange(0, 5);
      for (int i = 0; i < n; ++i) s.counters.push_back(Counter{any_bytes(), any<uint64_t>()});
      return s;
    }
  }
}

}  // namespace zagent::testing
