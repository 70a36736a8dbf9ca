// The container a process runs in, from the name of its cgroup: container
// runtimes name a container's cgroup after its 64-hex-digit id, with their
// own prefix and suffix ("docker-<id>.scope", "cri-containerd-<id>.scope",
// "libpod-<id>.scope", or a plain "<id>" under /docker or /kubepods).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zagent {

// The last run of exactly 64 hex digits in `cgroup` (a name or a path), or
// "" when there is none: not in a container.
std::string container_id_in(std::string_view cgroup);

// The container id of a running process from /proc/PID/cgroup (any
// hierarchy), or "".
std::string container_id_of_pid(uint32_t pid);

}  // namespace zagent
