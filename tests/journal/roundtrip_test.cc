// Any sequence of events of every type round-trips exactly through the
// writer and the reader: random byte strings (non-UTF-8, NULs), empty and
// huge argv, extreme integers, random block bounds.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <limits>

#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "tests/support/any_event.h"
#include "tests/support/journal_read.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::any;
using testing::any_body;
using testing::read_all;
using testing::ReadResult;
using testing::TempDir;

WriterOptions options_for(const std::string& dir) {
  WriterOptions o;
  o.dir = dir;
  o.host = HostIdentity{"test-host", "machine", "boot"};
  o.agent_version = "test";
  return o;
}

// Appends `bodies` with the given timestamps, closes, returns what was written.
std::vector<Event> write_journal(const WriterOptions& o, std::vector<std::pair<int64_t, EventBody>> in) {
  std::vector<Event> written;
  JournalWriter writer(o);
  for (auto& [ts, body] : in) {
    Event e{ts, 0, body};
    e.seq = writer.append(ts, std::move(body));
    written.push_back(std::move(e));
  }
  writer.close();
  return written;
}

RC_GTEST_PROP(JournalRoundTrip, AnyEventsOfAllTypesComeBackExactly, ()) {
  TempDir dir;
  WriterOptions o = options_for(dir.path());
  // Random block bounds, so events land in one block or many.
  o.block_events = static_cast<uint32_t>(*rc::gen::inRange(1, 64));
  o.block_bytes = static_cast<size_t>(*rc::gen::inRange(64, 1 << 16));
  o.rotate_bytes = static_cast<uint64_t>(*rc::gen::inRange(512, 1 << 20));
  o.retain_bytes = 0;
  o.retain_age_ns = 0;

  std::vector<std::pair<int64_t, EventBody>> in;
  const int n = *rc::gen::inRange(0, 120);
  for (int i = 0; i < n; ++i) in.emplace_back(any<int64_t>(), any_body());
  const std::vector<Event> written = write_journal(o, in);

  ReadResult got = read_all({dir.path()});
  RC_ASSERT(got.damage.empty());
  // The writer records its own rotations; compare the caller's events.
  std::vector<Event> mine;
  for (const Event& e : got.events) {
    const auto* s = std::get_if<SensorEvent>(&e.body);
    if (s && s->sensor == "journal" && s->action == SensorAction::JournalRotated) continue;
    mine.push_back(e);
  }
  RC_ASSERT(mine == written);
}

TEST(JournalRoundTrip, EmptyAndHugeArgv) {
  TempDir dir;
  ProcessExec empty;
  empty.exe = "/bin/empty";
  ProcessExec many;
  many.exe = "/bin/many";
  for (int i = 0; i < 100'000; ++i) many.argv.push_back("arg" + std::to_string(i));
  ProcessExec big;
  big.exe = "/bin/big";
  big.argv = {std::string(4 << 20, 'x'), "", std::string("\0\xff\xfe", 3)};
  const std::vector<Event> written =
      write_journal(options_for(dir.path()), {{1, empty}, {2, many}, {3, big}});

  ReadResult got = read_all({dir.path()});
  EXPECT_TRUE(got.damage.empty());
  ASSERT_EQ(got.events.size(), 3u);
  EXPECT_EQ(got.events, written);
  EXPECT_TRUE(std::get<ProcessExec>(got.events[0].body).argv.empty());
  EXPECT_EQ(std::get<ProcessExec>(got.events[1].body).argv.size(), 100'000u);
  EXPECT_EQ(std::get<ProcessExec>(got.events[1].body).argv[99'999], "arg99999");
  EXPECT_EQ(std::get<ProcessExec>(got.events[2].body).argv[0].size(), size_t{4} << 20);
}

TEST(JournalRoundTrip, ExtremeTimestampsAndSeqDeltas) {
  TempDir dir;
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  WriterOptions o = options_for(dir.path());
  o.block_events = 1000;
  const std::vector<Event> written =
      write_journal(o, {{hi, ProcessFork{}}, {lo, ProcessFork{}}, {0, ProcessFork{}}, {-1, ProcessExit{}}});
  ReadResult got = read_all({dir.path()});
  EXPECT_TRUE(got.damage.empty());
  EXPECT_EQ(got.events, written);
  EXPECT_EQ(got.events[0].ts, hi);
  EXPECT_EQ(got.events[1].ts, lo);
}

TEST(JournalRoundTrip, WindowAndTypeFiltersSelectExactly) {
  TempDir dir;
  std::vector<std::pair<int64_t, EventBody>> in;
  for (int i = 0; i < 1000; ++i) {
    if (i % 3 == 0) {
      in.emplace_back(i * 1000, SocketEvent{});
    } else {
      in.emplace_back(i * 1000, FileEvent{});
    }
  }
  WriterOptions o = options_for(dir.path());
  o.block_events = 64;
  const std::vector<Event> written = write_journal(o, in);

  ReadOptions window;
  window.since_ts = 100'000;
  window.until_ts = 200'000;
  window.type_mask = 1u << static_cast<unsigned>(EventType::SocketEvent);
  ReadResult got = read_all({dir.path()}, window);
  std::vector<Event> expected;
  for (const Event& e : written) {
    if (e.ts >= 100'000 && e.ts < 200'000 && e.type() == EventType::SocketEvent) expected.push_back(e);
  }
  EXPECT_EQ(got.events, expected);
  EXPECT_EQ(expected.size(), 33u);  // i = 102, 105, ..., 198

  ReadOptions from;
  from.from_seq = 990;
  ReadResult tail = read_all({dir.path()}, from);
  ASSERT_EQ(tail.events.size(), 11u);
  EXPECT_EQ(tail.events.front().seq, 990u);
  EXPECT_EQ(tail.events.back().seq, 1000u);
}

TEST(JournalRoundTrip, WindowReadsOnlyOverlappingBlocks) {
  TempDir dir;
  std::vector<std::pair<int64_t, EventBody>> in;
  for (int i = 0; i < 1000; ++i) in.emplace_back(i, ProcessFork{});
  WriterOptions o = options_for(dir.path());
  o.block_events = 100;  // blocks hold ts [0,100), [100,200), ...
  write_journal(o, in);

  ReadOptions window;
  window.since_ts = 250;
  window.until_ts = 420;
  JournalReader reader({dir.path()}, window, nullptr);
  ReadBlock block;
  size_t events = 0;
  while (reader.next_block(&block)) events += block.events.size();
  EXPECT_EQ(events, 170u);
  EXPECT_EQ(reader.stats().blocks_read, 3u);     // [200,300), [300,400), [400,500)
  EXPECT_EQ(reader.stats().blocks_skipped, 7u);  // judged by their trailers only
}

}  // namespace
}  // namespace zagent
