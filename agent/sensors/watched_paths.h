// Which file paths the file sensor reports: those under one of a list of
// prefixes. A prefix matches itself and everything below it, component by
// component ("/etc" matches "/etc/passwd", not "/etcetera"); a "*"
// component matches any one component ("/home/*/.ssh").
#pragma once

#include <string>
#include <vector>

namespace zagent {

class WatchedPaths {
 public:
  explicit WatchedPaths(const std::vector<std::string>& prefixes);

  bool matches(const std::string& path) const;

  // The defaults: system configuration, binaries, boot, services, cron
  // and every user's ~/.ssh.
  static std::vector<std::string> defaults();

 private:
  std::vector<std::vector<std::string>> prefixes_;  // split into components
};

}  // namespace zagent
