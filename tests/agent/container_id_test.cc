// Container ids: parsed from cgroup names as runtimes spell them, and
// recorded on the exec of a process placed in a container-like cgroup (v2
// unified and v1 memory hierarchies) by a real zagent run.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "agent/sensors/container_id.h"
#include "tests/support/recorder_harness.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::RunningRecorder;
using testing::TempDir;
using testing::read_journal;
using testing::skip_reason;

const std::string kId = "4f1c2a0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

TEST(ContainerId, IsTheLast64HexDigitRunOfACgroupName) {
  EXPECT_EQ(container_id_in("docker-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_in("cri-containerd-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_in("/kubepods/besteffort/pod1234/" + kId), kId);
  EXPECT_EQ(container_id_in("4:memory:/docker/" + kId), kId);
  EXPECT_EQ(container_id_in("user.slice/user-1000.slice/session-3.scope"), "");
  EXPECT_EQ(container_id_in(kId.substr(0, 63)), "");  // too short
  EXPECT_EQ(container_id_in(kId + "0"), "");          // too long
  EXPECT_EQ(container_id_in(""), "");
}

// Runs /bin/sh -c 'exit 7' inside the cgroup directory `cgroup`; its pid.
pid_t exec_in_cgroup(const std::string& cgroup) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::ofstream(cgroup + "/cgroup.procs") << ::getpid() << std::flush;
    ::execl("/bin/sh", "sh", "-c", "exit 7", nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7);
  return pid;
}

void expect_exec_in_container(const std::string& hierarchy, const std::string& leaf) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  const std::string cgroup = hierarchy + "/" + leaf;
  if (::mkdir(cgroup.c_str(), 0755) != 0) GTEST_SKIP() << "SKIP: cannot create the cgroup " << cgroup;
  TempDir dir;
  pid_t pid = 0;
  {
    RunningRecorder recorder(dir / "journal");
    ASSERT_TRUE(recorder.attached()) << recorder.output();
    pid = exec_in_cgroup(cgroup);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(recorder.stop(), 0);
  }
  ::rmdir(cgroup.c_str());
  const std::vector<Event> events = read_journal(dir / "journal");
  const ProcessExec* exec = testing::find_for_pid<ProcessExec>(events, static_cast<uint32_t>(pid));
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->argv, (std::vector<std::string>{"sh", "-c", "exit 7"}));
  EXPECT_EQ(exec->container_id, kId);
}

TEST(ContainerId, RecordedOnExecInAUnifiedHierarchyCgroup) {
  expect_exec_in_container("/sys/fs/cgroup/unified", "docker-" + kId + ".scope");
}

TEST(ContainerId, RecordedOnExecInAV1MemoryCgroup) {
  expect_exec_in_container("/sys/fs/cgroup/memory", kId);
}

TEST(ContainerId, EmptyForAProcessInNoContainer) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  pid_t pid = 0;
  {
    RunningRecorder recorder(dir / "journal");
    ASSERT_TRUE(recorder.attached()) << recorder.output();
    pid = testing::run_child(dir.path(), {"/bin/sh", "-c", "exit 7"}).first;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(recorder.stop(), 0);
  }
  const std::vector<Event> events = read_journal(dir / "journal");
  const ProcessExec* exec = testing::find_for_pid<ProcessExec>(events, static_cast<uint32_t>(pid));
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->container_id, "");
}

}  // namespace
}  // namespace zagent
