#include "tables/snapshot/proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string_view>

namespace zagent::tables::proc {

namespace {

constexpr size_t kMaxProcFileBytes = 1 << 20;

bool parse_pid(const char* name, uint32_t* pid) {
  const std::string_view s(name);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *pid);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::vector<uint32_t> pids() {
  std::vector<uint32_t> out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (const dirent* entry = ::readdir(dir)) {
    uint32_t pid = 0;
    if (parse_pid(entry->d_name, &pid)) out.push_back(pid);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buffer[4096];
  while (out.size() < kMaxProcFileBytes) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<Stat> read_stat(uint32_t pid) {
  const std::optional<std::string> text = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  // comm may hold spaces and parentheses: it ends at the last ')'.
  const size_t open = text->find('(');
  const size_t close = text->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;

  Stat st;
  st.comm = text->substr(open + 1, close - open - 1);
  // Fields from (3) on are separated by single spaces.
  std::vector<std::string_view> fields;
  std::string_view rest = std::string_view(*text).substr(close + 1);
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const size_t end = std::min(rest.find(' '), rest.size());
    if (end) fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  // fields[0] is field (3).
  const auto field = [&](size_t number, int64_t* out) {
    if (number - 3 >= fields.size()) return false;
    const std::string_view f = fields[number - 3];
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), *out);
    return ec == std::errc() && end == f.data() + f.size();
  };
  if (!field(4, &st.ppid) || !field(14, &st.utime) || !field(15, &st.stime) || !field(18, &st.priority) ||
      !field(22, &st.starttime) || !field(23, &st.vsize) || !field(24, &st.rss)) {
    return std::nullopt;
  }
  return st;
}

}  // namespace zagent::tables::proc
