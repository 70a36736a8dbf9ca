// While an InterruptGuard is alive, Ctrl-C (SIGINT) stops the query its
// QueryRunner is running instead of ending the process, as in sqlite3's
// shell: `zagent shell` reports "query interrupted" and goes on. Outside a
// query Ctrl-C does what it did before. A process that ignores SIGINT (a
// background job of a script) keeps ignoring it. One guard at a time.
#pragma once

#include <signal.h>

#include "agent/cli/query_target.h"

namespace zagent::cli {

class InterruptGuard {
 public:
  explicit InterruptGuard(QueryRunner& runner);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction previous_ {};
  bool installed_ = false;
};

}  // namespace zagent::cli
