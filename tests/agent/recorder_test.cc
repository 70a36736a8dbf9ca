// The recorder end to end: the real eBPF programs, a real zagent run, real
// fork/exec/exit of helpers with known argv, cwd and exit status, and the
// journal read back field by field. Needs root and a kernel with BTF; where
// those are missing the tests say SKIP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "journal/hash_chain.h"
#include "journal/journal_reader.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::TempDir;

std::string skip_reason() {
  if (::geteuid() != 0) return "not root";
  struct stat st {};
  if (::stat("/sys/kernel/btf/vmlinux", &st) != 0) return "no kernel BTF";
  return "";
}

// `zagent run` as a child, stopped by SIGTERM.
class RunningRecorder {
 public:
  explicit RunningRecorder(const std::string& journal, const std::string& extra = "") {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDERR_FILENO);
      ::close(fds[0]);
      const std::string cmd = std::string(ZAGENT_BINARY) + " run --journal " + journal + " --duration 60 " + extra;
      ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), nullptr);
      ::_exit(127);
    }
    ::close(fds[1]);
    err_ = ::fdopen(fds[0], "r");
    // Wait until the sensors are attached.
    char line[512];
    while (std::fgets(line, sizeof line, err_)) {
      if (std::string(line).find("zagent: recording") != std::string::npos) {
        attached_ = true;
        break;
      }
      output_ += line;
    }
  }
  ~RunningRecorder() {
    if (pid_ > 0) stop();
    if (err_) std::fclose(err_);
  }
  bool attached() const { return attached_; }
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, then the exit status.
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* err_ = nullptr;
  bool attached_ = false;
  std::string output_;
};

// Runs argv in cwd as a child; returns its pid and wait status.
std::pair<pid_t, int> run_child(const std::string& cwd, const std::vector<std::string>& argv, int kill_signal = 0) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (kill_signal) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(pid, kill_signal);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {pid, status};
}

std::vector<Event> read_journal(const std::string& dir) {
  std::vector<Event> events;
  JournalReader reader({dir}, ReadOptions{}, [](const Damage& d) { ADD_FAILURE() << d.to_string(); });
  ReadBlock block;
  while (reader.next_block(&block)) events.insert(events.end(), block.events.begin(), block.events.end());
  return events;
}

template <typename T>
const T* find_for_pid(const std::vector<Event>& events, uint32_t pid) {
  for (const Event& e : events) {
    if (const T* t = std::get_if<T>(&e.body); t && t->pid == pid) return t;
  }
  return nullptr;
}

std::string sha256_of(const std::string& path) {
  const auto r = testing::run_command("sha256sum " + path);
  return r.out.substr(0, 64);
}

std::string real(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? buf : path;
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
  std::vector<SensorAction> health;
  for (const Event& e : events) {
    if (const auto* s = std::get_if<SensorEvent>(&e.body)) health.push_back(s->action);
  }
  EXPECT_EQ(health, (std::vector<SensorAction>{SensorAction::AgentStart, SensorAction::SensorAttached,
                                               SensorAction::AgentStop}));

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

TEST(Recorder, SighupRotatesAndEachSegmentStartsWithASnapshot) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << "SKIP: " << why;
  TempDir dir;
  RunningRecorder recorder(dir / "journal");
  ASSERT_TRUE(recorder.attached()) << recorder.output();
  ::kill(recorder.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(recorder.stop(), 0);
  ASSERT_EQ(JournalReader::list_segments(dir / "journal").size(), 2u);
  std::vector<uint64_t> segments_with_self_snapshot;
  uint64_t segment = 0;
  JournalReader reader({dir / "journal"}, ReadOptions{}, [](const Damage& d) { ADD_FAILURE() << d.to_string(); });
  reader.on_segment([&](const std::string&, const ScannedSegment& s) { segment = s.header.segment_index; });
  ReadBlock block;
  while (reader.next_block(&block)) {
    for (const Event& e : block.events) {
      const auto* p = std::get_if<ProcessSnapshot>(&e.body);
      if (p && p->pid == static_cast<uint32_t>(::getpid())) segments_with_self_snapshot.push_back(segment);
    }
  }
  EXPECT_EQ(segments_with_self_snapshot, (std::vector<uint64_t>{1, 2}));
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
