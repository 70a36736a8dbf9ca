// The recorder end to end: the real eBPF programs, a real zagent run, real
// fork/exec/exit of helpers with known argv, cwd and exit status, and the
// journal read back field by field. Needs root and a kernel with BTF; where
// those are missing the tests say SKIP.
#include <gtest/gtest.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <utmp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "journal/hash_chain.h"
#include "journal/journal_reader.h"
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
using testing::skip_reason;

std::string sha256_of(const std::string& path) {
  const auto r = testing::run_command("sha256sum " + path);
  return r.out.substr(0, 64);
}

TEST(Recorder, ExecForkAndExitOfAHelperAreRecordedExactly) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  const std::string work = dir / "work";
  ASSERT_EQ(::mkdir(work.c_str(), 0755), 0);
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();

  const std::vector<std::string> argv = {"/bin/sh", "-c", "exit 3", "zagent-test-marker", std::string("\xff-bytes")};
  const auto [pid, status] = run_child(work, argv);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 3);
  const auto [killed_pid, killed_status] = run_child(work, {"/bin/sleep", "30"}, SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(killed_status));
  EXPECT_EQ(recorder.stop(), 0);

  const std::vector<Event> events = read_journal(dir / "journal");
  const ProcessFork* fork = find_for_pid<ProcessFork>(events, static_cast<uint32_t>(pid));
  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->ppid, static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(fork->uid, 0u);

  const ProcessExec* exec = find_for_pid<ProcessExec>(events, static_cast<uint32_t>(pid));
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->argv, argv);
  EXPECT_FALSE(exec->argv_truncated);
  EXPECT_EQ(exec->exe, real("/bin/sh"));
  EXPECT_EQ(exec->cwd, real(work));
  EXPECT_EQ(exec->comm, "sh");
  EXPECT_EQ(exec->ppid, static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(exec->uid, 0u);
  EXPECT_EQ(exec->euid, 0u);
  EXPECT_EQ(exec->gid, 0u);
  EXPECT_EQ(exec->start_boot_ns, fork->start_boot_ns);
  EXPECT_EQ(exec->exe_hash_status, HashStatus::Ok);
  EXPECT_EQ(to_hex({reinterpret_cast<const uint8_t*>(exec->exe_sha256.data()), exec->exe_sha256.size()}),
            sha256_of(real("/bin/sh")));

  const ProcessExit* exit = find_for_pid<ProcessExit>(events, static_cast<uint32_t>(pid));
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->exit_code, 3);
  EXPECT_EQ(exit->signal, 0);
  EXPECT_EQ(exit->start_boot_ns, exec->start_boot_ns);
  EXPECT_GT(exit->duration_ns, 0);
  EXPECT_LT(exit->duration_ns, 10'000'000'000);

  const ProcessExit* killed = find_for_pid<ProcessExit>(events, static_cast<uint32_t>(killed_pid));
  ASSERT_NE(killed, nullptr);
  EXPECT_EQ(killed->signal, SIGKILL);
  EXPECT_EQ(killed->exit_code, 0);
  EXPECT_GE(killed->duration_ns, 150'000'000);  // it ran until the kill, 200 ms after fork

  // The agent's own process is left out; its health is in.
  EXPECT_EQ(find_for_pid<ProcessExec>(events, static_cast<uint32_t>(recorder.pid())), nullptr);
  std::vector<std::string> health;
  for (const Event& e : events) {
    if (const auto* s = std::get_if<SensorEvent>(&e.body)) {
      health.push_back(s->action == SensorAction::SensorAttached ? "attached " + s->sensor
                       : s->action == SensorAction::AgentStart   ? "start"
                       : s->action == SensorAction::AgentStop    ? "stop"
                                                                 : "other " + s->sensor);
    }
  }
  EXPECT_EQ(health, (std::vector<std::string>{"start", "attached process", "attached socket", "attached file",
                                              "attached login", "stop"}));

  // The segment opens with a snapshot of the processes that existed, this
  // test among them, exactly as procfs has it.
  const ProcessSnapshot* self = find_for_pid<ProcessSnapshot>(events, static_cast<uint32_t>(::getpid()));
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->ppid, static_cast<uint32_t>(::getppid()));
  EXPECT_EQ(self->exe, real("/proc/self/exe"));
  EXPECT_EQ(self->cwd, real("."));
  const std::string cmdline = [] {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  ASSERT_FALSE(self->argv.empty());
  EXPECT_EQ(self->argv[0], cmdline.substr(0, cmdline.find('\0')));
  EXPECT_EQ(self->uid, 0u);
  EXPECT_EQ(self->exe_hash_status, HashStatus::Ok);
  EXPECT_EQ(find_for_pid<ProcessSnapshot>(events, static_cast<uint32_t>(recorder.pid())), nullptr);
  // The helper's exit joins its exec on the process key at tick precision too.
  EXPECT_EQ(exit->start_boot_ns / 10'000'000, exec->start_boot_ns / 10'000'000);
  // Events are in journal order with wall-clock times around now.
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  for (const Event& e : events) {
    EXPECT_LT(std::llabs(now - e.ts), 120'000'000'000ll) << e.seq;
  }
}

TEST(Recorder, ExecOnATerminalRecordsItsTty) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  // script(1) runs the command on a new pseudo-terminal.
  ASSERT_EQ(testing::run_command("script -q -c '/bin/true zagent-tty-marker' /dev/null >/dev/null").status, 0);
  EXPECT_EQ(recorder.stop(), 0);
  bool found = false;
  for (const Event& e : read_journal(dir / "journal")) {
    const auto* x = std::get_if<ProcessExec>(&e.body);
    if (!x || x->argv != std::vector<std::string>{"/bin/true", "zagent-tty-marker"}) continue;
    found = true;
    EXPECT_EQ(x->tty.rfind("pts/", 0), 0u) << x->tty;  // spelled as utmp spells it, to join logins
    EXPECT_GT(x->tty.size(), 4u) << x->tty;
  }
  EXPECT_TRUE(found);
}

