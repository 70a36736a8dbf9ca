// The host event stream, agent side (agent/zeek/event_stream.h), on real
// journals and a real state directory: batches after the acknowledged seq,
// the window, resume across restarts with nothing skipped or repeated,
// kinds, gaps, and every bad request answered without moving anything.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/zeek/engine_query_runner.h"
#include "agent/zeek/event_stream.h"
#include "journal/journal_reader.h"
#include "journal/event.h"
#include "tests/support/stream_journal.h"
#include "tests/support/temp_dir.h"

namespace zagent::zeek {
namespace {

constexpr const char* kAgent = "agent-1";

struct Sent {
  std::string topic;
  ZeekEvent event;
};

StreamOptions options(const std::string& journal, const std::string& state, uint64_t batch_events = 1000) {
  StreamOptions o;
  o.agent_id = kAgent;
  o.journal_dir = journal;
  o.state_dir = state;
  o.batch_events = batch_events;
  return o;
}

struct Gap {
  std::string subscriber;
  uint64_t first, last;
  bool operator==(const Gap&) const = default;
};

class Stream {
 public:
  Stream(const std::string& journal, const std::string& state, uint64_t batch_events = 1000,
         QueryRunner* runner = nullptr)
      : stream_(noting_gaps(options(journal, state, batch_events)),
                [this](const std::string& t, const ZeekEvent& e) { sent.push_back({t, e}); }, runner) {}
  StreamOptions noting_gaps(StreamOptions o) {
    o.gap_sent = [this](const std::string& name, uint64_t first, uint64_t last) {
      gaps.push_back({name, first, last});
    };
    return o;
  }

  void subscribe(const std::string& name, Set kinds, uint64_t window) {
    EXPECT_TRUE(stream_.received({"ZAgent::subscribe_v1", {name, std::move(kinds), window}}, 0));
  }
  void ack(const std::string& name, uint64_t seq) {
    EXPECT_TRUE(stream_.received({"ZAgent::ack_v1", {name, seq}}, 0));
  }
  void send(ZeekEvent e) { EXPECT_TRUE(stream_.received(e, 0)); }
  std::vector<Sent> pump() {
    sent.clear();
    stream_.pump();
    return sent;
  }
  std::vector<Sent> sent;
  std::vector<Gap> gaps;  // told to gap_sent, for the journal
  EventStream stream_;
};

uint64_t first_seq(const Sent& s) { return *s.event.args.at(2).get<uint64_t>(); }
uint64_t last_seq(const Sent& s) { return *s.event.args.at(3).get<uint64_t>(); }
size_t line_count(const Sent& s) {
  const std::string& lines = *s.event.args.at(4).get<std::string>();
  return lines.empty() ? 0 : std::count(lines.begin(), lines.end(), '\n') + 1;
}
std::string error_text(const Sent& s) {
  EXPECT_EQ(s.event.name, "ZAgent::error_v1");
  EXPECT_EQ(s.event.args.size(), 3u);
  if (s.event.args.size() != 3) return "?";
  EXPECT_EQ(s.event.args[0], BrokerData(kAgent));
  // The subscriber's name, or "" on the topic for bad names.
  const std::string* name = s.event.args[1].get<std::string>();
  EXPECT_TRUE(name && (name->empty() ? s.topic == "/zagent/stream/all/agent-1"
                                     : s.topic == "/zagent/stream/" + *name + "/agent-1"))
      << s.topic;
  return s.event.args[2].get<std::string>() ? *s.event.args[2].get<std::string>() : "?";
}

TEST(EventStream, SaysHelloOnEachConnectionWithANewSessionAndAgainWhenDue) {
  testing::TempDir dir;
  std::vector<Sent> sent;
  StreamOptions o = options(dir / "j", dir / "state");
  o.hostname = "host-1";
  o.hello_interval_ns = 60;
  EventStream stream(o, [&sent](const std::string& t, const ZeekEvent& e) { sent.push_back({t, e}); });
  EXPECT_EQ(stream.run_due(0), INT64_MAX);  // not connected: no hello
  EXPECT_TRUE(sent.empty());
  stream.connected(100);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].topic, "/zagent/hello/agent-1");
  EXPECT_EQ(sent[0].event.name, "ZAgent::hello_v1");
  ASSERT_EQ(sent[0].event.args.size(), 3u);
  EXPECT_EQ(sent[0].event.args[0], BrokerData(kAgent));
  EXPECT_EQ(sent[0].event.args[2], BrokerData("host-1"));
  const BrokerData session = sent[0].event.args[1];
  ASSERT_TRUE(session.get<std::string>());
  EXPECT_EQ(session.get<std::string>()->size(), 36u);  // a UUID
  EXPECT_EQ(stream.run_due(159), 160);
  EXPECT_EQ(sent.size(), 1u);
  EXPECT_EQ(stream.run_due(160), 220);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].event.args[1], session);  // the same connection
  stream.connected(300);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_NE(sent[2].event.args[1], session);  // a new one
}

