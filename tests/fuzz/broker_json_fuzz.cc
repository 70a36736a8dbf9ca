// libFuzzer target for what a Zeek (or anything on the network that says it
// is one) sends the agent: a WebSocket text message, read as Broker JSON
// (agent/zeek/broker_json.h), then as a Zeek event (zeek_event.h), then
// handed to the zeek-agent session (zeek_agent_session.h) as if it had
// arrived on the agent's group topic. Nothing may crash, hang or throw
// anything but Error; whatever decodes must encode to a form that decodes
// and encodes to itself.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "agent/zeek/broker_json.h"
#include "agent/zeek/zeek_agent_session.h"
#include "journal/error.h"

namespace {

using namespace zagent::zeek;

// Answers every query with one row, so that installs run through to results.
class OneRow : public QueryRunner {
 public:
  QueryResult run(const std::string& sql) override {
    if (sql.size() % 3 == 0) throw zagent::Error("no such table");
    return {{"x", "sql"}, {{BrokerData(uint64_t{1}), BrokerData(sql)}}};
  }
  std::set<std::string> tables() override { return {"processes"}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  BrokerData d;
  try {
    d = from_json(j);
  } catch (const zagent::Error&) {
    return 0;
  }
  // Timestamps are written to the millisecond (the one form both Zeek 7's
  // and Zeek 8's Broker read; docs/protocol.md, "Times"), so the first
  // encoding may round one; what it gives must then be a fixed point.
  const BrokerData once = from_json(to_json(d));
  if (!(from_json(to_json(once)) == once)) __builtin_trap();
  ZeekEvent e;
  try {
    e = decode_event(d);
  } catch (const zagent::Error&) {
    return 0;
  }
  static OneRow runner;
  SessionOptions options;
  options.agent_id = "A";
  size_t sent = 0;
  ZeekAgentSession session(options, runner, [&sent](const std::string&, const ZeekEvent&) { ++sent; });
  session.connected(1'000'000'000, HelloLayout::WithBroker);
  session.received("/zeek-agent/query/group/all", e, 2'000'000'000);
  session.run_due(40'000'000'000);
  return 0;
}
