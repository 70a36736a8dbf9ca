#include "agent/sensors/login_sensor.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <utmp.h>

#include <cstring>
#include <fstream>

namespace zagent {

namespace {

std::string field(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

int64_t record_ts(const utmp& u) {
  return static_cast<int64_t>(u.ut_tv.tv_sec) * 1'000'000'000 + static_cast<int64_t>(u.ut_tv.tv_usec) * 1'000;
}

IpAddress record_addr(const utmp& u) {
  // ut_addr_v6: IPv4 in the first word only, IPv6 in all four.
  if (u.ut_addr_v6[1] == 0 && u.ut_addr_v6[2] == 0 && u.ut_addr_v6[3] == 0) {
    return IpAddress::v4(ntohl(static_cast<uint32_t>(u.ut_addr_v6[0])));
  }
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), u.ut_addr_v6, b.size());
  return IpAddress::v6(b);
}

}  // namespace

LoginSensor::LoginSensor(std::string utmp_path, std::string wtmp_path)
    : utmp_path_(std::move(utmp_path)), wtmp_path_(std::move(wtmp_path)) {}

void LoginSensor::poll(const Sink& sink) {
  if (first_) {
    first_ = false;
    // wtmp's size before utmp is read: a login in between shows in both,
    // and apply() knows it already.
    struct stat st {};
    use_wtmp_ = !wtmp_path_.empty() && ::stat(wtmp_path_.c_str(), &st) == 0;
    wtmp_offset_ = use_wtmp_ ? static_cast<uint64_t>(st.st_size) / sizeof(utmp) * sizeof(utmp) : 0;
    poll_utmp(sink);
    return;
  }
  if (use_wtmp_) {
    poll_wtmp(sink);
  } else {
    poll_utmp(sink);
  }
}

bool LoginSensor::apply(const utmp& u, const Sink& sink) {
  const std::string line = field(u.ut_line, sizeof u.ut_line);
  if (u.ut_type == DEAD_PROCESS) {
    auto it = open_.find(line);
    if (it == open_.end()) return false;  // a session we never saw start
    LoginEvent end = it->second.start;
    end.action = LoginAction::End;
    const int64_t ts = record_ts(u);
    sink(ts >= it->second.ts ? ts : 0, std::move(end));
    open_.erase(it);
    return true;
  }
  if (u.ut_type != USER_PROCESS) return false;
  Session s;
  s.pid = static_cast<uint32_t>(u.ut_pid);
  s.ts = record_ts(u);
  auto it = open_.find(line);
  if (it != open_.end()) {
    if (it->second.pid == s.pid && it->second.ts == s.ts) return false;  // known
    // The line reused without a logout record: the old session is over.
    LoginEvent end = it->second.start;
    end.action = LoginAction::End;
    sink(0, std::move(end));
  }
  s.start = LoginEvent{LoginAction::Start, field(u.ut_user, sizeof u.ut_user), line,
                       field(u.ut_host, sizeof u.ut_host), record_addr(u), s.pid,
                       static_cast<uint32_t>(u.ut_session)};
  sink(s.ts, s.start);
  open_[line] = std::move(s);
  return true;
}

void LoginSensor::poll_wtmp(const Sink& sink) {
  std::ifstream in(wtmp_path_, std::ios::binary);
  if (!in) return;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in.tellg());
  if (size < wtmp_offset_) wtmp_offset_ = 0;  // rotated: a new file
  in.seekg(static_cast<std::streamoff>(wtmp_offset_));
  utmp u{};
  while (in.read(reinterpret_cast<char*>(&u), sizeof u)) {
    wtmp_offset_ += sizeof u;
    apply(u, sink);
  }
}

void LoginSensor::poll_utmp(const Sink& sink) {
  std::ifstream in(utmp_path_, std::ios::binary);
  if (!in) return;  // no utmp (yet): nobody logged in that we can see
  std::map<std::string, utmp> now;  // the USER_PROCESS record of each line
  std::map<std::string, utmp> ended;  // the DEAD_PROCESS record of each line
  utmp u{};
  while (in.read(reinterpret_cast<char*>(&u), sizeof u)) {
    const std::string line = field(u.ut_line, sizeof u.ut_line);
    if (u.ut_type == USER_PROCESS) now[line] = u;
    if (u.ut_type == DEAD_PROCESS) ended[line] = u;
  }
  // Ends first: sessions gone from utmp end at their logout record's time.
  for (auto it = open_.begin(); it != open_.end();) {
    const auto current = now.find(it->first);
    if (current != now.end() && static_cast<uint32_t>(current->second.ut_pid) == it->second.pid &&
        record_ts(current->second) == it->second.ts) {
      ++it;
      continue;
    }
    const auto dead = ended.find(it->first);
    const std::string line = it->first;
    ++it;
    if (dead != ended.end()) {
      apply(dead->second, sink);
    } else {
      LoginEvent end = open_[line].start;
      end.action = LoginAction::End;
      sink(0, std::move(end));
      open_.erase(line);
    }
  }
  for (const auto& [line, record] : now) apply(record, sink);
}

}  // namespace zagent
