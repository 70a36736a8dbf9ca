// What the zeek-agent session needs of the query engine: run one SQL text
// and hand back typed rows. The agent's runner (engine_query_runner.h) runs
// it on the read-only engine with the agent's limits; tests may give rows
// of their own.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/zeek/broker_data.h"

namespace zagent::zeek {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<BrokerData>> rows;  // each as Zeek will read it
};

class QueryRunner {
 public:
  virtual ~QueryRunner() = default;
  // Throws Error: a SQL error, a refused statement (one that writes), a limit.
  virtual QueryResult run(const std::string& sql) = 0;
  // The tables queries can read, for requires_tables and if_missing_tables.
  virtual std::set<std::string> tables() = 0;
};

}  // namespace zagent::zeek
