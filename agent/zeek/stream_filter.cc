#include "agent/zeek/stream_filter.h"

#include <set>
#include <string_view>

#include "journal/error.h"
#include "journal/event_names.h"

namespace zagent::zeek {

namespace {

// The event table of each kind, and for the process kinds the value of its
// `type` column.
struct KindTable {
  const char* table;
  const char* process_type;  // nullptr: the table holds this kind only
};

KindTable table_of(EventType t) {
  switch (t) {
    case EventType::ProcessExec: return {"process_events", "exec"};
    case EventType::ProcessFork: return {"process_events", "fork"};
    case EventType::ProcessExit: return {"process_events", "exit"};
    case EventType::ProcessSnapshot: return {"process_events", "snapshot"};
    case EventType::SocketEvent: return {"socket_events", nullptr};
    case EventType::FileEvent: return {"file_events", nullptr};
    case EventType::LoginEvent: return {"login_events", nullptr};
    case EventType::SensorEvent: return {"sensor_events", nullptr};
  }
  throw Error("no event table for this kind");
}

// A line's kind and seq: "KIND \t SECONDS \t {"seq":N,..." (stream_batch.h).
bool line_kind_seq(std::string_view line, std::string_view* kind, uint64_t* seq) {
  const size_t tab = line.find('\t');
  const size_t at = line.find("{\"seq\":");
  if (tab == std::string_view::npos || at == std::string_view::npos) return false;
  *kind = line.substr(0, tab);
  *seq = 0;
  for (size_t i = at + 7; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) *seq = *seq * 10 + (line[i] - '0');
  return true;
}

}  // namespace

StreamFilter StreamFilter::parse(const Table& filters, QueryRunner& runner) {
  StreamFilter f;
  for (const auto& [key, value] : filters.entries) {
    const std::string* kind = key.get<std::string>();
    const std::string* condition = value.get<std::string>();
    if (!kind || !condition) throw Error("filters must be a table of kind to condition (strings)");
    EventType type;
    if (!parse_event_type(*kind, &type)) throw Error("filter for unknown event kind '" + *kind + "'");
    if (condition->find(';') != std::string::npos) {
      throw Error("filter for " + *kind + ": one condition, without ';'");
    }
    if (condition->empty()) continue;
    try {
      runner.run(f.query(type, *condition, 1, 0));  // compiles it; the range is empty
    } catch (const Error& e) {
      throw Error("filter for " + *kind + ": " + e.what());
    }
    f.conditions_[type] = *condition;
  }
  return f;
}

std::string StreamFilter::query(EventType type, const std::string& condition, uint64_t first, uint64_t last) const {
  const KindTable t = table_of(type);
  std::string sql = "SELECT seq FROM ";
  sql += t.table;
  sql += " WHERE seq BETWEEN " + std::to_string(first) + " AND " + std::to_string(last);
  if (t.process_type) sql += std::string(" AND type = '") + t.process_type + "'";
  // On its own line, so that a trailing "--" comment ends with the line.
  sql += " AND (\n" + condition + "\n)";
  return sql;
}

void StreamFilter::apply(StreamBatch* batch, QueryRunner& runner) const {
  if (conditions_.empty() || batch->lines.empty()) return;
  std::map<std::string_view, std::set<uint64_t>> selected;  // kind name -> seqs that match
  for (const auto& [type, condition] : conditions_) {
    std::set<uint64_t>& seqs = selected[event_type_name(type)];
    const QueryResult r = runner.run(query(type, condition, batch->first_seq, batch->last_seq));
    for (const auto& row : r.rows) {
      if (row.empty()) continue;
      if (const uint64_t* u = row[0].get<uint64_t>()) seqs.insert(*u);
      if (const int64_t* i = row[0].get<int64_t>()) seqs.insert(static_cast<uint64_t>(*i));
    }
  }
  std::string kept;
  uint64_t events = 0;
  std::string_view rest = batch->lines;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    std::string_view kind;
    uint64_t seq = 0;
    if (line_kind_seq(line, &kind, &seq)) {
      const auto it = selected.find(kind);
      if (it != selected.end() && !it->second.count(seq)) continue;
    }
    if (events++) kept += '\n';
    kept += line;
  }
  batch->lines = std::move(kept);
  batch->events = events;
}

}  // namespace zagent::zeek
