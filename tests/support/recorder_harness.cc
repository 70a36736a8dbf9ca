// See recorder_harness.h.
#include "tests/support/recorder_harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <thread>

#include "journal/journal_reader.h"

namespace zagent::testing {

std::string skip_reason() {
  if (::geteuid() != 0) return "not root";
  struct stat st {};
  if (::stat("/sys/kernel/btf/vmlinux", &st) != 0) return "no kernel BTF";
  return "";
}

RunningRecorder::RunningRecorder(const std::string& journal, const std::string& extra) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    // Each agent its own query socket, beside its journal: tests run in parallel.
    const std::string cmd = std::string(ZAGENT_BINARY) + " run --journal " + journal + " --query-socket " +
                            journal + ".sock --duration 60 " + extra;
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

RunningRecorder::~RunningRecorder() {
  if (pid_ > 0) stop();
  if (err_) std::fclose(err_);
}

int RunningRecorder::stop() {
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::pair<pid_t, int> run_child(const std::string& cwd, const std::vector<std::string>& argv, int kill_signal) {
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

std::string real(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? buf : path;
}

}  // namespace zagent::testing
