// A read-only view of a whole file. Regular files are mapped; standard input
// ("-") is first copied to an unlinked temporary file, so memory stays bounded
// whatever its size.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace zagent {

// Which file: device and inode. (Whether its bytes are still the ones a
// reader saw is for that reader to check; scan_memo.h does.)
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }
  // Standard input has none (device and inode 0).
  const FileIdentity& identity() const { return identity_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  FileIdentity identity_;
};

// Copies standard input to an unlinked temporary file and returns a path
// naming it for as long as the process lives (/proc/self/fd/N), for commands
// that read their input twice.
std::string spool_stdin_to_file();

}  // namespace zagent
