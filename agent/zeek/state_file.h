// Small files in the agent's state directory (the agent id, subscribers'
// positions) that must survive a crash whole: each is written to a
// temporary file, fsync'd, renamed over the old one and the directory
// fsync'd, so that after a crash it holds the old content or the new,
// never a mix or nothing.
#pragma once

#include <optional>
#include <string>

namespace zagent::zeek {

// Creates `dir` and its missing parents (0700) and replaces `dir`/`name` with `content`
// (0600). Throws Error naming the file.
void write_state_file(const std::string& dir, const std::string& name, const std::string& content);

// The whole file, or nullopt when it does not exist. Throws Error naming
// the file for any other failure.
std::optional<std::string> read_state_file(const std::string& path);

}  // namespace zagent::zeek