TEST(Recorder, SighupRotatesAndEachSegmentStartsWithASnapshotOfProcessesAndSockets) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  // A listener that exists before the agent: each segment must name it.
  const int listener = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin6_port);
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  ::kill(recorder.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(recorder.stop(), 0);
  ::close(listener);
  ASSERT_EQ(JournalReader::list_segments(dir / "journal").size(), 2u);
  std::vector<uint64_t> segments_with_self_snapshot, segments_with_listener;
  uint64_t segment = 0;
  JournalReader reader({dir / "journal"}, ReadOptions{}, [](const Damage& d) { ADD_FAILURE() << d.to_string(); });
  reader.on_segment([&](const std::string&, const ScannedSegment& s) { segment = s.header.segment_index; });
  ReadBlock block;
  const uint32_t self = static_cast<uint32_t>(::getpid());
  while (reader.next_block(&block)) {
    for (const Event& e : block.events) {
      const auto* p = std::get_if<ProcessSnapshot>(&e.body);
      if (p && p->pid == self) segments_with_self_snapshot.push_back(segment);
      const auto* s = std::get_if<SocketEvent>(&e.body);
      if (s && s->action == SocketAction::Existing && s->local_port == port) {
        segments_with_listener.push_back(segment);
        EXPECT_EQ(s->protocol, Protocol::Tcp);
        EXPECT_EQ(s->pid, self);
        EXPECT_EQ(s->uid, 0u);
        EXPECT_EQ(s->exe, real("/proc/self/exe"));
        EXPECT_EQ(s->local_addr, IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        EXPECT_EQ(s->remote_port, 0);
      }
    }
  }
  EXPECT_EQ(segments_with_self_snapshot, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(segments_with_listener, (std::vector<uint64_t>{1, 2}));
}

TEST(Recorder, SigkillLosesAtMostTheLastSecondAndTheJournalVerifies) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  pid_t helper = 0;
  {
    RunningRecorder recorder(dir / "journal");
    ASSERT_TRUE(recorder.attached()) << recorder.output();
    helper = run_child("/", {"/bin/true", "before-the-kill"}).first;
    // The block age bound is 1 s: after 1.5 s the helper's events are on disk.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(recorder.pid(), SIGKILL);
    EXPECT_EQ(recorder.stop(), 128 + SIGKILL);
  }
  const auto v = testing::run_command(std::string(ZAGENT_BINARY) + " verify " + dir / "journal");
  EXPECT_EQ(v.status, 0) << v.out;
  const std::vector<Event> events = read_journal(dir / "journal");
  const ProcessExec* exec = find_for_pid<ProcessExec>(events, static_cast<uint32_t>(helper));
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->argv, (std::vector<std::string>{"/bin/true", "before-the-kill"}));
  ASSERT_NE(find_for_pid<ProcessExit>(events, static_cast<uint32_t>(helper)), nullptr);

  // The next run recovers: a new segment that says so.
  {
    RunningRecorder again(dir / "journal");
    ASSERT_TRUE(again.attached()) << again.output();
    EXPECT_EQ(again.stop(), 0);
  }
  bool recovered = false;
  for (const Event& e : read_journal(dir / "journal")) {
    const auto* s = std::get_if<SensorEvent>(&e.body);
    recovered |= s && s->action == SensorAction::JournalRecovered;
  }
  EXPECT_TRUE(recovered);
}

