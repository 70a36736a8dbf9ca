// A process as /proc shows it, filled in as a ProcessExec: what the process
// snapshot records of every process and what the proc connector sensor adds
// to its bare pids. The ids are those the eBPF sensor reads (audit login
// uid and session), so that all sources agree.
#pragma once

#include <cstdint>
#include <string>

#include "agent/sensors/exe_hasher.h"
#include "journal/event.h"

namespace zagent {

// Fills `e` with what /proc/PID holds (leaving what cannot be read as it
// is); false when the process is gone.
bool read_proc_process(uint32_t pid, ExeHasher& hasher, ProcessExec* e);

// A whole (small) /proc file; "" when it cannot be read.
std::string read_proc_file(const std::string& path);

// The real and effective ids of a /proc/PID/status line such as
// "Uid:\t0\t0\t0\t0"; left as they are when the line is missing.
void proc_status_ids(const std::string& status, const std::string& key, uint32_t* real, uint32_t* effective);

}  // namespace zagent
