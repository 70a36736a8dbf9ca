// Decoding what the eBPF programs hand over as strings: NUL-separated lists
// (argv) and paths walked in the kernel (agent/bpf/path.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace zagent {

// NUL-terminated strings one after the other; a last one without its NUL
// was cut off and is kept as far as it goes.
std::vector<std::string> split_nul(const char* data, size_t size);

// A path walked in the kernel (components last first) as "/a/b/c"; one cut
// at the walk's limit starts with "...". "" when size is 0 (not known).
std::string kernel_path(const char* data, unsigned size);

// The non-empty components of a path: "/a//b/" is {"a", "b"}.
std::vector<std::string> path_components(const std::string& path);

// A path a caller passed (`name`, as given) joined to the directory the
// kernel walked for it (unless `name` is absolute), with "." and ".."
// resolved lexically: a ".." after a symlink is taken by name, not by
// where the link points. "" when neither part is known.
std::string caller_path(const std::string& dir, const std::string& name);

}  // namespace zagent
