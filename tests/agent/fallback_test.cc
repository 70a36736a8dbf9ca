// `zagent run --sensor=fallback` end to end: without eBPF the proc connector
// records exec, fork and exit, sock_diag polling records sockets, and the
// journal states which sensors are degraded and why.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/recorder_harness.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::RunningRecorder;
using testing::TempDir;
using testing::find_for_pid;
using testing::read_journal;
using testing::real;
using testing::run_child;

TEST(Fallback, ProcConnectorAndSockDiagRecordWithDegradedRecords) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIP: not root";
  TempDir dir;
  const std::string cwd = real(dir.path());
  RunningRecorder recorder(dir / "journal", "--sensor fallback");
  ASSERT_TRUE(recorder.attached()) << recorder.output();

  // Long enough to be read from /proc before it ends.
  const auto [pid, status] = run_child(cwd, {"/bin/sh", "-c", "sleep 0.3; exit 3", "zagent-arg"});
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 3);
  // A TCP connection that lives across two polls (one a second).
  const int srv = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(::listen(srv, 1), 0);
  ::getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin_port);
  const int cli = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&a), len), 0);
  const int acc = ::accept4(srv, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(acc, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  ::close(cli);
  ::close(acc);
  ::close(srv);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(recorder.stop(), 0);

  const std::vector<Event> events = read_journal(dir / "journal");
  std::vector<std::string> degraded;
  for (const Event& e : events) {
    const auto* s = std::get_if<SensorEvent>(&e.body);
    if (s && s->action == SensorAction::SensorDegraded) {
      degraded.push_back(s->sensor);
      EXPECT_NE(s->message.find("--sensor=fallback"), std::string::npos) << s->message;
    }
  }
  EXPECT_EQ(degraded, (std::vector<std::string>{"process", "socket", "file"}));

  const uint32_t child = static_cast<uint32_t>(pid);
  const ProcessFork* fork = find_for_pid<ProcessFork>(events, child);
  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->ppid, static_cast<uint32_t>(::getpid()));
  const ProcessExec* exec = find_for_pid<ProcessExec>(events, child);
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->argv, (std::vector<std::string>{"/bin/sh", "-c", "sleep 0.3; exit 3", "zagent-arg"}));
  EXPECT_EQ(exec->exe, real("/bin/sh"));
  EXPECT_EQ(exec->cwd, cwd);
  EXPECT_EQ(exec->ppid, static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(exec->uid, 0u);
  EXPECT_EQ(exec->start_boot_ns, fork->start_boot_ns);
  const ProcessExit* exit = find_for_pid<ProcessExit>(events, child);
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->exit_code, 3);
  EXPECT_EQ(exit->signal, 0);
  EXPECT_EQ(exit->start_boot_ns, fork->start_boot_ns);
  EXPECT_GE(exit->duration_ns, 300'000'000);

  // Listen, connect, accept and both closes of the connection.
  const auto find = [&](SocketAction action, bool server_side) -> const SocketEvent* {
    for (const Event& e : events) {
      const auto* s = std::get_if<SocketEvent>(&e.body);
      if (!s || s->action != action || s->pid != static_cast<uint32_t>(::getpid())) continue;
      if ((server_side ? s->local_port : s->remote_port) == port) return s;
    }
    return nullptr;
  };
  EXPECT_NE(find(SocketAction::Listen, true), nullptr);
  EXPECT_NE(find(SocketAction::Connect, false), nullptr);
  EXPECT_NE(find(SocketAction::Accept, true), nullptr);
  EXPECT_NE(find(SocketAction::Close, false), nullptr);
  EXPECT_NE(find(SocketAction::Close, true), nullptr);
}

}  // namespace
}  // namespace zagent
