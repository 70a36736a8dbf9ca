// The zeek-agent protocol's agent side (agent/zeek/zeek_agent_session.h),
// driven event by event with a clock the test moves and tables whose rows
// the test sets: hello, one-shot and scheduled queries in every
// subscription mode, cancel, tables conditions, Zeeks that leave or fall
// silent, and bad input answered with agent_error_v1.
#include <gtest/gtest.h>

#include <map>

#include "agent/zeek/broker_json.h"
#include "agent/zeek/zeek_agent_session.h"
#include "journal/error.h"

namespace zagent::zeek {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'800'000'000 * kSecond;

// SQL text -> rows; "FAIL" in the SQL throws as the engine would.
class TableRunner : public QueryRunner {
 public:
  std::map<std::string, std::vector<std::vector<BrokerData>>> rows;
  std::set<std::string> table_names = {"processes", "zeek_agent"};
  std::vector<std::string> ran;

  QueryResult run(const std::string& sql) override {
    ran.push_back(sql);
    if (sql.find("FAIL") != std::string::npos) throw Error("no such table: FAIL");
    if (sql.rfind("SELECT id, instance", 0) == 0) return {{}, {{"H1", "I1", "host-a"}}};
    return {{}, rows[sql]};
  }
  std::set<std::string> tables() override { return table_names; }
};

struct Sent {
  std::string topic;
  ZeekEvent event;
};

class Session : public ::testing::Test {
 protected:
  Session() : session(options(), runner, [this](const std::string& t, const ZeekEvent& e) { sent.push_back({t, e}); }) {}

  static SessionOptions options() {
    SessionOptions o;
    o.agent_id = "Hagent";
    o.instance_id = "Iinstance";
    o.groups = {"web"};
    return o;
  }

  // install_query_v1 from zeek_a: the Query record's seven fields.
  void install(const std::string& id, const std::string& sql, BrokerData schedule, const char* mode,
               BrokerData cookie = None{}, Set required = {}, Set if_missing = {}) {
    const BrokerData subscription = mode ? BrokerData(EnumValue{mode}) : BrokerData(None{});
    receive({"ZeekAgentAPI::install_query_v1",
             {"zeek_a", id,
              Vector{{sql, schedule, subscription, Vector{{"Test::result"}}, cookie, required, if_missing}}}});
  }
  void receive(const ZeekEvent& e, const std::string& topic = "/zeek-agent/query/group/all") {
    session.received(topic, e, now);
  }
  std::vector<Sent> take() { return std::exchange(sent, {}); }

  // The (change, row) of each result event, checking topic and context.
  std::vector<std::pair<std::string, std::vector<BrokerData>>> results(const std::string& query_id,
                                                                       const BrokerData& cookie = None{}) {
    std::vector<std::pair<std::string, std::vector<BrokerData>>> out;
    for (const Sent& s : take()) {
      EXPECT_EQ(s.topic, "/zeek-agent/response/zeek_a/Hagent");
      EXPECT_EQ(s.event.name, "Test::result");
      EXPECT_EQ(s.event.args.size(), 2u);
      const Vector& ctx = *s.event.args[0].get<Vector>();
      EXPECT_EQ(ctx, (Vector{{"Hagent", Timestamp{now}, query_id, ctx.items[3], cookie}}));
      const auto* change = ctx.items[3].get<EnumValue>();
      out.emplace_back(change ? change->name : "", s.event.args[1].get<Vector>()->items);
    }
    return out;
  }
  // The one agent_error_v1 sent: (query id or "", message).
  std::pair<std::string, std::string> error() {
    const auto s = take();
    EXPECT_EQ(s.size(), 1u);
    if (s.size() != 1) return {};
    EXPECT_EQ(s[0].event.name, "ZeekAgentAPI::agent_error_v1");
    const Vector& ctx = *s[0].event.args[0].get<Vector>();
    const auto* id = ctx.items[2].get<std::string>();
    return {id ? *id : "", *s[0].event.args[1].get<std::string>()};
  }
  void at(int64_t t) {
    now = t;
    session.run_due(now);
  }