TEST(EventStream, SendsEverythingAfterTheAcknowledgedSeqThenWaits) {
  testing::TempDir dir;
  const auto written = testing::write_stream_journal(dir / "j", 50);
  Stream s(dir / "j", dir / "state", 20);
  s.subscribe("zeek-a", {}, 1000);
  const auto out = s.pump();
  ASSERT_EQ(out.size(), 3u);  // 20 + 20 + 10
  EXPECT_EQ(out[0].topic, "/zagent/stream/zeek-a/agent-1");
  EXPECT_EQ(out[0].event.name, "ZAgent::events_v1");
  EXPECT_EQ(out[0].event.args.at(0), BrokerData(kAgent));
  EXPECT_EQ(out[0].event.args.at(1), BrokerData("zeek-a"));
  EXPECT_EQ(first_seq(out[0]), written[0].first);
  EXPECT_EQ(last_seq(out[0]), written[19].first);
  EXPECT_EQ(first_seq(out[1]), written[20].first);
  EXPECT_EQ(last_seq(out[2]), written[49].first);
  EXPECT_EQ(line_count(out[0]) + line_count(out[1]) + line_count(out[2]), 50u);
  EXPECT_TRUE(s.pump().empty());  // all sent: nothing again
  s.ack("zeek-a", written[49].first);
  EXPECT_TRUE(s.pump().empty());
}

TEST(EventStream, TheWindowBoundsWhatIsInFlight) {
  testing::TempDir dir;
  const auto written = testing::write_stream_journal(dir / "j", 50);
  Stream s(dir / "j", dir / "state");
  s.subscribe("w", {}, 10);
  auto out = s.pump();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(last_seq(out[0]), written[9].first);
  EXPECT_TRUE(s.pump().empty());  // ten in flight: wait
  s.ack("w", written[4].first);
  out = s.pump();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(first_seq(out[0]), written[10].first);
  EXPECT_EQ(last_seq(out[0]), written[14].first);
}

TEST(EventStream, ResumesAcrossRestartsRightAfterTheAcknowledgedSeq) {
  testing::TempDir dir;
  const auto written = testing::write_stream_journal(dir / "j", 50);
  {
    Stream s(dir / "j", dir / "state");
    s.subscribe("r", {}, 30);
    ASSERT_EQ(last_seq(s.pump().back()), written[29].first);
    s.ack("r", written[11].first);  // 12 processed; 13-30 were in flight
  }
  Stream again(dir / "j", dir / "state");  // the agent restarted
  again.subscribe("r", {}, 1000);
  const auto out = again.pump();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(first_seq(out.front()), written[12].first);  // nothing skipped
  EXPECT_EQ(last_seq(out.back()), written[49].first);
  size_t lines = 0;
  for (const Sent& x : out) lines += line_count(x);
  EXPECT_EQ(lines, 38u);  // nothing processed twice
  // Another subscriber has its own position: from the start.
  again.subscribe("other", {}, 1000);
  again.sent.clear();
  const auto other = again.pump();
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(other.front().topic, "/zagent/stream/other/agent-1");
  EXPECT_EQ(first_seq(other.front()), written[0].first);
}

TEST(EventStream, OnlyTheKindsAsked) {
  testing::TempDir dir;
  const auto written = testing::write_stream_journal(dir / "j", 50);
  const EventType kind = written[0].second;
  Stream s(dir / "j", dir / "state");
  s.subscribe("k", Set{{std::string(event_type_name(kind))}}, 1000);
  const auto out = s.pump();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(line_count(out[0]),
            static_cast<size_t>(std::count_if(written.begin(), written.end(), [&](auto& w) { return w.second == kind; })));
  EXPECT_EQ(last_seq(out[0]), written[49].first);  // the rest covered, not sent
}

TEST(EventStream, AGapLeftByRetentionIsSentFirstAndExactly) {
  testing::TempDir dir;
  const auto written = testing::write_stream_journal(dir / "j", 2000, {4096, 12 * 1024});
  SubscriberPositions(dir / "state").acknowledge("g", written[0].first);  // it had the first event only
  Stream s(dir / "j", dir / "state");
  s.subscribe("g", {}, 100);
  const auto out = s.pump();
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out[0].event.name, "ZAgent::gap_v1");
  EXPECT_EQ(out[0].topic, "/zagent/stream/g/agent-1");
  EXPECT_EQ(out[0].event.args.at(2), BrokerData(written[1].first));
  const uint64_t oldest = first_seq(out[1]);
  EXPECT_EQ(out[0].event.args.at(3), BrokerData(oldest - 1));
  EXPECT_GT(oldest, written[1].first);
  EXPECT_EQ(s.gaps, (std::vector<Gap>{{"g", written[1].first, oldest - 1}}));
}

