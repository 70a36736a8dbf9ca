#include "agent/zeek/agent_identity.h"

#include <cstring>
#include <random>

#include "agent/zeek/state_file.h"
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
  if (const std::optional<std::string> text = read_state_file(path)) {
    id.agent_id = text->substr(0, text->find('\n'));
    if (!is_uuid(id.agent_id)) {
      throw Error(path + ": not an agent id (a UUID on one line); remove it to make a new one");
    }
    return id;
  }
  id.agent_id = random_uuid();
  write_state_file(state_dir, "agent-id", id.agent_id + "\n");
  return id;
}

}  // namespace zagent::zeek
