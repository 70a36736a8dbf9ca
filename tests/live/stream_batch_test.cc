// Batches of the host event stream (agent/zeek/stream_batch.h), read from
// real journals: seq ranges, limits, type filters, and gaps left by the
// writer's own retention, named exactly.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "agent/zeek/stream_batch.h"
#include "journal/event_names.h"
#include "journal/journal_reader.h"
#include "tests/support/stream_journal.h"
#include "tests/support/temp_dir.h"

namespace zagent::zeek {
namespace {

using testing::write_stream_journal;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  if (!text.empty()) out.push_back(text.substr(start));
  return out;
}

StreamBatch read(const std::string& dir, StreamRequest r) {
  std::optional<StreamBatch> b = read_stream_batch(dir, r, [](const Damage& d) { ADD_FAILURE() << d.to_string(); });
  EXPECT_TRUE(b.has_value());
  return b.value_or(StreamBatch{});
}

TEST(StreamBatch, EveryEventFromTheStartAsReplayLines) {
  testing::TempDir dir;
  const auto written = write_stream_journal(dir / "j", 50);
  const StreamBatch b = read(dir / "j", {});
  EXPECT_EQ(b.first_seq, written.front().first);
  EXPECT_EQ(b.last_seq, written.back().first);
  EXPECT_EQ(b.events, 50u);
  EXPECT_FALSE(b.gap);
  const auto lines = split(b.lines);
  ASSERT_EQ(lines.size(), 50u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto tab1 = lines[i].find('\t');
    const auto tab2 = lines[i].find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << lines[i];
    EXPECT_EQ(lines[i].substr(0, tab1), event_type_name(written[i].second));
    EXPECT_EQ(lines[i].substr(tab1 + 1, tab2 - tab1 - 1), std::to_string(1'790'000'000 + i) + ".000000000");
    const nlohmann::json j = nlohmann::json::parse(lines[i].substr(tab2 + 1));
    EXPECT_EQ(j.at("seq").get<uint64_t>(), written[i].first) << lines[i];
    EXPECT_EQ(j.at("host").get<std::string>(), "host-a");
  }
}

TEST(StreamBatch, ResumesRightAfterTheAcknowledgedSeqWithinItsLimit) {
  testing::TempDir dir;
  const auto written = write_stream_journal(dir / "j", 50);
  StreamRequest r;
  r.after = written[19].first;
  r.max_events = 10;
  const StreamBatch b = read(dir / "j", r);
  EXPECT_EQ(b.first_seq, written[20].first);
  EXPECT_EQ(b.last_seq, written[29].first);
  EXPECT_EQ(b.events, 10u);
  EXPECT_FALSE(b.gap);
  r.after = written.back().first;
  EXPECT_EQ(read_stream_batch(dir / "j", r, [](const Damage&) {}), std::nullopt);  // nothing newer yet
}

TEST(StreamBatch, OnlyTheWantedTypesButEverySeqCovered) {
  testing::TempDir dir;
  const auto written = write_stream_journal(dir / "j", 50);
  const EventType wanted = written[0].second;
  StreamRequest r;
  r.type_mask = 1u << static_cast<unsigned>(wanted);
  const StreamBatch b = read(dir / "j", r);
  const auto want = std::count_if(written.begin(), written.end(), [&](const auto& w) { return w.second == wanted; });
  EXPECT_EQ(b.events, static_cast<uint64_t>(want));
  EXPECT_EQ(b.first_seq, written.front().first);
  EXPECT_EQ(b.last_seq, written.back().first);  // the unwanted were looked at, and are covered
  for (const std::string& line : split(b.lines)) EXPECT_EQ(line.substr(0, line.find('\t')), event_type_name(wanted));
  r.max_examined = 5;  // a bound on the work of one batch, wanted or not
  EXPECT_EQ(read(dir / "j", r).last_seq, written[4].first);
}

TEST(StreamBatch, RetentionGapIsNamedExactly) {
  testing::TempDir dir;
  const auto written = write_stream_journal(dir / "j", 2000, {4096, 12 * 1024});
  // The oldest seq the journal still holds, as any reader sees it.
  uint64_t oldest = 0;
  JournalReader reader({dir / "j"}, {}, [](const Damage&) {});
  ReadBlock block;
  ASSERT_TRUE(reader.next_block(&block));
  oldest = block.events.front().seq;
  ASSERT_GT(oldest, written.front().first + 1) << "retention deleted nothing";
  StreamRequest r;
  r.after = written.front().first;  // acknowledged the first event only
  const StreamBatch b = read(dir / "j", r);
  ASSERT_TRUE(b.gap);
  EXPECT_EQ(b.gap->first, written.front().first + 1);
  EXPECT_EQ(b.gap->second, oldest - 1);
  EXPECT_EQ(b.first_seq, oldest);
  r.after = oldest - 1;  // acknowledged right up to what is held: no gap
  EXPECT_FALSE(read(dir / "j", r).gap);
}

// The writer's tail: events it holds that are not on disk yet. Here its
// first 20 are on disk as well, as when the writer flushes after the tail
// was taken; 5 more are the tail's only.
TEST(StreamBatch, GoesOnFromTheWritersTailWhereTheDiskEndsEachSeqOnce) {
  testing::TempDir dir;
  const auto written = write_stream_journal(dir / "j", 50);
  std::vector<Event> on_disk;
  JournalReader reader({dir / "j"}, {}, [](const Damage&) {});
  for (ReadBlock block; reader.next_block(&block);) on_disk.insert(on_disk.end(), block.events.begin(), block.events.end());
  ASSERT_EQ(on_disk.size(), 50u);
  tables::LiveTail tail;
  tail.host = "tail-host";
  tail.boot_id = "tail-boot";
  tail.events.assign(on_disk.begin() + 30, on_disk.end());
  for (uint64_t i = 1; i <= 5; ++i) {
    Event e = on_disk.back();
    e.seq += i;
    tail.events.push_back(e);
  }
  tail.boundary = tail.events.front().seq;
  StreamRequest r;
  r.tail = &tail;
  const StreamBatch all = read(dir / "j", r);
  EXPECT_EQ(all.first_seq, written.front().first);
  EXPECT_EQ(all.last_seq, on_disk.back().seq + 5);
  const auto lines = split(all.lines);
  ASSERT_EQ(lines.size(), 55u);
  std::vector<uint64_t> seqs;
  for (const std::string& line : lines) {
    seqs.push_back(nlohmann::json::parse(line.substr(line.find('\t', line.find('\t') + 1) + 1))["seq"]);
  }
  std::vector<uint64_t> want;
  for (const Event& e : on_disk) want.push_back(e.seq);
  for (uint64_t i = 1; i <= 5; ++i) want.push_back(on_disk.back().seq + i);
  EXPECT_EQ(seqs, want);  // in order, each once
  // From the boundary on, the events are the tail's, with its host and boot id.
  EXPECT_EQ(lines[29].find("tail-boot"), std::string::npos) << lines[29];
  EXPECT_NE(lines[30].find("\"host\":\"tail-host\""), std::string::npos) << lines[30];
  EXPECT_NE(lines[54].find("\"boot_id\":\"tail-boot\""), std::string::npos) << lines[54];
  // After everything on disk: the tail's own five.
  r.after = on_disk.back().seq;
  const StreamBatch rest = read(dir / "j", r);
  EXPECT_EQ(rest.first_seq, on_disk.back().seq + 1);
  EXPECT_EQ(rest.last_seq, on_disk.back().seq + 5);
  EXPECT_EQ(rest.events, 5u);
  // After the tail's last: nothing yet.
  r.after = on_disk.back().seq + 5;
  EXPECT_FALSE(read_stream_batch(dir / "j", r, [](const Damage&) {}));
}

}  // namespace
}  // namespace zagent::zeek
