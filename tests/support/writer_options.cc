#include "tests/support/writer_options.h"

namespace zagent::testing {

WriterOptions test_writer_options(const std::string& dir, const int64_t* clock) {
  WriterOptions o;
  o.dir = dir;
  o.fsync = FsyncPolicy::Never;
  o.rotate_age_ns = 0;
  o.retain_bytes = 0;
  o.retain_age_ns = 0;
  o.host = HostIdentity{"host-a", "0123456789abcdef0123456789abcdef", "boot-1"};
  o.agent_version = "0.1.0-test";
  o.clock = [clock] { return *clock; };
  return o;
}

}  // namespace zagent::testing
