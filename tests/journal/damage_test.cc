// Damage: a segment cut at every byte offset, and a segment with each single
// byte flipped. The reader never crashes, returns exactly the complete blocks
// before a cut, and reports every flip at the place it happened.
#include <gtest/gtest.h>

#include <set>

#include "journal/journal_reader.h"
#include "journal/segment_writer.h"
#include "tests/support/sample_events.h"
#include "tests/support/journal_read.h"
#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::read_all;
using testing::ReadResult;
using testing::TempDir;

// A small segment of 4 blocks of 3 events, and the offsets where each of
// its records ends.
struct SmallSegment {
  std::vector<uint8_t> bytes;
  std::vector<Event> events;
  uint64_t header_end = 0;
  std::vector<uint64_t> block_ends;  // just past each trailer
  uint64_t end = 0;                  // just past the end record
};

SmallSegment make_small_segment(const std::string& path) {
  SmallSegment s;
  SegmentHeader h;
  h.journal_id = std::string(16, '\x42');
  h.host_name = "damage-host";
  h.schema_hash = current_schema_hash();
  testing::SampleEvents sample(7);
  {
    SegmentWriter w(path, h, 3);
    s.header_end = w.size();
    for (int b = 0; b < 4; ++b) {
      const std::vector<Event> batch = sample.make(3, 1 + 3 * b);
      w.append_block(batch);
      s.block_ends.push_back(w.size());
      s.events.insert(s.events.end(), batch.begin(), batch.end());
    }
    w.finish(1, 13);
    s.end = w.size();
  }
  s.bytes = testing::read_file(path);
  EXPECT_EQ(s.bytes.size(), s.end);
  return s;
}

TEST(JournalDamage, IntactSegmentReadsWithoutDamage) {
  TempDir dir;
  const SmallSegment s = make_small_segment(dir / "seg.zst");
  const ReadResult r = read_all({dir / "seg.zst"});
  EXPECT_TRUE(r.damage.empty());
  EXPECT_EQ(r.events, s.events);
}

TEST(JournalDamage, TruncationAtEveryOffsetKeepsExactlyTheCompleteBlocks) {
  TempDir dir;
  const SmallSegment s = make_small_segment(dir / "seg.zst");
  std::set<uint64_t> boundaries = {0, s.header_end, s.end};
  boundaries.insert(s.block_ends.begin(), s.block_ends.end());

  for (uint64_t cut = 0; cut < s.bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const std::string path = dir / "cut.zst";
    testing::write_file(path, std::vector<uint8_t>(s.bytes.begin(), s.bytes.begin() + cut));
    const ReadResult r = read_all({path});

    size_t complete = 0;
    while (complete < s.block_ends.size() && s.block_ends[complete] <= cut) ++complete;
    const std::vector<Event> expected(s.events.begin(), s.events.begin() + 3 * complete);
    ASSERT_EQ(r.events, expected);

    if (boundaries.count(cut)) {
      ASSERT_TRUE(r.damage.empty()) << r.damage.front().to_string();
    } else {
      ASSERT_EQ(r.damage.size(), 1u);
      EXPECT_EQ(r.damage[0].kind, DamageKind::TornTail) << r.damage[0].to_string();
      // The torn tail starts at the end of the last complete record.
      const uint64_t last_good = complete ? s.block_ends[complete - 1]
                                 : cut >= s.header_end ? s.header_end : 0;
      EXPECT_EQ(r.damage[0].offset, last_good) << r.damage[0].to_string();
      EXPECT_EQ(r.damage[0].offset + r.damage[0].length, cut) << r.damage[0].to_string();
      EXPECT_EQ(r.damage[0].file, path);
    }
  }
}

TEST(JournalDamage, EverySingleByteFlipIsDetectedWhereItHappened) {
  TempDir dir;
  const SmallSegment s = make_small_segment(dir / "seg.zst");
  for (uint64_t at = 0; at < s.bytes.size(); ++at) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0xff}}) {
      SCOPED_TRACE("flip at " + std::to_string(at) + " mask " + std::to_string(mask));
      std::vector<uint8_t> bad = s.bytes;
      bad[at] ^= mask;
      const std::string path = dir / "flip.zst";
      testing::write_file(path, bad);
      const ReadResult r = read_all({path});

      ASSERT_FALSE(r.damage.empty());
      bool named = false;
      for (const Damage& d : r.damage) {
        if (d.offset <= at && at < d.offset + std::max<uint64_t>(d.length, 1)) named = true;
      }
      ASSERT_TRUE(named) << "first report: " << r.damage.front().to_string();
      // Whatever survives is an exact subset of the real events.
      for (const Event& e : r.events) {
        ASSERT_GE(e.seq, 1u);
        ASSERT_LE(e.seq, s.events.size());
        ASSERT_EQ(e, s.events[e.seq - 1]);
      }
    }
  }
}

TEST(JournalDamage, GarbageBetweenBlocksIsSkippedAndTheRestRead) {
  TempDir dir;
  const SmallSegment s = make_small_segment(dir / "seg.zst");
  std::vector<uint8_t> bad(s.bytes.begin(), s.bytes.begin() + s.block_ends[1]);
  const std::vector<uint8_t> junk(100, 0x5a);
  bad.insert(bad.end(), junk.begin(), junk.end());
  bad.insert(bad.end(), s.bytes.begin() + s.block_ends[1], s.bytes.end());
  testing::write_file(dir / "junk.zst", bad);

  const ReadResult r = read_all({dir / "junk.zst"});
  ASSERT_GE(r.damage.size(), 1u);
  EXPECT_EQ(r.damage[0].kind, DamageKind::Garbage);
  EXPECT_EQ(r.damage[0].offset, s.block_ends[1]);
  EXPECT_EQ(r.damage[0].length, 100u);
  EXPECT_EQ(r.damage.size(), 1u);
  // Every block still chains: the junk is outside the chain.
  EXPECT_EQ(r.events, s.events);
}

TEST(JournalDamage, RandomNoiseNeverCrashes) {
  TempDir dir;
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> noise(rng() % 4096);
    for (auto& b : noise) b = static_cast<uint8_t>(rng());
    // Sprinkle our magics so the scanner has something to chew on.
    for (int k = 0; k < 4 && noise.size() > 8; ++k) {
      const uint32_t magic = (rng() & 1) ? 0xFD2FB528u : (0x184D2A5Au + static_cast<uint32_t>(rng() % 5));
      const size_t at = rng() % (noise.size() - 8);
      for (int i = 0; i < 4; ++i) noise[at + i] = static_cast<uint8_t>(magic >> (8 * i));
    }
    testing::write_file(dir / "noise.zst", noise);
    const ReadResult r = read_all({dir / "noise.zst"});
    EXPECT_TRUE(r.events.empty());
  }
}

}  // namespace
}  // namespace zagent
