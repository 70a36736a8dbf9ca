// The recorder's TOML configuration: values land where they should, and every
// mistake is an error naming the file, the line and the key.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/recorder/config.h"
#include "journal/error.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

std::string write_config(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir / "zagent.toml";
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path) {
  RecorderOptions o;
  try {
    load_config(path, &o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EveryKeyLandsInTheOptions) {
  testing::TempDir dir;
  const std::string path = write_config(dir, R"(
[journal]
dir = "/srv/journal"
block_bytes = 65536
block_events = 100
block_age_seconds = 0.25
fsync = "every_block"
fsync_interval_seconds = 2
rotate_bytes = 1048576
rotate_age_seconds = 60
retain_bytes = 0
retain_age_seconds = 86400
zstd_level = 6

[sensors]
mode = "fallback"
ring_kib = 1024
exe_hash_max_bytes = 1000
utmp_path = "/srv/utmp"
wtmp_path = ""

[files]
watch = ["/srv/www", "/home/*/.config"]

[query]
socket = "/srv/zagent.sock"
max_cpu_seconds = 2.5
max_rows = 500
max_memory_bytes = 1048576
)");
  RecorderOptions o;
  load_config(path, &o);
  EXPECT_EQ(o.journal.dir, "/srv/journal");
  EXPECT_EQ(o.journal.block_bytes, 65536u);
  EXPECT_EQ(o.journal.block_events, 100u);
  EXPECT_EQ(o.journal.block_age_ns, 250'000'000);
  EXPECT_EQ(o.journal.fsync, FsyncPolicy::EveryBlock);
  EXPECT_EQ(o.journal.fsync_interval_ns, 2'000'000'000);
  EXPECT_EQ(o.journal.rotate_bytes, 1048576u);
  EXPECT_EQ(o.journal.rotate_age_ns, 60'000'000'000);
  EXPECT_EQ(o.journal.retain_bytes, 0u);
  EXPECT_EQ(o.journal.retain_age_ns, 86'400'000'000'000);
  EXPECT_EQ(o.journal.zstd_level, 6);
  EXPECT_EQ(o.ring_bytes, 1024u * 1024);
  EXPECT_EQ(o.exe_hash_max_bytes, 1000u);
  EXPECT_EQ(o.sensor, SensorMode::Fallback);
  EXPECT_EQ(o.utmp_path, "/srv/utmp");
  EXPECT_EQ(o.wtmp_path, "");
  EXPECT_EQ(o.watch, (std::vector<std::string>{"/srv/www", "/home/*/.config"}));
  EXPECT_EQ(o.query_socket, "/srv/zagent.sock");
  EXPECT_EQ(o.query_limits.max_cpu_seconds, 2.5);
  EXPECT_EQ(o.query_limits.max_rows, 500u);
  EXPECT_EQ(o.query_limits.max_memory_bytes, 1048576);
}

TEST(Config, AnEmptyFileKeepsTheDefaults) {
  testing::TempDir dir;
  RecorderOptions o;
  load_config(write_config(dir, "# nothing\n"), &o);
  const RecorderOptions defaults;
  EXPECT_EQ(o.journal.block_bytes, defaults.journal.block_bytes);
  EXPECT_EQ(o.journal.fsync, FsyncPolicy::Interval);
  EXPECT_EQ(o.ring_bytes, defaults.ring_bytes);
  EXPECT_EQ(o.sensor, SensorMode::Auto);
  EXPECT_EQ(o.watch, WatchedPaths::defaults());
  EXPECT_EQ(o.wtmp_path, "/var/log/wtmp");
  EXPECT_EQ(o.query_socket, "/run/zagent/query.sock");
  EXPECT_EQ(o.query_limits.max_cpu_seconds, 10);
  EXPECT_EQ(o.query_limits.max_rows, 100000u);
  EXPECT_EQ(o.query_limits.max_memory_bytes, 256 << 20);
}

TEST(Config, MistakesNameTheFileLineAndKey) {
  testing::TempDir dir;
  const std::string base = dir / "zagent.toml";
  EXPECT_EQ(error_of(write_config(dir, "[journal]\nblok_bytes = 5\n")), base + ":2: unknown key 'journal.blok_bytes'");
  EXPECT_EQ(error_of(write_config(dir, "[journal]\n\nblock_bytes = \"big\"\n")),
            base + ":3: journal.block_bytes must be an integer");
  EXPECT_EQ(error_of(write_config(dir, "[journal]\nfsync = \"sometimes\"\n")),
            base + ":2: journal.fsync must be \"every_block\", \"interval\" or \"never\"");
  EXPECT_EQ(error_of(write_config(dir, "[sensors]\nring_kib = 1000\n")),
            base + ":2: sensors.ring_kib must be a power of two");
  EXPECT_EQ(error_of(write_config(dir, "[journal]\nzstd_level = 40\n")),
            base + ":2: journal.zstd_level must be between 1 and 19");
  EXPECT_EQ(error_of(write_config(dir, "[journl]\ndir = \"x\"\n")), base + ":1: unknown section or key 'journl'");
  EXPECT_EQ(error_of(write_config(dir, "[sensors]\nmode = \"kprobe\"\n")),
            base + ":2: sensors.mode: unknown sensor mode 'kprobe' (auto, ebpf or fallback)");
  EXPECT_EQ(error_of(write_config(dir, "[files]\nwatch = \"/etc\"\n")),
            base + ":2: files.watch must be an array of strings");
  EXPECT_EQ(error_of(write_config(dir, "[files]\nwatch = [\"/etc\", 3]\n")),
            base + ":2: files.watch must be an array of strings");
  EXPECT_EQ(error_of(write_config(dir, "[files]\nwatch = [\"etc\"]\n")),
            base + ":2: files.watch: 'etc' is not an absolute path");
  EXPECT_NE(error_of(write_config(dir, "[journal\n")).find(base + ":1: "), std::string::npos);
  EXPECT_NE(error_of(dir / "missing.toml").find(dir / "missing.toml"), std::string::npos);
}

}  // namespace
}  // namespace zagent
