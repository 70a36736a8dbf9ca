// The proc connector sensor against real processes: fork, exec and exit of
// children with known argv, cwd and exit status, read back field by field.
// Needs root (the connector is CAP_NET_ADMIN only); without it the tests say
// SKIP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <utility>

#include "agent/sensors/container_id.h"
#include "agent/sensors/proc_connector_sensor.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::TempDir;

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? buf : "";
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

uint64_t boot_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint32_t pid_of(const EventBody& body) {
  return std::visit([](const auto& e) -> uint32_t {
    if constexpr (requires { e.pid; }) return e.pid;
    return 0;
  }, body);
}

// A running sensor and every event it gave, with its boot_ns.
class Recording {
 public:
  explicit Recording(uint32_t agent_tgid)
      : sensor_(agent_tgid, hasher_, [this](uint64_t boot_ns, EventBody body) {
          events_.emplace_back(boot_ns, std::move(body));
        }) {}

  // The first event of type T that `match` accepts, and its boot_ns;
  // nullptr if none.
  template <class T>
  std::pair<uint64_t, const T*> find_if(const std::function<bool(const T&)>& match) const {
    for (const auto& [boot_ns, body] : events_) {
      if (const T* e = std::get_if<T>(&body); e && match(*e)) return {boot_ns, e};
    }
    return {0, nullptr};
  }
  template <class T>
  std::pair<uint64_t, const T*> find(uint32_t pid) const {
    return find_if<T>([pid](const T& e) { return e.pid == pid; });
  }
  // Polls until `done` holds, at most 5 s.
  void until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) sensor_.poll(100);
  }
  void until_exit(uint32_t pid) {
    until([&] { return find<ProcessExit>(pid).second != nullptr; });
  }
  bool any_of_pid(uint32_t pid) const {
    for (const auto& event : events_) {
      if (pid_of(event.second) == pid) return true;
    }
    return false;
  }
  ProcConnectorSensor& sensor() { return sensor_; }

 private:
  ExeHasher hasher_;
  std::vector<std::pair<uint64_t, EventBody>> events_;
  ProcConnectorSensor sensor_;
};

class ProcConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIP: not root";
  }
};

TEST_F(ProcConnectorTest, ForkExecExitCarryTheirFields) {
  const auto self = static_cast<uint32_t>(::getpid());
  Recording rec(self);
  TempDir dir;
  const uint64_t before = boot_now();
  const pid_t child = ::fork();
  if (child == 0) {
    if (::chdir(dir.path().c_str()) == 0) ::execl("/bin/sh", "/bin/sh", "-c", "sleep 0.3; exit 3", nullptr);
    ::_exit(127);
  }
  ASSERT_GT(child, 0);
  const auto pid = static_cast<uint32_t>(child);
  rec.until_exit(pid);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3);
  const uint64_t after = boot_now();
  rec.sensor().drain();

  const auto [fork_ns, fork] = rec.find<ProcessFork>(pid);
  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->ppid, self);
  EXPECT_GT(fork->start_boot_ns, 0u);
  EXPECT_GT(fork->parent_start_boot_ns, 0u);
  EXPECT_EQ(fork->uid, ::getuid());
  EXPECT_EQ(fork->comm, first_line("/proc/self/comm"));  // the forking thread's
  EXPECT_GE(fork_ns, before);

  const auto [exec_ns, exec] = rec.find<ProcessExec>(pid);
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->ppid, self);
  EXPECT_EQ(exec->start_boot_ns, fork->start_boot_ns);
  EXPECT_EQ(exec->parent_start_boot_ns, fork->parent_start_boot_ns);
  EXPECT_EQ(exec->argv, (std::vector<std::string>{"/bin/sh", "-c", "sleep 0.3; exit 3"}));
  EXPECT_EQ(exec->exe, real_path("/bin/sh"));
  EXPECT_EQ(exec->cwd, real_path(dir.path()));
  EXPECT_EQ(exec->comm, "sh");
  EXPECT_EQ(exec->uid, ::getuid());
  EXPECT_EQ(exec->euid, ::geteuid());
  EXPECT_EQ(exec->gid, ::getgid());
  EXPECT_EQ(exec->egid, ::getegid());
  EXPECT_EQ(std::to_string(exec->login_uid), first_line("/proc/self/loginuid"));
  EXPECT_EQ(std::to_string(exec->session_id), first_line("/proc/self/sessionid"));
  EXPECT_EQ(exec->container_id, container_id_of_pid(self));
  EXPECT_EQ(exec->exe_hash_status, HashStatus::Ok);
  EXPECT_EQ(exec->exe_sha256.size(), 32u);
  EXPECT_GE(exec_ns, fork_ns);

  const auto [exit_ns, exit] = rec.find<ProcessExit>(pid);
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->exit_code, 3);
  EXPECT_EQ(exit->signal, 0);
  EXPECT_EQ(exit->comm, "sh");
  EXPECT_EQ(exit->start_boot_ns, fork->start_boot_ns);
  EXPECT_GE(exit->duration_ns, 300'000'000);  // the sleep
  EXPECT_EQ(exit->duration_ns, static_cast<int64_t>(exit_ns - exit->start_boot_ns));
  EXPECT_GE(exit_ns, exec_ns);
  EXPECT_LE(exit_ns, after);

  EXPECT_FALSE(rec.any_of_pid(self));
  EXPECT_EQ(rec.sensor().lost(), 0u);
}