  TableRunner runner;
  std::vector<Sent> sent;
  ZeekAgentSession session;
  int64_t now = kStart;
};

TEST_F(Session, SubscribesToItsHostAndEachGroupIncludingAllAndLinux) {
  EXPECT_EQ(session.topics(),
            (std::vector<std::string>{"/zeek-agent/query/host/Hagent", "/zeek-agent/query/group/web",
                                      "/zeek-agent/query/group/Hagent/web", "/zeek-agent/query/group/all",
                                      "/zeek-agent/query/group/Hagent/all", "/zeek-agent/query/group/linux",
                                      "/zeek-agent/query/group/Hagent/linux"}));
}

TEST_F(Session, HelloGoesOutOnConnectAndEveryIntervalUnderOneId) {
  session.connected(now, HelloLayout::WithBroker);
  auto s = take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].topic, "/zeek-agent/response/all/Hagent");
  EXPECT_EQ(s[0].event.name, "ZeekAgentAPI::agent_hello_v1");
  const Vector ctx = *s[0].event.args[0].get<Vector>();
  const std::string hello_id = *ctx.items[2].get<std::string>();
  EXPECT_EQ(hello_id.rfind("agent_hello_", 0), 0u);
  EXPECT_EQ(ctx, (Vector{{"Hagent", Timestamp{now}, hello_id, None{}, None{}}}));
  EXPECT_EQ(*s[0].event.args[1].get<Vector>(), (Vector{{"H1", "I1", "host-a"}}));
  EXPECT_NE(runner.ran.back().find("kernel_arch, agent_version, broker, uptime, tables FROM zeek_agent"),
            std::string::npos);
  at(now + 59 * kSecond);
  EXPECT_TRUE(take().empty());
  at(now + kSecond);
  s = take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(*s[0].event.args[0].get<Vector>()->items[2].get<std::string>(), hello_id);
  // A new connection, a new hello id: Zeek tells a reconnect so.
  session.connected(now, HelloLayout::WithBroker);
  s = take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NE(*s[0].event.args[0].get<Vector>()->items[2].get<std::string>(), hello_id);
}

TEST_F(Session, APackageOf24OrLaterGetsTheHelloWithoutBrokerAtOnce) {
  session.connected(now, HelloLayout::WithBroker);
  take();
  receive({"ZeekAgentAPI::zeek_hello_v1", {"zeek_a", Vector{{"8.2.2", uint64_t{80202}, "v2.4-0"}}}});
  at(now + kSecond);
  ASSERT_EQ(take().size(), 1u);
  EXPECT_NE(runner.ran.back().find("agent_version, uptime, tables FROM zeek_agent"), std::string::npos);
}

TEST_F(Session, APackageTooOldIsToldSoAndIgnored) {
  session.connected(now, HelloLayout::WithBroker);
  take();
  receive({"ZeekAgentAPI::zeek_hello_v1", {"zeek_a", Vector{{"5.0.0", uint64_t{50000}, "v2.0.1-0"}}}});
  EXPECT_EQ(error().second, "Zeek package version too old (v2.0.1-0), want 2.0.2-8 or later: ignoring this Zeek");
  runner.rows["SELECT 1"] = {{int64_t{1}}};
  install("za_1", "SELECT 1", None{}, nullptr);
  EXPECT_TRUE(take().empty());
}

TEST_F(Session, AOneShotQueryAnswersOnceWithItsCookieAndIsGone) {
  runner.rows["SELECT name FROM processes"] = {{"sshd"}, {"bash"}};
  install("za_1", "SELECT name FROM processes", None{}, "ZeekAgent::Snapshots", "c1");
  EXPECT_EQ(results("za_1", "c1"), (std::vector<std::pair<std::string, std::vector<BrokerData>>>{
                                       {"", {"bash"}}, {"", {"sshd"}}}));
  EXPECT_EQ(session.query_count(), 0u);
  at(now + 3600 * kSecond);
  EXPECT_TRUE(take().empty());
}

TEST_F(Session, DifferencesSendDeletesThenAddsAfterTheFirstRun) {
  const std::string sql = "SELECT pid FROM processes";
  runner.rows[sql] = {{uint64_t{1}}, {uint64_t{2}}};
  install("za_d", sql, Timespan{30 * kSecond}, "ZeekAgent::Differences");
  EXPECT_TRUE(take().empty());  // the first run only sets the baseline
  runner.rows[sql] = {{uint64_t{2}}, {uint64_t{3}}};
  at(now + 29 * kSecond);
  EXPECT_TRUE(take().empty());
  at(now + kSecond);
  EXPECT_EQ(results("za_d"), (std::vector<std::pair<std::string, std::vector<BrokerData>>>{
                                 {"ZeekAgent::Delete", {uint64_t{1}}}, {"ZeekAgent::Add", {uint64_t{3}}}}));
  at(now + 30 * kSecond);
  EXPECT_TRUE(take().empty());  // nothing changed
}

