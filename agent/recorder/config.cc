#include "agent/recorder/config.h"

#include "agent/recorder/config_reader.h"

namespace zagent {

SensorMode parse_sensor_mode(const std::string& name) {
  if (name == "auto") return SensorMode::Auto;
  if (name == "ebpf") return SensorMode::Ebpf;
  if (name == "fallback") return SensorMode::Fallback;
  throw Error("unknown sensor mode '" + name + "' (auto, ebpf or fallback)");
}

void load_config(const std::string& path, RecorderOptions* o,
                 const std::function<void(ConfigReader&, const toml::table&)>& more) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw Error(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  ConfigReader r(path, root);
  WriterOptions& j = o->journal;
  r.string("journal", "dir", &j.dir);
  r.integer("journal", "block_bytes", &j.block_bytes, 1024, 64ll << 20);
  r.integer("journal", "block_events", &j.block_events, 1, 1 << 20);
  r.seconds("journal", "block_age_seconds", &j.block_age_ns);
  std::string fsync;
  r.string("journal", "fsync", &fsync);
  if (fsync == "every_block") {
    j.fsync = FsyncPolicy::EveryBlock;
  } else if (fsync == "interval") {
    j.fsync = FsyncPolicy::Interval;
  } else if (fsync == "never") {
    j.fsync = FsyncPolicy::Never;
  } else if (!fsync.empty()) {
    r.fail(*root.at_path("journal.fsync").node(), "journal.fsync must be \"every_block\", \"interval\" or \"never\"");
  }
  r.seconds("journal", "fsync_interval_seconds", &j.fsync_interval_ns);
  r.integer("journal", "rotate_bytes", &j.rotate_bytes, 4096, INT64_MAX);
  r.seconds("journal", "rotate_age_seconds", &j.rotate_age_ns);
  r.integer("journal", "retain_bytes", &j.retain_bytes, 0, INT64_MAX);
  r.seconds("journal", "retain_age_seconds", &j.retain_age_ns);
  r.integer("journal", "zstd_level", &j.zstd_level, 1, 19);
  std::string mode;
  r.string("sensors", "mode", &mode);
  if (!mode.empty()) {
    try {
      o->sensor = parse_sensor_mode(mode);
    } catch (const Error& e) {
      r.fail(*root.at_path("sensors.mode").node(), std::string("sensors.mode: ") + e.what());
    }
  }
  uint32_t ring_kib = o->ring_bytes / 1024;
  r.integer("sensors", "ring_kib", &ring_kib, 64, 1 << 20);
  if (ring_kib & (ring_kib - 1)) r.fail(*root.at_path("sensors.ring_kib").node(), "sensors.ring_kib must be a power of two");
  o->ring_bytes = ring_kib * 1024;
  r.integer("sensors", "exe_hash_max_bytes", &o->exe_hash_max_bytes, 0, INT64_MAX);
  r.string("sensors", "utmp_path", &o->utmp_path);
  r.string("sensors", "wtmp_path", &o->wtmp_path);
  r.strings("files", "watch", &o->watch);
  for (const std::string& prefix : o->watch) {
    if (prefix.empty() || prefix[0] != '/') {
      r.fail(*root.at_path("files.watch").node(), "files.watch: '" + prefix + "' is not an absolute path");
    }
  }
  r.string("query", "socket", &o->query_socket);
  int64_t cpu_ns = static_cast<int64_t>(o->query_limits.max_cpu_seconds * 1e9);
  r.seconds("query", "max_cpu_seconds", &cpu_ns);
  o->query_limits.max_cpu_seconds = static_cast<double>(cpu_ns) / 1e9;
  r.integer("query", "max_rows", &o->query_limits.max_rows, 0, INT64_MAX);
  r.integer("query", "max_memory_bytes", &o->query_limits.max_memory_bytes, 0, INT64_MAX);
  if (more) more(r, root);
  r.check_unknown();
}

}  // namespace zagent
