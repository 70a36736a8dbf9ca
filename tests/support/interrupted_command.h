// Runs a program with `input` on its standard input and, after `delay`,
// sends it SIGINT, as Ctrl-C on a terminal would: for tests of what a
// command does when interrupted. The program inherits this process's
// SIGINT disposition (a shell's background job would ignore SIGINT).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace zagent::testing {

struct InterruptedRun {
  bool exited = false;  // false: ended by a signal
  int exit_code = -1;
  std::string out, err;
  std::chrono::milliseconds after_signal{0};  // from SIGINT to its end
};

// A statement that only an interrupt (or a CPU limit) ends: it counts
// forever.
inline constexpr char kRunawayStatement[] =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\n";

InterruptedRun run_interrupted(const std::vector<std::string>& argv, const std::string& input,
                               std::chrono::milliseconds delay);

}  // namespace zagent::testing