TEST(Recorder, LostEventsAreCountedWhenTheRingBufferOverflows) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  constexpr int kExecs = 300;
  RunningRecorder recorder(dir / "journal", "--ring-kib 64");  // room for about 25 records
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  // The recorder is stopped while the storm runs, so the ring buffer fills
  // for certain; then it drains what fit and reports the rest lost.
  ::kill(recorder.pid(), SIGSTOP);
  const auto storm = testing::run_command("for i in $(seq " + std::to_string(kExecs) +
                                          "); do /bin/true zagent-storm; done");
  ::kill(recorder.pid(), SIGCONT);
  ASSERT_EQ(storm.status, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the next drop report
  EXPECT_EQ(recorder.stop(), 0);

  uint64_t recorded = 0, lost = 0;
  for (const Event& e : read_journal(dir / "journal")) {
    if (const auto* x = std::get_if<ProcessExec>(&e.body); x && x->argv.size() == 2 && x->argv[1] == "zagent-storm") {
      ++recorded;
    }
    if (const auto* s = std::get_if<SensorEvent>(&e.body); s && s->action == SensorAction::EventsLost) {
      for (const Counter& c : s->counters) {
        if (c.name == "process_exec") lost += c.value;
      }
    }
  }
  // Tolerance: the lost count may include execs of other processes on the
  // host during the storm, so recorded + lost may exceed the storm, never
  // fall short of it.
  EXPECT_GT(lost, 0u);
  EXPECT_LE(recorded, static_cast<uint64_t>(kExecs));
  EXPECT_GE(recorded + lost, static_cast<uint64_t>(kExecs));
  std::printf("storm of %d execs: %llu recorded, %llu counted lost\n", kExecs, static_cast<unsigned long long>(recorded),
              static_cast<unsigned long long>(lost));
}

// The local port of a socket, IPv4 or IPv6 (0 when it has none).
uint16_t local_port(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&a)->sin_port
                                      : reinterpret_cast<const sockaddr_in6*>(&a)->sin6_port);
}

// A TCP exchange with known ports and byte counts, between two sockets of
// this process, over 127.0.0.1 or ::1.
struct Exchange {
  uint16_t client_port = 0;
};

