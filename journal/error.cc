#include "journal/error.h"

#include <cerrno>
#include <cstring>

namespace zagent {

void throw_errno(const std::string& what, const std::string& path) {
  int saved = errno;
  throw Error(what + ": " + path + ": " + std::strerror(saved));
}

}  // namespace zagent
