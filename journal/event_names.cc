#include "journal/event_names.h"

namespace zagent {

namespace {
// Enum values come from blocks as written: the FlatBuffers verifier does not
// check their range, and a newer writer may know more of them. A value past
// the table of names is "unknown", never an index past its end.
template <size_t N, typename Enum>
std::string_view name_in(const std::string_view (&names)[N], Enum value) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : "unknown";
}

}  // namespace

std::string_view name(HashStatus s) {
  constexpr std::string_view n[] = {"not_computed", "ok", "missing", "unreadable", "too_large"};
  return name_in(n, s);
}
std::string_view name(Protocol p) {
  constexpr std::string_view n[] = {"tcp", "udp"};
  return name_in(n, p);
}
std::string_view name(SocketAction a) {
  constexpr std::string_view n[] = {"connect", "accept", "listen", "close", "send", "existing"};
  return name_in(n, a);
}
std::string_view name(FileAction a) {
  constexpr std::string_view n[] = {"create", "write_open", "unlink", "rename", "chmod"};
  return name_in(n, a);
}
std::string_view name(LoginAction a) {
  constexpr std::string_view n[] = {"start", "end"};
  return name_in(n, a);
}
std::string_view name(SensorAction a) {
  constexpr std::string_view n[] = {"agent_start",       "agent_stop",        "sensor_attached",
                                    "sensor_degraded",   "events_lost",       "clock_jump",
                                    "journal_rotated",   "journal_recovered", "retention_deleted",
                                    "write_paused",      "write_resumed",     "stream_gap"};
  return name_in(n, a);
}

}  // namespace zagent
