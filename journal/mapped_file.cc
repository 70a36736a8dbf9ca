#include "journal/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "journal/error.h"

namespace zagent {

namespace {

// Copies standard input to an unlinked temporary file and returns its fd.
int spool_stdin() {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/zagent-stdin-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw_errno("cannot create a temporary file for standard input", pattern);
  ::unlink(pattern.c_str());
  std::vector<char> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw_errno("cannot read", "standard input");
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(fd, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        throw_errno("cannot spool standard input to", pattern);
      }
      done += w;
    }
  }
  return fd;
}

}  // namespace

std::string spool_stdin_to_file() {
  return "/proc/self/fd/" + std::to_string(spool_stdin());
}

MappedFile::MappedFile(const std::string& path) : path_(path) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? spool_stdin() : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw_errno("cannot stat", path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("not a regular file: " + path);
  }
  size_ = static_cast<size_t>(st.st_size);
  if (!is_stdin)
    identity_ = FileIdentity{st.st_dev, st.st_ino};
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw_errno("cannot map", path);
    }
    ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace zagent