TEST(EventStream, ANewSubscriberGetsAWholeWindowWhereverTheJournalStarts) {
  testing::TempDir dir;
  testing::write_stream_journal(dir / "j", 4000, {4096, 64 * 1024});  // starts far past seq 1, holds > 200
  Stream s(dir / "j", dir / "state", 20);
  s.subscribe("n", {}, 200);
  const auto out = s.pump();
  ASSERT_EQ(out.size(), 10u);  // 200 in flight, 20 a batch
  EXPECT_GT(first_seq(out[0]), 200u);
  EXPECT_EQ(last_seq(out.back()), first_seq(out[0]) + 199);
  EXPECT_TRUE(s.pump().empty());
}

TEST(EventStream, BadRequestsAreAnsweredAndMoveNothing) {
  testing::TempDir dir;
  const auto written = testing::write_stream_journal(dir / "j", 50);
  Stream s(dir / "j", dir / "state");
  s.subscribe("b", {}, 10);
  s.pump();  // seqs of the first 10 sent
  s.ack("b", written[5].first);
  const auto expect_error = [&](ZeekEvent e, const std::string& topic, const std::string& message) {
    s.sent.clear();
    s.send(std::move(e));
    ASSERT_EQ(s.sent.size(), 1u) << message;
    EXPECT_EQ(s.sent[0].topic, topic);
    EXPECT_EQ(error_text(s.sent[0]), message);
  };
  const std::string mine = "/zagent/stream/b/agent-1";
  const std::string w20 = std::to_string(written[20].first), w9 = std::to_string(written[9].first);
  expect_error({"ZAgent::ack_v1", {"b", written[20].first}}, mine,
               "ZAgent::ack_v1: seq " + w20 + " was not sent yet (sent up to " + w9 + ")");
  expect_error({"ZAgent::ack_v1", {"b", written[2].first}}, mine,
               "subscriber b: acknowledgement of seq " + std::to_string(written[2].first) + " goes back from " +
                   std::to_string(written[5].first));
  expect_error({"ZAgent::ack_v1", {"b", "12"}}, mine, "ZAgent::ack_v1: argument 2 must be the seq processed (a count)");
  expect_error({"ZAgent::ack_v1", {"b", int64_t{12}}}, mine,
               "ZAgent::ack_v1: argument 2 must be the seq processed (a count)");
  expect_error({"ZAgent::ack_v1", {"b"}}, mine, "ZAgent::ack_v1: want 2 arguments, got 1");
  expect_error({"ZAgent::ack_v1", {"nobody", uint64_t{1}}}, "/zagent/stream/nobody/agent-1",
               "ZAgent::ack_v1: no subscriber 'nobody' on this connection");
  expect_error({"ZAgent::ack_v1", {uint64_t{1}, uint64_t{1}}}, "/zagent/stream/all/agent-1",
               "ZAgent::ack_v1: argument 1 must be the subscriber's name (a string)");
  expect_error({"ZAgent::subscribe_v1", {"../etc", Set{}, uint64_t{1}}}, "/zagent/stream/all/agent-1",
               "subscriber name '../etc' must not start with '.'");
  expect_error({"ZAgent::subscribe_v1", {"c", Set{{"exec"}}, uint64_t{1}}}, "/zagent/stream/c/agent-1",
               "ZAgent::subscribe_v1: unknown event kind 'exec'");
  expect_error({"ZAgent::subscribe_v1", {"c", Set{}, uint64_t{0}}}, "/zagent/stream/c/agent-1",
               "ZAgent::subscribe_v1: the window must be at least 1");
  EXPECT_EQ(s.stream_.subscriber_count(), 1u);  // "c" never subscribed
  // Nothing moved: the position is the last good ack, and the stream goes
  // on from what was sent.
  EXPECT_EQ(SubscriberPositions(dir / "state").acknowledged("b"), written[5].first);
  const auto out = s.pump();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(first_seq(out[0]), written[10].first);
  EXPECT_EQ(last_seq(out[0]), written[15].first);
  EXPECT_FALSE(s.stream_.received({"ZeekAgentAPI::install_query_v1", {}}, 0));  // not the stream's
}

