// Starting a libbpf skeleton: open, configure (rodata, map sizes), load,
// attach, with the skeleton destroyed and an Error naming the sensor and
// the step on any failure. One place for what every sensor does.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

#include "journal/error.h"

namespace zagent {

template <typename Skel>
struct SkeletonOps {
  Skel* (*open)();
  int (*load)(Skel*);
  int (*attach)(Skel*);
  void (*destroy)(Skel*);
};

template <typename Skel, typename Configure>
Skel* start_skeleton(const std::string& sensor, const SkeletonOps<Skel>& ops, Configure configure) {
  Skel* skel = ops.open();
  if (!skel) throw Error(sensor + " sensor: cannot open the eBPF object: " + std::strerror(errno));
  configure(skel);
  if (int err = ops.load(skel); err != 0) {
    ops.destroy(skel);
    throw Error(sensor + " sensor: the kernel refused the eBPF programs (" + std::strerror(-err) +
                "): needs root (CAP_BPF and CAP_PERFMON) and a kernel with BTF (/sys/kernel/btf/vmlinux)");
  }
  if (int err = ops.attach(skel); err != 0) {
    ops.destroy(skel);
    throw Error(sensor + " sensor: cannot attach its programs: " + std::strerror(-err));
  }
  return skel;
}

}  // namespace zagent
