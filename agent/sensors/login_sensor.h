// The login sensor: user sessions from utmp and wtmp. utmp holds the
// sessions open now: read at start, each reported as a start with its
// original login time. Changes then come from wtmp, the append-only log of
// logins (USER_PROCESS) and logouts (DEAD_PROCESS), read from where the last
// poll stopped, so that a session shorter than the poll interval still gives
// a start and an end, each with the time the record gives. Without wtmp,
// utmp is re-read every poll and compared (a session that starts and ends
// between two polls is then missed).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "journal/event.h"

struct utmp;

namespace zagent {

class LoginSensor {
 public:
  // ts: when it happened, ns since the epoch; 0 when the record does not say.
  using Sink = std::function<void(int64_t ts, LoginEvent event)>;

  LoginSensor(std::string utmp_path, std::string wtmp_path);

  // Reports what changed since the last call (at the first: who is logged in).
  void poll(const Sink& sink);

 private:
  struct Session {
    uint32_t pid = 0;
    int64_t ts = 0;
    LoginEvent start;
  };
  void poll_utmp(const Sink& sink);
  void poll_wtmp(const Sink& sink);
  // One login or logout record; false when it is neither.
  bool apply(const utmp& u, const Sink& sink);

  std::string utmp_path_;
  std::string wtmp_path_;
  bool first_ = true;
  bool use_wtmp_ = false;
  uint64_t wtmp_offset_ = 0;             // bytes of wtmp already read
  std::map<std::string, Session> open_;  // by utmp line (tty)
};

}  // namespace zagent
