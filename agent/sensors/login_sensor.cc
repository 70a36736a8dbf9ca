#include "agent/sensors/login_sensor.h"

#include <arpa/inet.h>
#include <utmp.h>

#include <cstring>
#include <fstream>
#include <vector>

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

void LoginSensor::poll(const Sink& sink) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;  // no utmp (yet): nobody logged in that we can see
  std::map<std::string, Session> now;
  std::map<std::string, int64_t> ended;  // logout times of DEAD_PROCESS lines
  utmp u{};
  while (in.read(reinterpret_cast<char*>(&u), sizeof u)) {
    if (u.ut_type == DEAD_PROCESS) ended[field(u.ut_line, sizeof u.ut_line)] = record_ts(u);
    if (u.ut_type != USER_PROCESS) continue;
    Session s;
    s.pid = static_cast<uint32_t>(u.ut_pid);
    s.ts = record_ts(u);
    s.start = LoginEvent{LoginAction::Start,
                         field(u.ut_user, sizeof u.ut_user),
                         field(u.ut_line, sizeof u.ut_line),
                         field(u.ut_host, sizeof u.ut_host),
                         record_addr(u),
                         s.pid,
                         static_cast<uint32_t>(u.ut_session)};
    now[s.start.tty] = std::move(s);
  }
  // Ends first: a line reused by a new login ends the old session.
  for (const auto& [line, old] : open_) {
    auto it = now.find(line);
    if (it != now.end() && it->second.pid == old.pid && it->second.ts == old.ts) continue;
    LoginEvent end = old.start;
    end.action = LoginAction::End;
    // The logout time, where utmp kept one; else 0: "now".
    const auto dead = ended.find(line);
    sink(dead != ended.end() && dead->second >= old.ts ? dead->second : 0, std::move(end));
  }
  for (const auto& [line, s] : now) {
    auto it = open_.find(line);
    if (it != open_.end() && it->second.pid == s.pid && it->second.ts == s.ts) continue;
    sink(s.ts, s.start);
  }
  open_ = std::move(now);
}

}  // namespace zagent