Exchange tcp_exchange(int family, uint16_t server_port, size_t client_bytes, size_t server_bytes) {
  Exchange x;
  const int srv = ::socket(family, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(server_port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(server_port);
    a->sin6_addr = in6addr_loopback;
    len = sizeof(sockaddr_in6);
  }
  EXPECT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&ss), len), 0);
  EXPECT_EQ(::listen(srv, 4), 0);
  const int cli = ::socket(family, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&ss), len), 0);
  const int acc = ::accept(srv, nullptr, nullptr);
  EXPECT_GE(acc, 0);
  x.client_port = local_port(cli);
  const std::string out(client_bytes, 'c'), back(server_bytes, 's');
  std::string buf(std::max(client_bytes, server_bytes), '\0');
  EXPECT_EQ(::send(cli, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
  EXPECT_EQ(::recv(acc, buf.data(), client_bytes, MSG_WAITALL), static_cast<ssize_t>(client_bytes));
  EXPECT_EQ(::send(acc, back.data(), back.size(), 0), static_cast<ssize_t>(back.size()));
  EXPECT_EQ(::recv(cli, buf.data(), server_bytes, MSG_WAITALL), static_cast<ssize_t>(server_bytes));
  ::close(cli);
  ::close(acc);
  ::close(srv);
  return x;
}

const SocketEvent* find_socket(const std::vector<Event>& events, SocketAction action, uint16_t local_port,
                               uint16_t remote_port) {
  for (const Event& e : events) {
    const auto* s = std::get_if<SocketEvent>(&e.body);
    if (s && s->action == action && s->local_port == local_port && s->remote_port == remote_port) return s;
  }
  return nullptr;
}

TEST(Recorder, TcpConnectAcceptListenAndCloseWithBytesOverIpv4AndIpv6) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  const Exchange v4 = tcp_exchange(AF_INET, 47011, 1000, 300);
  const Exchange v6 = tcp_exchange(AF_INET6, 47012, 4321, 17);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the closes run after close() returns
  EXPECT_EQ(recorder.stop(), 0);
  const std::vector<Event> events = read_journal(dir / "journal");
  const uint32_t self = static_cast<uint32_t>(::getpid());

  struct Case {
    const char* name;
    Exchange x;
    uint16_t server_port;
    IpAddress loopback;
    uint64_t client_bytes, server_bytes;
  };
  const IpAddress v6_loopback = IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  for (const Case& c : {Case{"ipv4", v4, 47011, IpAddress::v4(0x7f000001), 1000, 300},
                        Case{"ipv6", v6, 47012, v6_loopback, 4321, 17}}) {
    SCOPED_TRACE(c.name);
    const SocketEvent* listen = find_socket(events, SocketAction::Listen, c.server_port, 0);
    const SocketEvent* connect = find_socket(events, SocketAction::Connect, c.x.client_port, c.server_port);
    const SocketEvent* accept = find_socket(events, SocketAction::Accept, c.server_port, c.x.client_port);
    const SocketEvent* client_close = find_socket(events, SocketAction::Close, c.x.client_port, c.server_port);
    const SocketEvent* server_close = find_socket(events, SocketAction::Close, c.server_port, c.x.client_port);
    ASSERT_NE(listen, nullptr);
    ASSERT_NE(connect, nullptr);
    ASSERT_NE(accept, nullptr);
    ASSERT_NE(client_close, nullptr);
    ASSERT_NE(server_close, nullptr);
    for (const SocketEvent* s : {listen, connect, accept, client_close, server_close}) {
      EXPECT_EQ(s->pid, self);
      EXPECT_EQ(s->uid, 0u);
      EXPECT_EQ(s->protocol, Protocol::Tcp);
      EXPECT_EQ(s->exe, real("/proc/self/exe"));
      EXPECT_EQ(s->local_addr, c.loopback);
    }
    EXPECT_EQ(connect->remote_addr, c.loopback);
    EXPECT_EQ(accept->remote_addr, c.loopback);
    EXPECT_EQ(client_close->bytes_sent, c.client_bytes);
    EXPECT_EQ(client_close->bytes_received, c.server_bytes);
    EXPECT_EQ(server_close->bytes_sent, c.server_bytes);
    EXPECT_EQ(server_close->bytes_received, c.client_bytes);
  }
}

