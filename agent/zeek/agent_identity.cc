#include "agent/zeek/agent_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "journal/error.h"

namespace zagent::zeek {

namespace {

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

[[noreturn]] void fail(const std::string& what) { throw Error(what + ": " + std::strerror(errno)); }

}  // namespace

std::string random_uuid() {
  std::random_device random;
  uint8_t b[16];
  for (int i = 0; i < 16; i += 4) {
    const uint32_t r = random();
    std::memcpy(b + i, &r, 4);
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return text;
}

AgentIdentity load_agent_identity(const std::string& state_dir) {
  AgentIdentity id{"", random_uuid()};
  const std::string path = state_dir + "/agent-id";
  std::ifstream in(path);
  if (in) {
    std::getline(in, id.agent_id);
    if (!is_uuid(id.agent_id)) {
      throw Error(path + ": not an agent id (a UUID on one line); remove it to make a new one");
    }
    return id;
  }
  if (errno != ENOENT) fail(path);
  if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) fail(state_dir);
  id.agent_id = random_uuid();
  // Written to a temporary file and renamed: a crash leaves the old state
  // (no file) or the whole new one, never half an id.
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(temp);
  const std::string line = id.agent_id + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail(path);
  }
  const int dir = ::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return id;
}

}  // namespace zagent::zeek
