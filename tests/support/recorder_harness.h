// Test helpers for the recorder end to end: `zagent run` as a child process,
// helpers run with a known argv and cwd, and the journal read back.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "journal/event.h"

namespace zagent::testing {

// Why the eBPF sensors cannot run here ("" when they can): not root, no BTF.
std::string skip_reason();

// `zagent run --journal JOURNAL --query-socket JOURNAL.sock --duration 60
// EXTRA` as a child; the
// constructor returns once the sensors are attached (attached()) or the
// child has ended. Stopped by SIGTERM.
class RunningRecorder {
 public:
  explicit RunningRecorder(const std::string& journal, const std::string& extra = "");
  ~RunningRecorder();
  RunningRecorder(const RunningRecorder&) = delete;
  RunningRecorder& operator=(const RunningRecorder&) = delete;

  bool attached() const { return attached_; }
  // What the child wrote on stderr before it was attached.
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }
  // SIGTERM, then the exit status (128 + signal when killed).
  int stop();

 private:
  pid_t pid_ = -1;
  FILE* err_ = nullptr;
  bool attached_ = false;
  std::string output_;
};

// Runs argv in cwd as a child (killed with kill_signal after 200 ms unless
// 0); returns its pid and wait status.
std::pair<pid_t, int> run_child(const std::string& cwd, const std::vector<std::string>& argv, int kill_signal = 0);

// Every event of a journal; damage fails the test.
std::vector<Event> read_journal(const std::string& dir);

template <typename T>
const T* find_for_pid(const std::vector<Event>& events, uint32_t pid) {
  for (const Event& e : events) {
    if (const T* t = std::get_if<T>(&e.body); t && t->pid == pid) return t;
  }
  return nullptr;
}

// The canonical path (symlinks resolved), or the path itself.
std::string real(const std::string& path);

}  // namespace zagent::testing