// A connect to a port nobody listens on, over 127.0.0.1 or ::1: refused.
// Returns the local port the kernel chose (a refused socket keeps it) and
// the port that refused.
std::pair<uint16_t, uint16_t> refused_connect(int family) {
  sockaddr_storage ss{};
  socklen_t len = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  ss.ss_family = static_cast<sa_family_t>(family);
  if (family == AF_INET) reinterpret_cast<sockaddr_in*>(&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  else reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr = in6addr_loopback;
  // A port that was free a moment ago: bound, then closed without listening.
  const int probe = ::socket(family, SOCK_STREAM, 0);
  EXPECT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&ss), len), 0);
  const uint16_t target = local_port(probe);
  ::close(probe);
  if (family == AF_INET) reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(target);
  else reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(target);
  const int cli = ::socket(family, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&ss), len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  const uint16_t local = local_port(cli);
  ::close(cli);
  return {local, target};
}

// A connect that times out, over 127.0.0.1: its SYNs go unanswered because
// the listener's accept queue is full (backlog 0, one connection waiting),
// and TCP_SYNCNT 1 gives up after about 3 s. Returns the local port the
// kernel chose and the listener's port.
std::pair<uint16_t, uint16_t> timed_out_connect() {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const int srv = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), len), 0);
  EXPECT_EQ(::listen(srv, 0), 0);
  ::getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len);
  const int waiting = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(waiting, reinterpret_cast<sockaddr*>(&a), len), 0);
  const int cli = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(cli, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof one);
  EXPECT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  const uint16_t local = local_port(cli);
  ::close(cli);
  ::close(waiting);
  ::close(srv);
  return {local, ntohs(a.sin_port)};
}

// A refused connect is recorded as a close with its whole 5-tuple (taken at
// the reset, before the kernel releases the local address and port), so
// that it matches the rejected connection of a packet capture; so is one
// that timed out.
TEST(Recorder, RefusedOrTimedOutTcpConnectIsAClosedSocketWithItsWholeTuple) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  const auto [v4_local, v4_target] = refused_connect(AF_INET);
  const auto [v6_local, v6_target] = refused_connect(AF_INET6);
  const auto [late_local, late_target] = timed_out_connect();
  ASSERT_NE(v4_local, 0);
  ASSERT_NE(v6_local, 0);
  ASSERT_NE(late_local, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(recorder.stop(), 0);
  const std::vector<Event> events = read_journal(dir / "journal");
  const IpAddress v6_loopback = IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  struct Case {
    const char* name;
    uint16_t local, target;
    IpAddress loopback;
  };
  for (const Case& c : {Case{"ipv4", v4_local, v4_target, IpAddress::v4(0x7f000001)},
                        Case{"ipv6", v6_local, v6_target, v6_loopback},
                        Case{"timed out", late_local, late_target, IpAddress::v4(0x7f000001)}}) {
    SCOPED_TRACE(c.name);
    const SocketEvent* close = find_socket(events, SocketAction::Close, c.local, c.target);
    ASSERT_NE(close, nullptr);
    EXPECT_EQ(close->pid, static_cast<uint32_t>(::getpid()));
    EXPECT_EQ(close->protocol, Protocol::Tcp);
    EXPECT_EQ(close->exe, real("/proc/self/exe"));
    EXPECT_EQ(close->local_addr, c.loopback);
    EXPECT_EQ(close->remote_addr, c.loopback);
    EXPECT_EQ(close->bytes_sent, 0u);
    EXPECT_EQ(close->bytes_received, 0u);
    EXPECT_EQ(find_socket(events, SocketAction::Connect, c.local, c.target), nullptr) << "it never connected";
    int closes = 0;
    for (const Event& e : events) {
      const auto* s = std::get_if<SocketEvent>(&e.body);
      closes += s && s->action == SocketAction::Close && s->local_port == c.local;
    }
    EXPECT_EQ(closes, 1) << "one close";
  }
}

utmp login_record(short type, const char* line, const char* user, const char* host, uint32_t addr_host_order,
                   pid_t pid, int64_t sec) {
  utmp u{};
  u.ut_type = type;
  u.ut_pid = pid;
  std::strncpy(u.ut_line, line, sizeof u.ut_line);
  std::strncpy(u.ut_id, line + std::strlen(line) - 2, sizeof u.ut_id);
  std::strncpy(u.ut_user, user, sizeof u.ut_user);
  std::strncpy(u.ut_host, host, sizeof u.ut_host);
  u.ut_addr_v6[0] = static_cast<int32_t>(htonl(addr_host_order));
  u.ut_tv.tv_sec = static_cast<int32_t>(sec);
  u.ut_tv.tv_usec = 250'000;
  return u;
}

