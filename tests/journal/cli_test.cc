// The zagent journal commands as a user runs them: info, cat, verify, export,
// concatenated segments, zstdcat, and the errors a user sees.
#include <gtest/gtest.h>

#include "journal/event_json.h"
#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "journal/timestamp.h"
#include "tests/support/sample_events.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::run_command;
using testing::TempDir;

const std::string kZagent = ZAGENT_BINARY;
constexpr int64_t kStart = 1'764'000'000'000'000'000;  // 2025-11-24T16:00:00Z

// A journal of three segments: 3000 generated events, 1 ms apart.
std::vector<Event> write_sample_journal(const std::string& dir) {
  WriterOptions o;
  o.dir = dir;
  o.host = HostIdentity{"cli-host", "m1", "b1"};
  o.agent_version = "test";
  o.block_events = 100;
  std::vector<Event> written;
  JournalWriter writer(o);
  testing::SampleEvents sample(3);
  for (int i = 0; i < 3000; ++i) {
    if (i == 1000 || i == 2000) writer.rotate();
    const int64_t ts = kStart + i * 1'000'000ll;
    EventBody body = sample.next_body();
    Event e{ts, 0, body};
    e.seq = writer.append(ts, std::move(body));
    written.push_back(std::move(e));
  }
  writer.close();
  return written;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    start = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

std::string json_line(const Event& e, const std::string& host) {
  std::string out;
  append_event_json(e, host, &out);
  return out;
}

bool is_rotation(const std::string& line) { return line.find("\"journal_rotated\"") != std::string::npos; }

TEST(Cli, CatPrintsEveryEventAsOneJsonLineInOrder) {
  TempDir dir;
  const std::vector<Event> written = write_sample_journal(dir / "j");
  const auto r = run_command(kZagent + " cat " + dir / "j");
  ASSERT_EQ(r.status, 0);
  std::vector<std::string> got;
  for (const std::string& l : lines(r.out)) {
    if (!is_rotation(l)) got.push_back(l);
  }
  ASSERT_EQ(got.size(), written.size());
  for (size_t i = 0; i < written.size(); ++i) ASSERT_EQ(got[i], json_line(written[i], "cli-host"));
}

TEST(Cli, CatWindowAndTypeFilters) {
  TempDir dir;
  const std::vector<Event> written = write_sample_journal(dir / "j");
  // RFC 3339 since, epoch-seconds until: [kStart + 500 ms, kStart + 1.5 s).
  const std::string cmd = kZagent + " cat --since 2025-11-24T16:00:00.5Z --until 1764000001.5 --type socket,process_exec " + dir / "j";
  const auto r = run_command(cmd);
  ASSERT_EQ(r.status, 0);
  std::vector<std::string> expected;
  for (const Event& e : written) {
    if (e.ts >= kStart + 500'000'000 && e.ts < kStart + 1'500'000'000 &&
        (e.type() == EventType::SocketEvent || e.type() == EventType::ProcessExec)) {
      expected.push_back(json_line(e, "cli-host"));
    }
  }
  EXPECT_EQ(lines(r.out), expected);
  EXPECT_GT(expected.size(), 400u);
}

TEST(Cli, ConcatenatedSegmentsReadAsOneJournal) {
  TempDir dir;
  write_sample_journal(dir / "j");
  const std::vector<std::string> segments = JournalReader::list_segments(dir / "j");
  ASSERT_EQ(segments.size(), 3u);
  const std::string all = dir / "all.zst";
  ASSERT_EQ(run_command("cat " + segments[0] + " " + segments[1] + " " + segments[2] + " > " + all).status, 0);

  const auto from_dir = run_command(kZagent + " cat " + dir / "j");
  const auto from_cat = run_command(kZagent + " cat " + all);
  const auto from_stdin = run_command(kZagent + " cat - < " + all);
  ASSERT_EQ(from_cat.status, 0);
  ASSERT_EQ(from_stdin.status, 0);
  EXPECT_EQ(from_cat.out, from_dir.out);
  EXPECT_EQ(from_stdin.out, from_dir.out);
  const auto v = run_command(kZagent + " verify " + all);
  EXPECT_EQ(v.status, 0) << v.out;
  EXPECT_NE(v.out.find("OK: 3 segment(s)"), std::string::npos) << v.out;
}

TEST(Cli, SegmentsOutOfOrderOrMissingBreakTheChain) {
  TempDir dir;
  write_sample_journal(dir / "j");
  const std::vector<std::string> s = JournalReader::list_segments(dir / "j");
  ASSERT_EQ(run_command("cat " + s[0] + " " + s[2] + " > " + dir / "gap.zst").status, 0);
  const auto gap = run_command(kZagent + " verify " + dir / "gap.zst 2>&1");
  EXPECT_EQ(gap.status, 1);
  EXPECT_NE(gap.out.find("missing segment"), std::string::npos) << gap.out;
  EXPECT_NE(gap.out.find("segments 2..2 of this journal are missing"), std::string::npos) << gap.out;
}

TEST(Cli, ZstdcatReadsEverySegmentAndTheirConcatenation) {
  TempDir dir;
  write_sample_journal(dir / "j");
  uint64_t raw_total = 0;
  JournalReader reader({dir / "j"}, ReadOptions{}, nullptr);
  ReadBlock block;
  while (reader.next_block(&block)) raw_total += block.trailer.raw_size;
  const std::vector<std::string> s = JournalReader::list_segments(dir / "j");
  const auto r = run_command("zstdcat " + s[0] + " " + s[1] + " " + s[2] + " | wc -c");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(std::stoull(r.out), raw_total);
  ASSERT_EQ(run_command("cat " + s[0] + " " + s[1] + " > " + dir / "two.zst").status, 0);
  EXPECT_EQ(run_command("zstd -t -q " + dir / "two.zst").status, 0);
}

TEST(Cli, ExportHoldsExactlyTheWindowAndVerifiesOnItsOwn) {
  TempDir dir;
  const std::vector<Event> written = write_sample_journal(dir / "j");
  const std::string out = dir / "window.zst";
  // A window that spans the first rotation: [kStart + 0.9 s, kStart + 2.2 s).
  const auto e = run_command(kZagent + " export --since 1764000000.9 --until 2025-11-24T16:00:02.2Z -o " + out +
                             " " + dir / "j 2>&1");
  ASSERT_EQ(e.status, 0) << e.out;

  JournalReader reader({out}, ReadOptions{}, [](const Damage& d) { ADD_FAILURE() << d.to_string(); });
  std::optional<SegmentHeader> header;
  reader.on_segment([&](const std::string&, const ScannedSegment& s) { header = s.header; });
  std::vector<Event> got;
  ReadBlock block;
  while (reader.next_block(&block)) got.insert(got.end(), block.events.begin(), block.events.end());

  std::vector<Event> expected;
  for (const Event& ev : written) {
    if (ev.ts >= kStart + 900'000'000 && ev.ts < kStart + 2'200'000'000) expected.push_back(ev);
  }
  std::vector<Event> got_mine;
  for (const Event& ev : got) {
    if (!std::holds_alternative<SensorEvent>(ev.body)) got_mine.push_back(ev);
  }
  std::vector<Event> expected_mine;
  for (const Event& ev : expected) {
    if (!std::holds_alternative<SensorEvent>(ev.body)) expected_mine.push_back(ev);
  }
  EXPECT_EQ(got_mine, expected_mine);
  EXPECT_EQ(got_mine.size(), 1300u - (expected.size() - expected_mine.size()));

  ASSERT_TRUE(header.has_value());
  ASSERT_TRUE(header->origin.has_value());
  EXPECT_EQ(header->origin->host_name, "cli-host");
  EXPECT_EQ(header->origin->first_segment, 1u);
  EXPECT_EQ(header->origin->last_segment, 3u);  // segment 3 starts at 2.0 s
  EXPECT_EQ(header->origin->since_ts, kStart + 900'000'000);
  EXPECT_EQ(header->origin->until_ts, kStart + 2'200'000'000);
  EXPECT_EQ(header->host_name, "cli-host");
  EXPECT_EQ(header->first_seq, got.front().seq);
  EXPECT_EQ(header->prev_hash, Hash{});

  const auto v = run_command(kZagent + " verify " + out);
  EXPECT_EQ(v.status, 0) << v.out;
  const auto info = run_command(kZagent + " info " + out);
  EXPECT_EQ(info.status, 0);
  EXPECT_NE(info.out.find("exported from journal"), std::string::npos) << info.out;

  // From standard input, which export reads twice.
  const std::string from_stdin = dir / "stdin.zst";
  const auto s = run_command(kZagent + " export --since 1764000000.9 --until 2025-11-24T16:00:02.2Z -o " +
                             from_stdin + " - < " + JournalReader::list_segments(dir / "j")[1] + " 2>&1");
  ASSERT_EQ(s.status, 0) << s.out;
  EXPECT_NE(s.out.find("exported 1000 event(s)"), std::string::npos) << s.out;  // all of segment 2
  EXPECT_EQ(run_command(kZagent + " verify " + from_stdin).status, 0);

  // The output is never overwritten.
  const auto again = run_command(kZagent + " export -o " + out + " " + dir / "j 2>&1");
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.out.find(out), std::string::npos) << again.out;
}

TEST(Cli, VerifyNamesTheFirstBreakAndExitsOne) {
  TempDir dir;
  write_sample_journal(dir / "j");
  const std::string seg = JournalReader::list_segments(dir / "j")[1];
  std::vector<uint8_t> bytes = testing::read_file(seg);
  const size_t at = bytes.size() / 2;
  bytes[at] ^= 0x10;
  testing::write_file(seg, bytes);

  const auto v = run_command(kZagent + " verify " + dir / "j");
  EXPECT_EQ(v.status, 1);
  EXPECT_EQ(v.out.rfind("FAILED", 0), 0u) << v.out;
  EXPECT_NE(v.out.find(seg + ": offset "), std::string::npos) << v.out;

  // cat still prints every intact block, warns on stderr and exits 1.
  const auto c = run_command(kZagent + " cat " + dir / "j 2>/dev/null | wc -l");
  EXPECT_GT(std::stoull(c.out), 2500u);
  EXPECT_EQ(run_command(kZagent + " cat " + dir / "j >/dev/null 2>&1").status, 1);
}

TEST(Cli, InfoSummarizesSegmentsTypesAndChain) {
  TempDir dir;
  const std::vector<Event> written = write_sample_journal(dir / "j");
  const auto r = run_command(kZagent + " info " + dir / "j");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("total: 3 segment(s), 3002 events"), std::string::npos) << r.out;  // + 2 rotations
  EXPECT_NE(r.out.find("host cli-host"), std::string::npos);
  EXPECT_NE(r.out.find("time:  2025-11-24T16:00:00.000000000Z .. "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chain: intact"), std::string::npos);
  size_t sockets = 0;
  for (const Event& e : written) sockets += e.type() == EventType::SocketEvent;
  EXPECT_NE(r.out.find("socket             " + std::to_string(sockets)), std::string::npos) << r.out;
}

TEST(Cli, ErrorsNameTheFileOrValue) {
  TempDir dir;
  const auto missing = run_command(kZagent + " cat " + dir / "nope.zst 2>&1");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find(dir / "nope.zst"), std::string::npos) << missing.out;
  write_sample_journal(dir / "j");
  const auto bad_time = run_command(kZagent + " cat --since yesterday " + dir / "j 2>&1");
  EXPECT_EQ(bad_time.status, 2);
  EXPECT_NE(bad_time.out.find("'yesterday'"), std::string::npos) << bad_time.out;
  const auto bad_type = run_command(kZagent + " cat --type sockets " + dir / "j 2>&1");
  EXPECT_EQ(bad_type.status, 2);
  EXPECT_NE(bad_type.out.find("'sockets'"), std::string::npos) << bad_type.out;
}

}  // namespace
}  // namespace zagent
