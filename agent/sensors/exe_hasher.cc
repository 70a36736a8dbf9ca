#include "agent/sensors/exe_hasher.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace zagent {

void ExeHasher::hash(const std::string& path, std::string* sha256, HashStatus* status) {
  sha256->clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *status = errno == ENOENT || errno == ESRCH ? HashStatus::Missing : HashStatus::Unreadable;
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    *status = HashStatus::Unreadable;
    return;
  }
  const Key key{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  if (auto it = cache_.find(key); it != cache_.end()) {
    ::close(fd);
    ++hits_;
    *sha256 = it->second.sha256;
    *status = it->second.status;
    return;
  }
  ++misses_;
  Entry entry{"", HashStatus::Ok};
  if (static_cast<uint64_t>(st.st_size) > max_bytes_) {
    entry.status = HashStatus::TooLarge;
  } else {
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::vector<unsigned char> buf(1 << 16);
    for (;;) {
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        entry.status = HashStatus::Unreadable;
        break;
      }
      crypto_hash_sha256_update(&state, buf.data(), static_cast<unsigned long long>(n));
    }
    if (entry.status == HashStatus::Ok) {
      unsigned char out[crypto_hash_sha256_BYTES];
      crypto_hash_sha256_final(&state, out);
      entry.sha256.assign(reinterpret_cast<const char*>(out), sizeof out);
    }
  }
  ::close(fd);
  if (cache_.size() >= max_entries_) cache_.clear();  // bounded memory; simple beats clever here
  cache_.emplace(key, entry);
  *sha256 = entry.sha256;
  *status = entry.status;
}

}  // namespace zagent
