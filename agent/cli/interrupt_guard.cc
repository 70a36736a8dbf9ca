#include "agent/cli/interrupt_guard.h"

#include <atomic>

namespace zagent::cli {
namespace {

std::atomic<QueryRunner*> guarded{nullptr};

void on_interrupt(int) {
  if (QueryRunner* runner = guarded.load()) runner->interrupt();
}

}  // namespace

InterruptGuard::InterruptGuard(QueryRunner& runner) {
  if (sigaction(SIGINT, nullptr, &previous_) != 0 || previous_.sa_handler == SIG_IGN) return;
  guarded.store(&runner);
  struct sigaction on {};
  on.sa_handler = on_interrupt;
  sigemptyset(&on.sa_mask);
  // Calls go on after it (output half written stays whole); a read waiting
  // on the agent ends anyway, as the connection is shut down.
  on.sa_flags = SA_RESTART;
  installed_ = sigaction(SIGINT, &on, nullptr) == 0;
  if (!installed_) guarded.store(nullptr);
}

InterruptGuard::~InterruptGuard() {
  if (!installed_) return;
  sigaction(SIGINT, &previous_, nullptr);
  guarded.store(nullptr);
}

}  // namespace zagent::cli
