// SHA-256 of executables, computed in user space and cached by what
// identifies a file's contents (device, inode, size, mtime), so that a busy
// host's thousandth exec of /usr/bin/bash costs one stat.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "journal/event.h"

namespace zagent {

class ExeHasher {
 public:
  explicit ExeHasher(uint64_t max_bytes = 64ull << 20, size_t max_entries = 4096)
      : max_bytes_(max_bytes), max_entries_(max_entries) {}

  // Hashes the file `path` names (e.g. /proc/PID/exe, which reaches the
  // executable even when it was deleted or replaced after the exec).
  void hash(const std::string& path, std::string* sha256, HashStatus* status);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  using Key = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>;  // dev, ino, size, mtime s, ns
  struct Entry {
    std::string sha256;
    HashStatus status;
  };
  uint64_t max_bytes_;
  size_t max_entries_;
  std::map<Key, Entry> cache_;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace zagent