TEST_F(Session, SnapshotPlusDifferencesSendsAllFirstThenChanges) {
  const std::string sql = "SELECT pid FROM processes";
  runner.rows[sql] = {{uint64_t{1}}};
  install("za_s", sql, Timespan{10 * kSecond}, "ZeekAgent::SnapshotPlusDifferences");
  EXPECT_EQ(results("za_s"), (std::vector<std::pair<std::string, std::vector<BrokerData>>>{{"", {uint64_t{1}}}}));
  runner.rows[sql] = {};
  at(now + 10 * kSecond);
  EXPECT_EQ(results("za_s"),
            (std::vector<std::pair<std::string, std::vector<BrokerData>>>{{"ZeekAgent::Delete", {uint64_t{1}}}}));
}

TEST_F(Session, EventsSendOnlyNewRows) {
  const std::string sql = "SELECT pid FROM processes";
  runner.rows[sql] = {{uint64_t{1}}};
  install("za_e", sql, Timespan{10 * kSecond}, "ZeekAgent::Events");
  EXPECT_TRUE(take().empty());
  runner.rows[sql] = {{uint64_t{2}}};
  at(now + 10 * kSecond);
  EXPECT_EQ(results("za_e"),
            (std::vector<std::pair<std::string, std::vector<BrokerData>>>{{"ZeekAgent::Add", {uint64_t{2}}}}));
}

TEST_F(Session, ScheduledSnapshotsSendEveryRowEveryTimeUntilCancelled) {
  const std::string sql = "SELECT pid FROM processes";
  runner.rows[sql] = {{uint64_t{7}}};
  install("za_p", sql, Timespan{5 * kSecond}, "ZeekAgent::Snapshots");
  EXPECT_EQ(results("za_p").size(), 1u);
  at(now + 5 * kSecond);
  EXPECT_EQ(results("za_p").size(), 1u);
  receive({"ZeekAgentAPI::cancel_query_v1", {"zeek_a", "za_p"}});
  at(now + 5 * kSecond);
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(session.query_count(), 0u);
}

TEST_F(Session, TablesConditionsDecideSilently) {
  runner.rows["SELECT 1"] = {{int64_t{1}}};
  install("za_r", "SELECT 1", None{}, nullptr, None{}, Set{{"system_logs_events"}});
  EXPECT_TRUE(take().empty());
  install("za_m", "SELECT 1", None{}, nullptr, None{}, {}, Set{{"processes"}});
  EXPECT_TRUE(take().empty());
  install("za_ok", "SELECT 1", None{}, nullptr, None{}, Set{{"processes"}}, Set{{"system_logs_events"}});
  EXPECT_EQ(results("za_ok").size(), 1u);
}

TEST_F(Session, AZeekThatLeavesOrFallsSilentLosesItsQueries) {
  install("za_1", "SELECT pid FROM processes", Timespan{10 * kSecond}, "ZeekAgent::Snapshots");
  receive({"ZeekAgentAPI::zeek_shutdown_v1", {"zeek_a"}});
  EXPECT_EQ(session.query_count(), 0u);
  install("za_2", "SELECT pid FROM processes", Timespan{10 * kSecond}, "ZeekAgent::Snapshots");
  at(now + 120 * kSecond);
  EXPECT_EQ(session.query_count(), 1u);  // silent for exactly the timeout: still there
  at(now + 1);
  EXPECT_EQ(session.query_count(), 0u);
}

