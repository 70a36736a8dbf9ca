#include "agent/sensors/proc_link.h"

#include <unistd.h>

#include <cstdio>

namespace zagent {

std::string proc_link(uint32_t pid, const char* name) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%u/%s", pid, name);
  char target[4096];
  const ssize_t n = ::readlink(path, target, sizeof target);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

}  // namespace zagent
