// The one error convention of zagent: a function that cannot do its job
// throws zagent::Error, whose message names the file, offset or field it is
// about. Damage found while reading a journal is not an error: readers report
// it through a DamageReporter (damage.h) and go on; the caller decides.
#pragma once

#include <stdexcept>
#include <string>

namespace zagent {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An Error for a failed system call: "<what>: <path>: <strerror(errno)>".
[[noreturn]] void throw_errno(const std::string& what, const std::string& path);

}  // namespace zagent
