// The agent's QueryRunner: Zeek's SQL on the read-only query engine
// (tables/query_engine.h), with the agent's time, row and memory bounds,
// each value typed for Zeek (result_values.h). One per destination thread:
// the engine is not shared between threads.
#pragma once

#include "agent/zeek/query_runner.h"
#include "tables/query_engine.h"

namespace zagent::zeek {

class EngineQueryRunner : public QueryRunner {
 public:
  EngineQueryRunner(tables::QueryContext context, tables::QueryLimits limits);
  QueryResult run(const std::string& sql) override;
  std::set<std::string> tables() override;

 private:
  tables::QueryEngine engine_;
};

}  // namespace zagent::zeek
