// The target of a /proc/PID link (exe, cwd), or "" when the process is gone
// or the link cannot be read.
#pragma once

#include <cstdint>
#include <string>

namespace zagent {

std::string proc_link(uint32_t pid, const char* name);

}  // namespace zagent
