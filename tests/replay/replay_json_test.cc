// zagent-replay --format json against journals the test writes: the same
// lines as `zagent cat`, the window in shifted time, type and host filters,
// two hosts' journals together, standard input, and a damaged block
// reported, skipped and said in the exit code.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "journal/timestamp.h"
#include "tests/support/sample_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_options.h"

namespace zagent {
namespace {

using testing::run_command;
using testing::SampleEvents;
using testing::TempDir;

const std::string kReplay = std::string(ZAGENT_REPLAY_BINARY) + " --format json";
const std::string kZagent = ZAGENT_BINARY;
constexpr int64_t kT0 = 1'790'000'000'000'000'000;
constexpr int64_t kSecond = 1'000'000'000;

// n events one second apart from kT0, by host `host`, in journal `dir`.
void write_journal(const std::string& dir, const std::string& host, int n, uint64_t seed) {
  int64_t clock = kT0;
  WriterOptions o = testing::test_writer_options(dir, &clock);
  o.block_events = 7;
  o.host = HostIdentity{host, "0123456789abcdef0123456789abcdef", "boot-" + host};
  JournalWriter w(o);
  SampleEvents sample(seed);
  for (int i = 0; i < n; ++i) {
    w.append(clock, sample.next_body());
    clock += kSecond;
  }
  w.close();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

class ReplayJson : public ::testing::Test {
 protected:
  void SetUp() override { write_journal(dir_ / "a", "host-a", 50, 1); }
  TempDir dir_;
};

TEST_F(ReplayJson, PrintsWhatZagentCatPrints) {
  const auto replay = run_command(kReplay + " " + dir_ / "a");
  const auto cat = run_command(kZagent + " cat " + dir_ / "a");
  ASSERT_EQ(replay.status, 0);
  EXPECT_EQ(replay.out, cat.out);
  EXPECT_EQ(lines(replay.out).size(), 50u);
  // Standard input reads the same.
  const std::string segment = JournalReader::list_segments(dir_ / "a").at(0);
  EXPECT_EQ(run_command(kReplay + " - < " + segment).out, cat.out);
}

TEST_F(ReplayJson, TheWindowIsInShiftedTimeAndTimesAreShifted) {
  // Shifted by -2.5 s, events 10..12 (at kT0 + 10..12 s) show at kT0 + 7.5..9.5 s.
  const std::string since = format_rfc3339(kT0 + 7 * kSecond + kSecond / 2);
  const std::string until = format_rfc3339(kT0 + 10 * kSecond);
  const auto r = run_command(kReplay + " --time-shift=-2.5s --since " + since + " --until " + until + " " + dir_ / "a");
  ASSERT_EQ(r.status, 0);
  const auto got = lines(r.out);
  const auto all = lines(run_command(kZagent + " cat " + dir_ / "a").out);
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const int64_t original = kT0 + (10 + i) * kSecond;
    const int64_t shifted = original - 5 * kSecond / 2;
    // The original line with its ts and time replaced.
    std::string expect = all[static_cast<size_t>(10 + i)];
    const std::string from = "\"ts\":" + std::to_string(original) + ",\"time\":\"" + format_rfc3339(original) + "\"";
    const std::string to = "\"ts\":" + std::to_string(shifted) + ",\"time\":\"" + format_rfc3339(shifted) + "\"";
    ASSERT_NE(expect.find(from), std::string::npos) << expect;
    expect.replace(expect.find(from), from.size(), to);
    EXPECT_EQ(got[static_cast<size_t>(i)], expect);
  }
}

TEST_F(ReplayJson, TypeAndHostFiltersAndTwoHostsTogether) {
  write_journal(dir_ / "b", "host-b", 30, 2);
  const std::string both = dir_ / "a" + " " + dir_ / "b";
  const auto all = lines(run_command(kReplay + " " + both).out);
  EXPECT_EQ(all.size(), 50u + 30u);
  const auto only_b = lines(run_command(kReplay + " --host host-b " + both).out);
  ASSERT_EQ(only_b.size(), 30u);
  for (const auto& l : only_b) EXPECT_NE(l.find("\"host\":\"host-b\""), std::string::npos) << l;
  EXPECT_EQ(only_b, lines(run_command(kReplay + " " + dir_ / "b").out));
  const auto typed = lines(run_command(kReplay + " --type socket --type file,login " + both).out);
  const auto typed_cat = lines(run_command(kZagent + " cat --type socket,file,login " + both).out);
  EXPECT_EQ(typed, typed_cat);
  EXPECT_FALSE(typed.empty());
  for (const auto& l : typed)
    EXPECT_TRUE(l.find("\"type\":\"socket\"") != std::string::npos || l.find("\"type\":\"file\"") != std::string::npos ||
                l.find("\"type\":\"login\"") != std::string::npos)
        << l;
}

TEST_F(ReplayJson, ADamagedBlockIsReportedSkippedAndSaidInTheExitCode) {
  const std::string segment = JournalReader::list_segments(dir_ / "a").at(0);
  // The third block's data frame gets a flipped byte.
  JournalReader reader({segment}, {}, nullptr);
  ReadBlock block;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(reader.next_block(&block));
  std::vector<uint8_t> bytes = testing::read_file(segment);
  bytes[block.data_offset + 12] ^= 0x20;
  testing::write_file(dir_ / "bad.zst", bytes);
  const auto r = run_command(kReplay + " " + dir_ / "bad.zst" + " 2>" + dir_ / "err; echo \"exit $?\"");
  const auto out = lines(r.out);
  EXPECT_EQ(out.back(), "exit 1");
  EXPECT_EQ(out.size() - 1, 50u - block.events.size());
  const std::string err = run_command("cat " + dir_ / "err").out;
  EXPECT_NE(err.find("zagent-replay: warning: " + dir_ / "bad.zst" + ": offset " + std::to_string(block.data_offset)),
            std::string::npos)
      << err;
}

TEST_F(ReplayJson, BadOptionsNameTheValue) {
  const auto r = run_command(kReplay + " --since yesterday " + dir_ / "a" + " 2>&1; echo \"exit $?\"");
  EXPECT_NE(r.out.find("yesterday"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit 2"), std::string::npos) << r.out;
  const auto s = run_command(kReplay + " --time-shift 2fortnights " + dir_ / "a" + " 2>&1; echo \"exit $?\"");
  EXPECT_EQ(s.out, "zagent-replay: --time-shift: '2fortnights' is not a duration (a signed number with ns, us, ms, s, m "
                   "or h, e.g. -2.5s)\nexit 2\n");
}

}  // namespace
}  // namespace zagent
