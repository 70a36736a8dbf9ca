// How the sensors turn what the kernel hands over into paths, and which
// paths the file sensor keeps: pure functions, tested without a kernel.
#include <gtest/gtest.h>

#include "agent/sensors/kernel_path.h"
#include "agent/sensors/watched_paths.h"
#include "agent/bpf/path.h"

namespace zagent {
namespace {

TEST(KernelPath, ComponentsComeLastFirst) {
  const char walked[] = "sh\0bin\0usr\0";
  EXPECT_EQ(kernel_path(walked, sizeof walked - 1), "/usr/bin/sh");
  EXPECT_EQ(kernel_path("", 0), "");  // not known
  const char root[] = "\0";
  EXPECT_EQ(kernel_path(root, 1), "/");
  // A walk cut at the limit is marked.
  std::string long_walk;
  while (long_walk.size() < ZAGENT_PATH_LIMIT) long_walk += std::string("component") + '\0';
  EXPECT_EQ(kernel_path(long_walk.data(), ZAGENT_PATH_LIMIT).rfind("...", 0), 0u);
}

TEST(CallerPath, NamesAreJoinedToTheirDirectoryAndNormalised) {
  EXPECT_EQ(caller_path("/srv/www", "index.html"), "/srv/www/index.html");
  EXPECT_EQ(caller_path("/srv/www", "/etc/passwd"), "/etc/passwd");  // absolute: the directory does not count
  EXPECT_EQ(caller_path("/srv/www", "sub/../x"), "/srv/www/x");
  EXPECT_EQ(caller_path("/srv/www", "./a//b/"), "/srv/www/a/b");
  EXPECT_EQ(caller_path("/", "../../etc"), "/etc");  // ".." stops at the root
  EXPECT_EQ(caller_path("/srv/www", ""), "/srv/www");  // a call on a descriptor: the file itself
  EXPECT_EQ(caller_path("", "relative"), "relative");  // the directory was not known
}

TEST(WatchedPaths, PrefixesMatchWholeComponentsAndStarsOneComponent) {
  const WatchedPaths w({"/etc", "/home/*/.ssh", "/srv/app/config.toml"});
  EXPECT_TRUE(w.matches("/etc"));
  EXPECT_TRUE(w.matches("/etc/passwd"));
  EXPECT_TRUE(w.matches("/etc/ssh/sshd_config"));
  EXPECT_FALSE(w.matches("/etcetera/passwd"));
  EXPECT_TRUE(w.matches("/home/alice/.ssh/authorized_keys"));
  EXPECT_FALSE(w.matches("/home/alice/.sshx/authorized_keys"));
  EXPECT_FALSE(w.matches("/home/.ssh"));
  EXPECT_FALSE(w.matches("/home/alice/projects/.ssh"));
  EXPECT_TRUE(w.matches("/srv/app/config.toml"));
  EXPECT_FALSE(w.matches("/srv/app/other.toml"));
  EXPECT_FALSE(w.matches("etc/passwd"));  // not absolute
  EXPECT_FALSE(w.matches(""));
  EXPECT_TRUE(WatchedPaths({"/"}).matches("/anything/at/all"));
}

TEST(WatchedPaths, DefaultsCoverConfigurationBinariesAndSshKeys) {
  const WatchedPaths w(WatchedPaths::defaults());
  for (const char* p : {"/etc/shadow", "/usr/bin/ls", "/usr/sbin/sshd", "/root/.ssh/authorized_keys",
                        "/home/bob/.ssh/id_ed25519", "/var/spool/cron/crontabs/root", "/boot/vmlinuz"}) {
    EXPECT_TRUE(w.matches(p)) << p;
  }
  for (const char* p : {"/tmp/x", "/var/log/syslog", "/home/bob/notes.txt"}) EXPECT_FALSE(w.matches(p)) << p;
}

}  // namespace
}  // namespace zagent