void write_utmp(const std::string& path, const std::vector<utmp>& records,
                std::ios::openmode mode = std::ios::trunc) {
  std::ofstream out(path, std::ios::binary | mode);
  for (const utmp& u : records) out.write(reinterpret_cast<const char*>(&u), sizeof u);
}

TEST(Recorder, LoginsFromUtmpStartAndEndWithTheirOwnTimes) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  const std::string utmp_path = dir / "utmp";
  const utmp early = login_record(USER_PROCESS, "pts/41", "early", "", 0, 4141, 1'764'000'000);
  write_utmp(utmp_path, {early});
  std::ofstream(dir / "zagent.toml") << "[sensors]\nutmp_path = \"" << utmp_path << "\"\nwtmp_path = \"\"\n";
  RunningRecorder recorder(dir / "journal", "--config " + dir / "zagent.toml");
  ASSERT_TRUE(recorder.attached()) << recorder.output();

  write_utmp(utmp_path, {early, login_record(USER_PROCESS, "pts/42", "zagent-test", "client.example", 0xCB007109,
                                             4242, 1'764'000'100)});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  write_utmp(utmp_path, {early, login_record(DEAD_PROCESS, "pts/42", "", "", 0, 4242, 1'764'000'200)});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(recorder.stop(), 0);

  std::vector<std::pair<int64_t, LoginEvent>> logins;
  for (const Event& e : read_journal(dir / "journal")) {
    if (const auto* l = std::get_if<LoginEvent>(&e.body)) logins.emplace_back(e.ts, *l);
  }
  ASSERT_EQ(logins.size(), 3u);
  EXPECT_EQ(logins[0].first, 1'764'000'000'250'000'000);  // present at start: its own login time
  EXPECT_EQ(logins[0].second.user, "early");
  EXPECT_EQ(logins[0].second.action, LoginAction::Start);
  const LoginEvent expected_start{LoginAction::Start, "zagent-test", "pts/42", "client.example",
                                  IpAddress::v4(0xCB007109), 4242, 0};
  EXPECT_EQ(logins[1].first, 1'764'000'100'250'000'000);
  EXPECT_EQ(logins[1].second, expected_start);
  LoginEvent expected_end = expected_start;
  expected_end.action = LoginAction::End;
  EXPECT_EQ(logins[2].first, 1'764'000'200'250'000'000);  // the DEAD_PROCESS record's time
  EXPECT_EQ(logins[2].second, expected_end);
}