TEST_F(Session, BadInputIsAnsweredNamingTheQueryAndOtherQueriesGoOn) {
  const std::string sql = "SELECT pid FROM processes";
  runner.rows[sql] = {{uint64_t{1}}};
  install("za_good", sql, Timespan{10 * kSecond}, "ZeekAgent::Snapshots");
  take();
  install("za_1", "SELECT * FROM FAIL", None{}, nullptr, "k");
  EXPECT_EQ(error(), (std::pair<std::string, std::string>{"za_1", "query za_1: no such table: FAIL"}));
  install("za_2", "SELECT * FROM FAIL", Timespan{10 * kSecond}, "ZeekAgent::Snapshots");
  EXPECT_EQ(error().second, "query za_2: no such table: FAIL (query cancelled)");
  install("za_3", sql, Timespan{kSecond / 2}, "ZeekAgent::Snapshots");
  EXPECT_EQ(error().second, "query za_3: schedule_ 500ms is outside 1s to 604800s");
  install("za_4", sql, Timespan{-kSecond}, "ZeekAgent::Snapshots");
  EXPECT_EQ(error().second, "query za_4: schedule_ must not be negative");
  install("za_5", sql, None{}, "ZeekAgent::Everything");
  EXPECT_EQ(error().second, "query za_5: unknown subscription ZeekAgent::Everything");
  install("za_6", "", None{}, nullptr);
  EXPECT_EQ(error().second, "query za_6: sql_stmt must be a non-empty string");
  receive({"ZeekAgentAPI::install_query_v1", {"zeek_a", "za_7", Vector{{sql}}}});
  EXPECT_EQ(error().second,
            "query za_7: the query record has 1 fields, want 7 (sql_stmt, schedule_, subscription, event_, cookie, "
            "requires_tables, if_missing_tables)");
  receive({"ZeekAgentAPI::install_query_v1", {"zeek_a", "za_8"}});
  EXPECT_EQ(error().second, "install_query_v1: want (zeek_instance, query_id, query record)");
  receive({"ZeekAgentAPI::install_query_v1",
           {"zeek_a", "za_9", Vector{{sql, None{}, None{}, "Test::result", None{}, Set{}, Set{}}}}});
  EXPECT_EQ(error().second, "query za_9: event_ must be an event");
  receive({"ZeekAgentAPI::install_query_v1",
           {"zeek_a", "za_10", Vector{{sql, None{}, None{}, Vector{{"Test::result"}}, uint64_t{5}, Set{}, Set{}}}}});
  EXPECT_EQ(error().second, "query za_10: cookie must be a string");
  receive({"ZeekAgentAPI::launch_v1", {"zeek_a"}});
  EXPECT_EQ(error().second, "unknown event ZeekAgentAPI::launch_v1");
  receive({"ZeekAgentAPI::install_query_v1", {uint64_t{1}}});
  EXPECT_EQ(error().second,
            "event ZeekAgentAPI::install_query_v1: its first argument must be the Zeek instance's id (a string)");
  receive({"ZeekAgentAPI::cancel_query_v1", {"zeek_a"}});
  EXPECT_EQ(error().second, "cancel_query_v1: want (zeek_instance, query_id)");
  // Through all of it the good query kept its schedule.
  at(now + 10 * kSecond);
  EXPECT_EQ(results("za_good").size(), 1u);
}

TEST_F(Session, EventsOnTopicsNotItsOwnAreIgnored) {
  runner.rows["SELECT 1"] = {{int64_t{1}}};
  receive({"ZeekAgentAPI::install_query_v1",
           {"zeek_a", "za_x", Vector{{"SELECT 1", None{}, None{}, Vector{{"Test::result"}}, None{}, Set{}, Set{}}}}},
          "/zeek-agent/query/host/Hother");
  EXPECT_TRUE(take().empty());
  receive({"ZeekAgentAPI::install_query_v1",
           {"zeek_a", "za_y", Vector{{"SELECT 1", None{}, None{}, Vector{{"Test::result"}}, None{}, Set{}, Set{}}}}},
          "/zeek-agent/query/group/Hagent/web");
  EXPECT_EQ(results("za_y").size(), 1u);
}

TEST_F(Session, AResultOverTheByteBoundIsRefused) {
  SessionOptions o = options();
  o.max_result_bytes = 100;
  ZeekAgentSession small(o, runner, [this](const std::string& t, const ZeekEvent& e) { sent.push_back({t, e}); });
  runner.rows["SELECT big"] = {{std::string(200, 'x')}};
  small.received("/zeek-agent/query/group/all",
                 {"ZeekAgentAPI::install_query_v1",
                  {"zeek_a", "za_b", Vector{{"SELECT big", None{}, None{}, Vector{{"Test::result"}}, None{}, Set{}, Set{}}}}},
                 now);
  const size_t bytes = to_json(Vector{{std::string(200, 'x')}}).dump().size();  // as encoded for Zeek
  EXPECT_EQ(error().second, "query za_b: its result is " + std::to_string(bytes) + " bytes, more than the bound of 100");
}

}  // namespace
}  // namespace zagent::zeek
