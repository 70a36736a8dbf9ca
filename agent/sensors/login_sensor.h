// The login sensor: user sessions from utmp. Reads the (small) file once a
// second and reports each session that appears (a USER_PROCESS record) and
// each that ends (its line's record turns DEAD_PROCESS), with the time utmp
// gives, which is when the login or logout happened. Sessions present at
// start are reported as starts with their original login time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "journal/event.h"

namespace zagent {

class LoginSensor {
 public:
  // ts: when it happened, ns since the epoch; 0 when utmp does not say.
  using Sink = std::function<void(int64_t ts, LoginEvent event)>;

  explicit LoginSensor(std::string utmp_path) : path_(std::move(utmp_path)) {}

  // Re-reads utmp and reports what changed since the last call.
  void poll(const Sink& sink);

 private:
  struct Session {
    uint32_t pid = 0;
    int64_t ts = 0;
    LoginEvent start;
  };
  std::string path_;
  std::map<std::string, Session> open_;  // by utmp line (tty)
};

}  // namespace zagent
