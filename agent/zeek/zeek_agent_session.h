// The zeek-agent v2 protocol, agent side, over any transport
// (docs/protocol.md): the topics to subscribe to; hello every interval;
// install_query_v1 (one-shot and scheduled, every subscription mode),
// cancel_query_v1, zeek_hello_v1, zeek_shutdown_v1; a Zeek silent past the
// timeout loses its queries; bad input from a Zeek is answered with
// agent_error_v1 naming the query, and every other query goes on.
//
// Single-threaded: the destination's thread calls everything, and queries
// run on it, never on the recorder's. Time is passed in (ns since the
// epoch) so that tests drive the schedule.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/zeek/query_runner.h"
#include "agent/zeek/zeek_event.h"

namespace zagent::zeek {

struct SessionOptions {
  std::string agent_id;     // stable across restarts (agent_identity.h)
  std::string instance_id;  // new at every start
  std::vector<std::string> groups;  // besides "all" and "linux"
  int64_t hello_interval_ns = 60'000'000'000;
  int64_t zeek_timeout_ns = 120'000'000'000;  // silent longer: its queries dropped
  int64_t min_schedule_ns = 1'000'000'000;    // a scheduled query's interval, at least...
  int64_t max_schedule_ns = 7 * 86'400'000'000'000;  // ...and at most
  uint64_t max_result_bytes = 16 << 20;       // per run of a query, as encoded
  size_t max_queries = 1000;                  // installed at once, over all Zeeks
};

// The hello record's layout: zeek-agent's package before 2.4 (Zeek 5-7)
// has a `broker` field that 2.4 (Zeek 8.2) dropped.
enum class HelloLayout { WithBroker, WithoutBroker };

class ZeekAgentSession {
 public:
  using Send = std::function<void(const std::string& topic, const ZeekEvent& event)>;

  ZeekAgentSession(SessionOptions options, QueryRunner& runner, Send send);
  ~ZeekAgentSession();

  // What to subscribe to: the host's topic, and each group's two.
  std::vector<std::string> topics() const;

  // A new connection: every Zeek and query of the last one is forgotten, a
  // new hello id is drawn and the hello goes out now and every interval.
  void connected(int64_t now_ns, HelloLayout layout);

  // An event from Zeek on `topic`.
  void received(const std::string& topic, const ZeekEvent& event, int64_t now_ns);

  // Runs what is due (hello, scheduled queries, timeouts); returns when
  // the next thing is due.
  int64_t run_due(int64_t now_ns);

  // agent_shutdown_v1, before a clean disconnect.
  void shutting_down(int64_t now_ns);

  size_t query_count() const;

 private:
  struct Query;
  struct ZeekInstance;

  void install(const ZeekEvent& e, int64_t now_ns);
  void cancel(const ZeekEvent& e);
  void zeek_hello(const std::string& instance, const ZeekEvent& e, int64_t now_ns);
  void drop_instance(const std::string& instance);
  // False when the query failed and was dropped (q is gone then).
  bool run_query(Query& q, int64_t now_ns);
  void error(const std::string& instance, const std::string& query_id, const BrokerData& cookie,
             const std::string& message, int64_t now_ns);
  void emit(const std::string& topic, const std::string& name, BrokerData context, std::vector<BrokerData> args);
  BrokerData context(int64_t now_ns, const std::string& query_id, const BrokerData& change,
                     const BrokerData& cookie) const;
  std::string hello_sql() const;

  SessionOptions options_;
  QueryRunner& runner_;
  Send send_;
  HelloLayout layout_ = HelloLayout::WithBroker;
  std::string hello_id_;
  int64_t next_hello_ns_ = 0;
  std::map<std::string, ZeekInstance> instances_;
  std::map<std::string, std::unique_ptr<Query>> queries_;  // by Zeek's query id
};

}  // namespace zagent::zeek
