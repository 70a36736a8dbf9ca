// The file sensor in user space: loads and attaches file.bpf.c and turns its
// records into FileEvents (create, open for writing, unlink, rename, chmod)
// for paths under the watched prefixes. The kernel hands over every such
// call on a regular file or directory; the prefixes are applied here, where
// the full path is known.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
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
  FileSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeCache& exes, const std::vector<std::string>& watch, Sink sink);
  ~FileSensor();
  FileSensor(const FileSensor&) = delete;
  FileSensor& operator=(const FileSensor&) = delete;

  // Hands every waiting record under a watched path to the sink.
  void drain();
  // Records dropped because the ring buffer was full, since the start.
  uint64_t drops() const;

 private:
  static int on_record(void* self, void* data, size_t size);

  file_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  WatchedPaths watched_;
  Sink sink_;
  ExeCache& exes_;
};

}  // namespace zagent