TEST_F(ProcConnectorTest, KilledChildGivesItsSignal) {
  Recording rec(static_cast<uint32_t>(::getpid()));
  const pid_t child = ::fork();
  if (child == 0) {
    for (;;) ::pause();
  }
  ASSERT_GT(child, 0);
  const auto pid = static_cast<uint32_t>(child);
  // Seen alive first, so that its start is read from /proc.
  rec.until([&] { return rec.find<ProcessFork>(pid).second != nullptr; });
  ::kill(child, SIGKILL);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  rec.until_exit(pid);

  const auto [fork_ns, fork] = rec.find<ProcessFork>(pid);
  const auto [exit_ns, exit] = rec.find<ProcessExit>(pid);
  ASSERT_NE(fork, nullptr);
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->signal, 9);
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(exit->comm, fork->comm);
  EXPECT_EQ(exit->start_boot_ns, fork->start_boot_ns);
  EXPECT_GT(exit->duration_ns, 0);
  EXPECT_GE(exit_ns, fork_ns);
}

// The agent's own exec and exit are left out; what it starts is not.
TEST_F(ProcConnectorTest, SkipsTheAgentsOwnEvents) {
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  const pid_t agent = ::fork();
  if (agent == 0) {
    ::close(go[1]);
    char c;
    if (::read(go[0], &c, 1) == 1) ::execl("/bin/sh", "/bin/sh", "-c", "/bin/true; exit 5", nullptr);
    ::_exit(127);
  }
  ASSERT_GT(agent, 0);
  ::close(go[0]);
  Recording rec(static_cast<uint32_t>(agent));
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(agent, &status, 0), agent);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 5);
  // Its exit was queued before waitpid returned.
  rec.sensor().drain();

  EXPECT_FALSE(rec.any_of_pid(static_cast<uint32_t>(agent)));
  // /bin/true, forked by the agent's sh. Gone before the sensor read /proc:
  // its events are there all the same.
  const auto [fork_ns, fork] =
      rec.find_if<ProcessFork>([&](const ProcessFork& e) { return e.ppid == static_cast<uint32_t>(agent); });
  ASSERT_NE(fork, nullptr);
  EXPECT_NE(rec.find<ProcessExec>(fork->pid).second, nullptr);
  const auto [exit_ns, exit] = rec.find<ProcessExit>(fork->pid);
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(exit->signal, 0);
}

}  // namespace
}  // namespace zagent
