// Where `zagent query` and `zagent shell` run SQL: in this process over
// journal files, or in the running agent over its query socket (--agent),
// which adds the live host's unflushed events. Both commands take the same
// options for it and get the same results and warnings.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/query/query_client.h"
#include "tables/query_engine.h"

namespace zagent::cli {

struct QueryTarget {
  std::vector<std::string> journals;
  bool agent = false;
  std::string socket = "/run/zagent/query.sock";
  double max_cpu = 10;
  uint64_t max_rows = 0;

  // --journal, --agent, --socket, --max-cpu, --max-rows.
  void add_to(CLI::App* cmd);
};

struct QueryOutcome {
  uint64_t rows = 0;
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;
  double cpu_seconds = 0;             // local queries only
  std::vector<std::string> warnings;  // journal damage met on the way
};

class QueryRunner {
 public:
  // Opens the engine or connects to the agent; throws Error.
  explicit QueryRunner(const QueryTarget& target);
  ~QueryRunner();

  // Throws Error when the query fails; rows delivered before stay delivered.
  QueryOutcome run(const std::string& sql, tables::RowSink& sink);

  // Stops the query run() is running: it fails with "query interrupted".
  // Safe from a signal handler (interrupt_guard.h). Against the agent the
  // connection is given up, and the next run() connects again.
  void interrupt();

 private:
  std::string socket_;
  std::unique_ptr<tables::QueryEngine> engine_;
  std::unique_ptr<query::QueryClient> client_;
};

}  // namespace zagent::cli
