// The file sensor in user space: loads and attaches file.bpf.c and turns its
// records into FileEvents (create, open for writing, unlink, rename, chmod)
// for paths under the watched prefixes. The kernel filters by the inodes of
// the watched directories (which refresh() keeps current as directories
// come and go); the prefixes are applied again here, on the full path, for
// the calls the kernel cannot place (absolute names).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/sensors/exe_cache.h"
#include "agent/sensors/watched_paths.h"
#include "journal/event.h"

struct file_bpf;
struct ring_buffer;

namespace zagent {

class FileSensor {
 public:
  using Sink = std::function<void(uint64_t boot_ns, EventBody body)>;

  // Throws Error naming what is missing when the kernel refuses.
  // `exit_chain` (SocketSensor::exit_chain_fd, or -1): where to put the
  // sys_exit program rather than attach it, so that one program runs per
  // system call for both sensors.
  FileSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeCache& exes, const std::vector<std::string>& watch,
             int exit_chain, Sink sink);
  ~FileSensor();
  FileSensor(const FileSensor&) = delete;
  FileSensor& operator=(const FileSensor&) = delete;

  // Hands every waiting record under a watched path to the sink.
  void drain();
  // Resolves the prefixes ("*" expanded) to the inodes the kernel filters
  // by. Called at start and then every second: a watched directory created
  // later (a new user's ~/.ssh) is watched from the next call on.
  void refresh();
  // Records dropped because the ring buffer was full, since the start.
  uint64_t drops() const;
  // The ring buffer's epoll fd, for the recorder's RingWaiter.
  int epoll_fd() const;

 private:
  static int on_record(void* self, void* data, size_t size);

  file_bpf* skel_ = nullptr;
  int exit_chain_ = -1;
  ring_buffer* ring_ = nullptr;
  std::vector<std::string> prefixes_;
  WatchedPaths watched_;
  std::set<std::pair<uint64_t, uint32_t>> watched_inodes_;  // (ino, kernel dev) in the kernel's map
  Sink sink_;
  ExeCache& exes_;
};

}  // namespace zagent
