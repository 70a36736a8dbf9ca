// The file sensor end to end: the real eBPF program, a real zagent run
// watching a temp dir, real file system calls by this process and by shell
// helpers, and the journal read back event by event.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/recorder_harness.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::RunningRecorder;
using testing::TempDir;
using testing::read_journal;
using testing::real;
using testing::run_child;
using testing::skip_reason;

std::vector<FileEvent> file_events_of(const std::vector<Event>& events, uint32_t pid) {
  std::vector<FileEvent> out;
  for (const Event& e : events) {
    if (const auto* f = std::get_if<FileEvent>(&e.body); f && f->pid == pid) out.push_back(*f);
  }
  return out;
}

FileEvent expected(FileAction action, const std::string& path, uint32_t mode, const std::string& new_path = "") {
  FileEvent f;
  f.action = action;
  f.path = path;
  f.new_path = new_path;
  f.mode = mode;
  return f;
}

TEST(FileSensor, CreateWriteRenameChmodAndUnlinkUnderAWatchedDirAreRecordedExactly) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  const std::string root = real(dir.path());
  const std::string watched = root + "/watched", other = root + "/other";
  ASSERT_EQ(::mkdir(watched.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((watched + "/sub").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(other.c_str(), 0755), 0);
  RunningRecorder recorder(root + "/journal", "--watch " + watched + " --watch " + root + "/not-there");
  ASSERT_TRUE(recorder.attached()) << recorder.output();

  ::umask(022);
  const int wd = ::open(watched.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(wd, 0);
  // create, then open for appending: two events
  int fd = ::openat(wd, "a.txt", O_CREAT | O_WRONLY | O_EXCL, 0664);
  ASSERT_GE(fd, 0);
  ::close(fd);
  fd = ::open((watched + "/a.txt").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ::close(fd);
  // not recorded: read-only opens, failed calls, paths outside the prefixes
  fd = ::open((watched + "/a.txt").c_str(), O_RDONLY);
  ::close(fd);
  EXPECT_NE(::unlink((watched + "/missing").c_str()), 0);
  fd = ::open((other + "/x.txt").c_str(), O_CREAT | O_WRONLY, 0600);
  ::close(fd);
  ASSERT_EQ(::unlink((other + "/x.txt").c_str()), 0);
  // a rename relative to a directory descriptor, with ".." to resolve
  ASSERT_EQ(::renameat(wd, "a.txt", wd, "sub/../b.txt"), 0);
  ASSERT_EQ(::chmod((watched + "/b.txt").c_str(), 0600), 0);
  fd = ::open((watched + "/b.txt").c_str(), O_RDONLY);
  ASSERT_EQ(::fchmod(fd, 0640), 0);
  ::close(fd);
  // moved out of the watched tree: recorded, its old path is watched
  ASSERT_EQ(::rename((watched + "/b.txt").c_str(), (other + "/b.txt").c_str()), 0);
  ASSERT_EQ(::rename((other + "/b.txt").c_str(), (watched + "/sub/c.txt").c_str()), 0);
  ASSERT_EQ(::unlinkat(wd, "sub/c.txt", 0), 0);
  ASSERT_EQ(::unlinkat(wd, "sub", AT_REMOVEDIR), 0);
  ::close(wd);

  // A shell in the watched dir: paths relative to its cwd; chmod and rm are
  // short-lived processes whose exe comes from their exec.
  const auto [sh, status] = run_child(watched, {"/bin/sh", "-c", "echo x > rel.txt; chmod 600 rel.txt; rm rel.txt"});
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(recorder.stop(), 0);

  const std::vector<Event> events = read_journal(root + "/journal");
  const uint32_t self = static_cast<uint32_t>(::getpid());
  const std::vector<FileEvent> want = {
      expected(FileAction::Create, watched + "/a.txt", 0644),
      expected(FileAction::WriteOpen, watched + "/a.txt", 0644),
      expected(FileAction::Rename, watched + "/a.txt", 0, watched + "/b.txt"),
      expected(FileAction::Chmod, watched + "/b.txt", 0600),
      expected(FileAction::Chmod, watched + "/b.txt", 0640),
      expected(FileAction::Rename, watched + "/b.txt", 0, other + "/b.txt"),
      expected(FileAction::Rename, other + "/b.txt", 0, watched + "/sub/c.txt"),
      expected(FileAction::Unlink, watched + "/sub/c.txt", 0),
      expected(FileAction::Unlink, watched + "/sub", 0),
  };
  std::vector<FileEvent> got = file_events_of(events, self);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(got[i].action, want[i].action);
    EXPECT_EQ(got[i].path, want[i].path);
    EXPECT_EQ(got[i].new_path, want[i].new_path);
    EXPECT_EQ(got[i].mode, want[i].mode);
    EXPECT_EQ(got[i].uid, 0u);
    EXPECT_EQ(got[i].exe, real("/proc/self/exe"));
    EXPECT_NE(got[i].start_boot_ns, 0u);
  }

  // The shell created rel.txt; chmod and rm, its children, did the rest.
  const std::vector<FileEvent> by_sh = file_events_of(events, static_cast<uint32_t>(sh));
  ASSERT_EQ(by_sh.size(), 1u);
  EXPECT_EQ(by_sh[0].action, FileAction::Create);
  EXPECT_EQ(by_sh[0].path, watched + "/rel.txt");
  EXPECT_EQ(by_sh[0].mode, 0644u);
  EXPECT_EQ(by_sh[0].exe, real("/bin/sh"));
  const FileEvent* chmod = nullptr;
  const FileEvent* rm = nullptr;
  for (const Event& e : events) {
    const auto* f = std::get_if<FileEvent>(&e.body);
    if (f && f->comm == "chmod" && f->path == watched + "/rel.txt") chmod = f;
    if (f && f->comm == "rm" && f->path == watched + "/rel.txt") rm = f;
  }
  ASSERT_NE(chmod, nullptr);
  ASSERT_NE(rm, nullptr);
  EXPECT_EQ(chmod->action, FileAction::Chmod);
  EXPECT_EQ(chmod->mode, 0600u);
  EXPECT_EQ(chmod->exe, real("/bin/chmod"));
  EXPECT_EQ(rm->action, FileAction::Unlink);
  EXPECT_EQ(rm->exe, real("/bin/rm"));

  // Nothing outside the prefixes.
  for (const Event& e : events) {
    if (const auto* f = std::get_if<FileEvent>(&e.body)) {
      EXPECT_TRUE(f->path.rfind(watched, 0) == 0 || f->new_path.rfind(watched, 0) == 0) << f->path;
    }
  }
}

// A "*" prefix watches directories that appear after the agent started,
// from its next refresh (every second) on; siblings that do not match stay
// unwatched.
TEST(FileSensor, WildcardPrefixesWatchDirectoriesCreatedLater) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  const std::string root = real(dir.path());
  ASSERT_EQ(::mkdir((root + "/home").c_str(), 0755), 0);
  RunningRecorder recorder(root + "/journal", "--watch " + root + "/home/*/.ssh");
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  for (const char* d : {"/home/alice", "/home/alice/.ssh", "/home/alice/other"}) {
    ASSERT_EQ(::mkdir((root + d).c_str(), 0700), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::string keys = root + "/home/alice/.ssh/authorized_keys";
  for (const std::string& path : {keys, root + "/home/alice/other/notes"}) {
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(recorder.stop(), 0);
  const std::vector<FileEvent> got = file_events_of(read_journal(root + "/journal"), ::getpid());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, FileAction::Create);
  EXPECT_EQ(got[0].path, keys);
  EXPECT_EQ(got[0].mode, 0600u);
}

}  // namespace
}  // namespace zagent
