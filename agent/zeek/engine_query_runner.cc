#include "agent/zeek/engine_query_runner.h"

#include "agent/zeek/result_values.h"

namespace zagent::zeek {

namespace {

// Keeps the last statement's rows (a query of several statements answers
// with its last, as the zeek-agent does with its one).
class ZeekRows : public tables::RowSink {
 public:
  explicit ZeekRows(QueryResult* out) : out_(out) {}
  void columns(const std::vector<std::string>& names) override {
    out_->columns = names;
    out_->rows.clear();
    types_.assign(names.size(), std::nullopt);
  }
  void origins(const std::vector<tables::ColumnOrigin>& origins) override { types_ = zeek_types_of(origins); }
  void row(const tables::Row& values) override {
    std::vector<BrokerData> row;
    row.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) row.push_back(to_zeek_value(values[i], types_[i]));
    out_->rows.push_back(std::move(row));
  }

 private:
  QueryResult* out_;
  std::vector<std::optional<tables::ZeekType>> types_;
};

}  // namespace

EngineQueryRunner::EngineQueryRunner(tables::QueryContext context, tables::QueryLimits limits)
    : engine_(std::move(context), limits) {}

QueryResult EngineQueryRunner::run(const std::string& sql) {
  QueryResult result;
  ZeekRows sink(&result);
  engine_.run(sql, sink);
  return result;
}

std::set<std::string> EngineQueryRunner::tables() {
  std::set<std::string> names;
  for (const tables::TableSchema& s : tables::QueryEngine::schemas()) names.insert(s.name);
  return names;
}

}  // namespace zagent::zeek