// The seq of a batch line ("KIND \t SECONDS \t {"seq":N,...") and its kind.
std::vector<std::pair<std::string, uint64_t>> kinds_and_seqs(const std::vector<Sent>& out) {
  std::vector<std::pair<std::string, uint64_t>> v;
  for (const Sent& s : out) {
    const std::string& lines = *s.event.args.at(4).get<std::string>();
    size_t start = 0;
    while (start < lines.size()) {
      size_t nl = lines.find('\n', start);
      if (nl == std::string::npos) nl = lines.size();
      const std::string line = lines.substr(start, nl - start);
      v.emplace_back(line.substr(0, line.find('\t')), std::stoull(line.substr(line.find("{\"seq\":") + 7)));
      start = nl + 1;
    }
  }
  return v;
}

TEST(EventStream, AFilterKeepsWhatItsConditionSelectsOfItsKindAndTheOtherKindsWhole) {
  testing::TempDir dir;
  testing::write_stream_journal(dir / "j", 300);
  std::vector<Event> events;
  JournalReader reader({dir / "j"}, {}, [](const Damage&) {});
  for (ReadBlock b; reader.next_block(&b);) events.insert(events.end(), b.events.begin(), b.events.end());
  uint32_t port = 0;
  for (const Event& e : events)
    if (const auto* s = std::get_if<SocketEvent>(&e.body); s && !port) port = s->remote_port;
  ASSERT_NE(port, 0u);
  std::vector<std::pair<std::string, uint64_t>> want;
  for (const Event& e : events) {
    const auto* s = std::get_if<SocketEvent>(&e.body);
    if (s && s->remote_port == port) want.emplace_back("socket", e.seq);
    if (std::holds_alternative<ProcessExec>(e.body)) want.emplace_back("process_exec", e.seq);
  }
  ASSERT_LT(std::count_if(want.begin(), want.end(), [](auto& w) { return w.first == "socket"; }),
            std::count_if(events.begin(), events.end(), [](const Event& e) {
              return std::holds_alternative<SocketEvent>(e.body);
            }));  // the condition leaves some out
  tables::QueryContext context;
  context.journals = {dir / "j"};
  EngineQueryRunner runner(context, tables::QueryLimits{10, 100000, 256 << 20});
  Stream s(dir / "j", dir / "state", 1000, &runner);
  s.send({"ZAgent::subscribe_v1", {"f", Set{{"socket", "process_exec"}}, uint64_t{1000},
                                  Table{{{"socket", "remote_port = " + std::to_string(port)}}}}});
  const auto out = s.pump();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(kinds_and_seqs(out), want);
  EXPECT_EQ(last_seq(out.back()), events.back().seq);  // every seq covered
}

TEST(EventStream, BadFiltersAreRefusedNamingTheKind) {
  testing::TempDir dir;
  testing::write_stream_journal(dir / "j", 10);
  tables::QueryContext context;
  context.journals = {dir / "j"};
  EngineQueryRunner runner(context, tables::QueryLimits{10, 100000, 256 << 20});
  Stream s(dir / "j", dir / "state", 1000, &runner);
  const auto refused = [&](Table filters) {
    s.sent.clear();
    s.send({"ZAgent::subscribe_v1", {"f", Set{}, uint64_t{10}, std::move(filters)}});
    EXPECT_EQ(s.stream_.subscriber_count(), 0u);
    return s.sent.size() == 1 ? error_text(s.sent[0]) : "no error";
  };
  EXPECT_EQ(refused(Table{{{"exec", "1"}}}), "ZAgent::subscribe_v1: filter for unknown event kind 'exec'");
  EXPECT_EQ(refused(Table{{{"socket", "1; SELECT 2"}}}),
            "ZAgent::subscribe_v1: filter for socket: one condition, without ';'");
  EXPECT_EQ(refused(Table{{{"socket", "no_such_column = 1"}}}).rfind("ZAgent::subscribe_v1: filter for socket: ", 0), 0u);
  EXPECT_EQ(refused(Table{{{"socket", uint64_t{1}}}}),
            "ZAgent::subscribe_v1: filters must be a table of kind to condition (strings)");
  // Without a runner, filters are refused; an empty table is no filter.
  Stream plain(dir / "j", dir / "state");
  plain.send({"ZAgent::subscribe_v1", {"g", Set{}, uint64_t{10}, Table{{{"socket", "1"}}}}});
  ASSERT_EQ(plain.sent.size(), 1u);
  EXPECT_EQ(error_text(plain.sent[0]), "ZAgent::subscribe_v1: filters are not served here");
  plain.send({"ZAgent::subscribe_v1", {"g", Set{}, uint64_t{10}, Table{}}});
  EXPECT_EQ(plain.stream_.subscriber_count(), 1u);
}

}  // namespace
}  // namespace zagent::zeek
