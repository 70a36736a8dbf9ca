#include "agent/sensors/file_sensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

#include "agent/sensors/kernel_path.h"
#include "agent/sensors/percpu_sum.h"
#include "agent/sensors/skeleton.h"
#include "file.h"
#include "file.skel.h"
#include "journal/error.h"

namespace zagent {

namespace {

// The key of file.bpf.c's watched_dirs.
struct DirKey {
  uint64_t ino;
  uint32_t dev;
  uint32_t pad;
};

// Whether the caller named this path absolutely: the kernel could not place
// it under a watched directory, only by its first component.
bool absolute_name(const zagent_file_path& p) { return p.name_size > 0 && p.name[0] == '/'; }

std::string full_path(const zagent_file_path& p) {
  const unsigned name_size = p.name_size > sizeof p.name ? sizeof p.name : p.name_size;
  return caller_path(kernel_path(p.dir, p.dir_size > ZAGENT_PATH_BUF ? ZAGENT_PATH_BUF : p.dir_size),
                     std::string(p.name, strnlen(p.name, name_size)));
}

}  // namespace

FileSensor::FileSensor(uint32_t ring_bytes, uint32_t agent_tgid, ExeCache& exes, const std::vector<std::string>& watch,
                       int exit_chain, Sink sink)
    : exit_chain_(exit_chain), prefixes_(watch), watched_(watch), sink_(std::move(sink)), exes_(exes) {
  const SkeletonOps<file_bpf> ops{file_bpf__open, file_bpf__load, file_bpf__attach, file_bpf__destroy};
  skel_ = start_skeleton("file", ops, [&](file_bpf* skel) {
    skel->rodata->agent_tgid = agent_tgid;
    bpf_map__set_max_entries(skel->maps.events, ring_bytes);
    if (exit_chain_ >= 0) bpf_program__set_autoattach(skel->progs.handle_sys_exit, false);
  });
  if (exit_chain_ >= 0) {
    const uint32_t key = 0;
    const int prog = bpf_program__fd(skel_->progs.handle_sys_exit);
    if (bpf_map_update_elem(exit_chain_, &key, &prog, BPF_ANY) != 0) {
      const int err = errno;
      file_bpf__destroy(skel_);
      throw Error(std::string("file sensor: cannot chain its program to the socket sensor's: ") + std::strerror(err));
    }
  }
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &FileSensor::on_record, this, nullptr);
  if (!ring_) {
    file_bpf__destroy(skel_);
    throw Error("file sensor: cannot open its ring buffer");
  }
  // The first components of the prefixes, for absolute names (file.bpf.c).
  const uint8_t one = 1;
  for (const std::string& prefix : watch) {
    const std::vector<std::string> parts = path_components(prefix);
    char top[ZAGENT_TOP_LEN] = {};  // all NULs: any
    if (!parts.empty() && parts[0] != "*") std::strncpy(top, parts[0].c_str(), sizeof top - 1);
    bpf_map_update_elem(bpf_map__fd(skel_->maps.watched_tops), top, &one, BPF_ANY);
  }
  refresh();
}

FileSensor::~FileSensor() {
  if (exit_chain_ >= 0) {
    const uint32_t key = 0;
    bpf_map_delete_elem(exit_chain_, &key);
  }
  ring_buffer__free(ring_);
  file_bpf__destroy(skel_);
}

int FileSensor::on_record(void* self, void* data, size_t size) {
  auto* sensor = static_cast<FileSensor*>(self);
  if (size < sizeof(zagent_file_event)) return 0;
  const auto& r = *static_cast<const zagent_file_event*>(data);
  if (r.action > ZAGENT_FILE_CHMOD) return 0;
  FileEvent e;
  e.action = static_cast<FileAction>(r.action);
  e.path = full_path(r.path);
  if (e.action == FileAction::Rename) e.new_path = full_path(r.new_path);
  // The kernel placed every other call by inode (bind mounts and symlinked
  // prefixes included, which a string comparison would miss).
  const bool placed = !absolute_name(r.path) && !(e.action == FileAction::Rename && absolute_name(r.new_path));
  if (!placed && !sensor->watched_.matches(e.path) && !sensor->watched_.matches(e.new_path)) return 0;
  e.pid = r.pid;
  e.start_boot_ns = r.start_boot_ns;
  e.uid = r.uid;
  e.comm = std::string(r.comm, strnlen(r.comm, sizeof r.comm));
  e.exe = sensor->exes_.exe_of(r.pid, r.start_boot_ns);
  e.mode = r.mode;
  sensor->sink_(r.boot_ns, std::move(e));
  return 0;
}

void FileSensor::refresh() {
  std::set<std::pair<uint64_t, uint32_t>> now;
  for (const std::string& prefix : prefixes_) {
    glob_t g{};
    if (::glob(prefix.c_str(), GLOB_NOSORT | GLOB_NOESCAPE, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc && now.size() < ZAGENT_WATCHED_DIRS; ++i) {
        struct stat st {};
        if (::stat(g.gl_pathv[i], &st) != 0) continue;
        // The kernel's dev_t: major in the top 12 bits, minor in the low 20.
        now.insert({st.st_ino, static_cast<uint32_t>(major(st.st_dev) << 20 | minor(st.st_dev))});
      }
    }
    ::globfree(&g);
  }
  if (now == watched_inodes_) return;
  const int map = bpf_map__fd(skel_->maps.watched_dirs);
  for (const auto& [ino, dev] : watched_inodes_) {
    if (now.count({ino, dev})) continue;
    const DirKey key{ino, dev, 0};
    bpf_map_delete_elem(map, &key);
  }
  const uint8_t one = 1;
  for (const auto& [ino, dev] : now) {
    const DirKey key{ino, dev, 0};
    bpf_map_update_elem(map, &key, &one, BPF_ANY);
  }
  watched_inodes_ = std::move(now);
}

void FileSensor::drain() { ring_buffer__consume(ring_); }

int FileSensor::epoll_fd() const { return ring_buffer__epoll_fd(ring_); }

uint64_t FileSensor::drops() const { return percpu_sum(skel_->maps.drops, 0); }

}  // namespace zagent