// With wtmp, a session that starts and ends between two polls still gives
// both events, and a wtmp rotated (truncated) while running is read anew.
TEST(Recorder, LoginsFromWtmpKeepSessionsShorterThanAPollAndSurviveRotation) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  const std::string utmp_path = dir / "utmp", wtmp_path = dir / "wtmp";
  const utmp open_at_start = login_record(USER_PROCESS, "pts/51", "early", "", 0, 5151, 1'764'000'000);
  write_utmp(utmp_path, {open_at_start});
  // History before the agent started is not replayed.
  write_utmp(wtmp_path, {login_record(USER_PROCESS, "pts/50", "old", "", 0, 5050, 1'763'000'000)});
  std::ofstream(dir / "zagent.toml") << "[sensors]\nutmp_path = \"" << utmp_path << "\"\nwtmp_path = \"" << wtmp_path
                                     << "\"\n";
  RunningRecorder recorder(dir / "journal", "--config " + dir / "zagent.toml");
  ASSERT_TRUE(recorder.attached()) << recorder.output();

  // In one write, faster than any poll: a login and its logout, and the
  // logout of the session open at start.
  write_utmp(wtmp_path,
             {login_record(USER_PROCESS, "pts/52", "brief", "10.1.2.3", 0x0A010203, 5252, 1'764'000'100),
              login_record(DEAD_PROCESS, "pts/52", "", "", 0, 5252, 1'764'000'101),
              login_record(DEAD_PROCESS, "pts/51", "", "", 0, 5151, 1'764'000'102)},
             std::ios::app);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  write_utmp(wtmp_path, {login_record(USER_PROCESS, "pts/53", "after", "", 0, 5353, 1'764'000'200)});  // rotated
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(recorder.stop(), 0);

  std::vector<std::string> got;
  for (const Event& e : read_journal(dir / "journal")) {
    if (const auto* l = std::get_if<LoginEvent>(&e.body)) {
      got.push_back(std::string(l->action == LoginAction::Start ? "start " : "end ") + l->user + " " + l->tty + " " +
                    l->remote_host + " " + l->remote_addr.to_string() + " " + std::to_string(l->pid) + " " +
                    std::to_string(e.ts));
    }
  }
  const std::vector<std::string> want = {
      "start early pts/51  0.0.0.0 5151 1764000000250000000",
      "start brief pts/52 10.1.2.3 10.1.2.3 5252 1764000100250000000",
      "end brief pts/52 10.1.2.3 10.1.2.3 5252 1764000101250000000",
      "end early pts/51  0.0.0.0 5151 1764000102250000000",
      "start after pts/53  0.0.0.0 5353 1764000200250000000",
  };
  EXPECT_EQ(got, want);
}

TEST(Recorder, AFullDiskPausesTheJournalAndLosesNothingHeldWhenSpaceReturns) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  const std::string fs = dir / "small";
  ASSERT_EQ(::mkdir(fs.c_str(), 0700), 0);
  if (testing::run_command("mount -t tmpfs -o size=2m zagent-test " + fs + " 2>&1").status != 0) {
    GTEST_SKIP() << "SKIP: cannot mount a small tmpfs here";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { testing::run_command("umount " + path); }
  } unmount{fs};
  {
    RunningRecorder recorder(fs + "/journal");
    ASSERT_TRUE(recorder.attached()) << recorder.output();
    // Fill what is left of the file system.
    testing::run_command("dd if=/dev/zero of=" + fs + "/filler bs=64k 2>/dev/null");
    const pid_t during = run_child("/", {"/bin/true", "while-full"}).first;
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // a block flush fails meanwhile
    ASSERT_EQ(::kill(recorder.pid(), 0), 0) << "the recorder died on a full disk";
    ASSERT_EQ(::unlink((fs + "/filler").c_str()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the held events are written
    const pid_t after = run_child("/", {"/bin/true", "after-space"}).first;
    EXPECT_EQ(recorder.stop(), 0);

    const std::vector<Event> events = read_journal(fs + "/journal");
    ASSERT_NE(find_for_pid<ProcessExec>(events, static_cast<uint32_t>(during)), nullptr);
    ASSERT_NE(find_for_pid<ProcessExec>(events, static_cast<uint32_t>(after)), nullptr);
    std::vector<SensorAction> journal_health;
    for (const Event& e : events) {
      const auto* s = std::get_if<SensorEvent>(&e.body);
      if (s && s->sensor == "journal") journal_health.push_back(s->action);
      if (s && s->action == SensorAction::WritePaused) {
        EXPECT_NE(s->message.find("No space left on device"), std::string::npos) << s->message;
      }
      if (s && s->action == SensorAction::WriteResumed) {
        EXPECT_EQ(s->counters, (std::vector<Counter>{{"events_dropped", 0}}));
      }
    }
    EXPECT_EQ(journal_health, (std::vector<SensorAction>{SensorAction::WritePaused, SensorAction::WriteResumed}));
  }
  EXPECT_EQ(testing::run_command(std::string(ZAGENT_BINARY) + " verify -q " + fs + "/journal").status, 0);
}

TEST(Recorder, RefusesWithoutPrivilegesNamingWhatIsMissing) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIP: needs root to drop privileges";
  TempDir dir;
  // As nobody, without capabilities.
  const auto r = testing::run_command("setpriv --reuid=65534 --regid=65534 --clear-groups " + std::string(ZAGENT_BINARY) +
                                      " run --journal " + dir / "j --duration 1 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("CAP_BPF"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace zagent
