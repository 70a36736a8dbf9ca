#include "agent/sensors/watched_paths.h"

#include "agent/sensors/kernel_path.h"

namespace zagent {

WatchedPaths::WatchedPaths(const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) prefixes_.push_back(path_components(p));
}

bool WatchedPaths::matches(const std::string& path) const {
  if (path.empty() || path[0] != '/') return false;
  const std::vector<std::string> parts = path_components(path);
  for (const std::vector<std::string>& prefix : prefixes_) {
    if (prefix.size() > parts.size()) continue;
    bool match = true;
    for (size_t i = 0; i < prefix.size() && match; ++i) match = prefix[i] == "*" || prefix[i] == parts[i];
    if (match) return true;
  }
  return false;
}

std::vector<std::string> WatchedPaths::defaults() {
  return {"/etc", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin", "/boot",
          "/usr/lib/systemd/system", "/var/spool/cron", "/root/.ssh", "/home/*/.ssh"};
}

}  // namespace zagent
