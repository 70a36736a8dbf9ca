#include "agent/sensors/container_id.h"

#include <cctype>
#include <cstdint>
#include <fstream>

namespace zagent {

namespace {
constexpr size_t kIdLength = 64;
}  // namespace

std::string container_id_in(std::string_view cgroup) {
  std::string found;
  size_t i = 0;
  while (i < cgroup.size()) {
    size_t j = i;
    while (j < cgroup.size() && std::isxdigit(static_cast<unsigned char>(cgroup[j]))) ++j;
    if (j - i == kIdLength) found = std::string(cgroup.substr(i, kIdLength));
    i = j + 1;
  }
  return found;
}

std::string container_id_of_pid(uint32_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (std::string id = container_id_in(line); !id.empty()) return id;
  }
  return "";
}

}  // namespace zagent
