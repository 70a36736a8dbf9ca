// The processes that exist right now, from procfs: what starts every journal
// segment, so that a segment stands on its own.
//
// Precision: procfs gives a process's start in clock ticks since boot
// (usually 10 ms), where the eBPF sensor has ns; start_boot_ns of a snapshot
// is the tick rounded down, so joins on the process key compare start times
// at tick precision.
#pragma once

#include <vector>

#include "agent/sensors/exe_hasher.h"
#include "journal/event.h"

namespace zagent {

// Every process (not thread) but `skip_pid`; processes that exit while
// being read are left out.
std::vector<ProcessSnapshot> snapshot_processes(ExeHasher& hasher, uint32_t skip_pid);

}  // namespace zagent
