// The recorder's configuration: a TOML file (all keys optional; defaults that
// work with no file), then command-line flags on top. An unknown key or a
// value of the wrong type is an error naming the file, line and key, not a
// silent default.
//
//   [journal]
//   dir = "/var/lib/zagent/journal"
//   block_bytes = 524288          # flush a block at about this many bytes...
//   block_events = 8192           # ...or this many events...
//   block_age_seconds = 1.0       # ...or when its first event is this old
//   fsync = "interval"            # "every_block", "interval" or "never"
//   fsync_interval_seconds = 1.0
//   rotate_bytes = 67108864
//   rotate_age_seconds = 3600
//   retain_bytes = 1073741824     # 0: no limit
//   retain_age_seconds = 604800   # 0: no limit
//   zstd_level = 3
//
//   [sensors]
//   mode = "auto"                 # "auto", "ebpf" or "fallback" (sensor_set.h)
//   ring_kib = 8192               # per sensor, a power of two
//   exe_hash_max_bytes = 67108864 # larger executables are recorded as too_large
//   utmp_path = "/var/run/utmp"   # where the login sensor reads open sessions
//   wtmp_path = "/var/log/wtmp"   # ...and logins and logouts ("": utmp only)
//
//   [files]
//   watch = ["/etc", "/home/*/.ssh"]  # path prefixes the file sensor reports;
//                                     # "*" is any one component
//
//   [query]
//   socket = "/run/zagent/query.sock"  # for `zagent query --agent`; "": none
//   max_cpu_seconds = 10          # per query
//   max_rows = 100000             # per statement; 0: no cap
//   max_memory_bytes = 268435456  # SQLite's heap in the agent; 0: no bound
#pragma once

#include <functional>
#include <string>

#include "agent/recorder/config_reader.h"

#include "agent/recorder/recorder.h"

namespace zagent {

// Reads `path` into `options` (which holds the defaults), and hands the
// reader to `more` for the sections of other parts (agent/zeek's [zeek])
// before unknown keys are refused. Throws Error.
void load_config(const std::string& path, RecorderOptions* options,
                 const std::function<void(ConfigReader&, const toml::table&)>& more = {});

// "auto", "ebpf" or "fallback"; throws Error otherwise.
SensorMode parse_sensor_mode(const std::string& name);

}  // namespace zagent
