#include "agent/zeek/subscriber_positions.h"

#include <unistd.h>

#include <cerrno>

#include "agent/zeek/state_file.h"
#include "journal/error.h"

namespace zagent::zeek {

SubscriberPositions::SubscriberPositions(const std::string& state_dir) : dir_(state_dir + "/subscribers") {}

void SubscriberPositions::check_name(const std::string& name) {
  if (name.empty() || name.size() > 64) throw Error("subscriber name must be 1-64 characters");
  if (name[0] == '.') throw Error("subscriber name '" + name + "' must not start with '.'");
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) throw Error("subscriber name '" + name + "': only A-Z, a-z, 0-9, '.', '_' and '-'");
  }
}

std::optional<uint64_t> SubscriberPositions::acknowledged(const std::string& name) {
  check_name(name);
  if (const auto it = known_.find(name); it != known_.end()) return it->second;
  const std::string path = dir_ + "/" + name;
  std::optional<uint64_t> seq;
  if (const std::optional<std::string> text = read_state_file(path)) {
    const size_t digits = text->find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos || digits > 20 || text->substr(digits) != "\n") {
      throw Error(path + ": not a subscriber position (one seq on one line)");
    }
    errno = 0;
    const unsigned long long v = std::strtoull(text->c_str(), nullptr, 10);
    if (errno == ERANGE) throw Error(path + ": seq out of range");
    seq = v;
  }
  known_[name] = seq;
  return seq;
}

void SubscriberPositions::acknowledge(const std::string& name, uint64_t seq) {
  const std::optional<uint64_t> now = acknowledged(name);
  if (now && seq < *now) {
    throw Error("subscriber " + name + ": acknowledgement of seq " + std::to_string(seq) +
                " goes back from " + std::to_string(*now));
  }
  if (now && seq == *now) return;
  write_state_file(dir_, name, std::to_string(seq) + "\n");
  known_[name] = seq;
}

void SubscriberPositions::forget(const std::string& name) {
  check_name(name);
  const std::string path = dir_ + "/" + name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("removing", path);
  known_[name] = std::nullopt;
}

}  // namespace zagent::zeek
