#include "agent/zeek/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "journal/error.h"

namespace zagent::zeek {

namespace {

// mkdir -p, each directory made 0700.
void make_directories(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string part = dir.substr(0, slash);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("creating the state directory", part);
    if (slash == std::string::npos) return;
  }
}

}  // namespace

void write_state_file(const std::string& dir, const std::string& name, const std::string& content) {
  make_directories(dir);
  const std::string path = dir + "/" + name;
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno("creating", temp);
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  int cause = errno;
  ::close(fd);
  if (written && ::rename(temp.c_str(), path.c_str()) == 0) {
    const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0) {
      ::fsync(d);  // the rename itself, on disk
      ::close(d);
    }
    return;
  }
  if (written) cause = errno;  // the rename's
  ::unlink(temp.c_str());
  errno = cause;
  throw_errno("writing", path);
}

std::optional<std::string> read_state_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("reading", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace zagent::zeek
