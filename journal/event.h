// The host events as C++ values: what sensors produce, what the writer
// appends and what the reader returns. Mirrors schemas/events.fbs field for
// field; block_codec.h converts between the two.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace zagent {

// IPv4 is held IPv4-mapped (::ffff:a.b.c.d), as in the schema.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  static IpAddress v4(uint32_t host_order);
  static IpAddress v6(const std::array<uint8_t, 16>& b) { return IpAddress{b}; }
  bool is_v4() const;
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

enum class HashStatus : uint8_t { NotComputed = 0, Ok, Missing, Unreadable, TooLarge };
enum class Protocol : uint8_t { Tcp = 0, Udp };
enum class SocketAction : uint8_t { Connect = 0, Accept, Listen, Close, Send, Existing };
enum class FileAction : uint8_t { Create = 0, WriteOpen, Unlink, Rename, Chmod };
enum class LoginAction : uint8_t { Start = 0, End };
enum class SensorAction : uint8_t {
  AgentStart = 0, AgentStop, SensorAttached, SensorDegraded, EventsLost, ClockJump,
  JournalRotated, JournalRecovered, RetentionDeleted, WritePaused, WriteResumed, StreamGap,
};

struct ProcessExec {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint64_t start_boot_ns = 0;
  uint64_t parent_start_boot_ns = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t euid = 0;
  uint32_t egid = 0;
  uint32_t login_uid = 4294967295u;
  uint32_t session_id = 0;
  std::string exe;
  std::vector<std::string> argv;
  bool argv_truncated = false;
  std::string cwd;
  std::string comm;
  std::string tty;
  uint64_t cgroup_id = 0;
  std::string container_id;
  std::string exe_sha256;  // 32 raw bytes when exe_hash_status is Ok
  HashStatus exe_hash_status = HashStatus::NotComputed;
  bool operator==(const ProcessExec&) const = default;
};

// A process that already existed when the segment started.
struct ProcessSnapshot : ProcessExec {
  bool operator==(const ProcessSnapshot&) const = default;
};

struct ProcessFork {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint64_t start_boot_ns = 0;
  uint64_t parent_start_boot_ns = 0;
  uint32_t uid = 0;
  std::string comm;
  bool operator==(const ProcessFork&) const = default;
};

struct ProcessExit {
  uint32_t pid = 0;
  uint64_t start_boot_ns = 0;
  int32_t exit_code = 0;
  int32_t signal = 0;
  int64_t duration_ns = -1;
  std::string comm;
  bool operator==(const ProcessExit&) const = default;
};

struct SocketEvent {
  SocketAction action = SocketAction::Connect;
  Protocol protocol = Protocol::Tcp;
  uint32_t pid = 0;
  uint64_t start_boot_ns = 0;
  uint32_t uid = 0;
  std::string comm;
  std::string exe;
  IpAddress local_addr;
  uint16_t local_port = 0;
  IpAddress remote_addr;
  uint16_t remote_port = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  bool operator==(const SocketEvent&) const = default;
};

struct FileEvent {
  FileAction action = FileAction::Create;
  uint32_t pid = 0;
  uint64_t start_boot_ns = 0;
  uint32_t uid = 0;
  std::string comm;
  std::string exe;
  std::string path;
  std::string new_path;
  uint32_t mode = 0;
  bool operator==(const FileEvent&) const = default;
};

struct LoginEvent {
  LoginAction action = LoginAction::Start;
  std::string user;
  std::string tty;
  std::string remote_host;
  IpAddress remote_addr;
  uint32_t pid = 0;
  uint32_t session_id = 0;
  bool operator==(const LoginEvent&) const = default;
};

struct Counter {
  std::string name;
  uint64_t value = 0;
  bool operator==(const Counter&) const = default;
};

struct SensorEvent {
  SensorAction action = SensorAction::AgentStart;
  std::string sensor;
  std::string message;
  std::vector<Counter> counters;
  bool operator==(const SensorEvent&) const = default;
};

// The order of the alternatives is the order of the schema's EventType (code = index + 1):
// EventType below and the union's type codes (index + 1) depend on it.
using EventBody = std::variant<ProcessExec, ProcessFork, ProcessExit, ProcessSnapshot,
                               SocketEvent, FileEvent, LoginEvent, SensorEvent>;

enum class EventType : uint8_t {
  ProcessExec = 0, ProcessFork, ProcessExit, ProcessSnapshot,
  SocketEvent, FileEvent, LoginEvent, SensorEvent,
};
inline constexpr size_t kEventTypeCount = std::variant_size_v<EventBody>;

struct Event {
  int64_t ts = 0;    // ns since the Unix epoch
  uint64_t seq = 0;  // per host, strictly increasing
  EventBody body;

  EventType type() const { return static_cast<EventType>(body.index()); }
  bool operator==(const Event&) const = default;
};

// Stable names used in JSON, on the command line and in SQL:
// "process_exec", "process_fork", ..., "sensor".
std::string_view event_type_name(EventType type);
// Returns false when the name is not a type name.
bool parse_event_type(std::string_view name, EventType* type);

}  // namespace zagent
