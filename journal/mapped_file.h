// A read-only view of a whole file. Regular files are mapped; standard input
// ("-") is first copied to an unlinked temporary file, so memory stays bounded
// whatever its size.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace zagent {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Copies standard input to an unlinked temporary file and returns a path
// naming it for as long as the process lives (/proc/self/fd/N), for commands
// that read their input twice.
std::string spool_stdin_to_file();

}  // namespace zagent
