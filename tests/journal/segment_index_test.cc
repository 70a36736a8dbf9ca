// The block index in a closed segment's end record: it lists every block
// exactly as the walk finds them, a seeking reader uses it instead of the
// walk and gets the same events, and an index that does not hold is either
// not used (it does not tile the file, or its hash fails) or caught where
// it disagrees with a block's own trailer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "journal/format.h"
#include "journal/hash_chain.h"
#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "journal/records.h"
#include "journal/segment_index.h"
#include "journal/segment_scanner.h"
#include "tests/support/sample_events.h"
#include "tests/support/journal_read.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_options.h"

namespace zagent {
namespace {

using testing::read_all;
using testing::ReadResult;
using testing::SampleEvents;
using testing::TempDir;

constexpr int64_t kT0 = 1'790'000'000'000'000'000;

// The events through a seeking reader (the query engine's) or a walking one.
ReadResult read(const std::string& path, bool seeking, ReadOptions options = {}) {
  options.remember_scans = seeking;
  return read_all({path}, options);
}

class SegmentIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    int64_t clock = kT0;
    WriterOptions o = testing::test_writer_options(dir_.path(), &clock);
    o.block_events = 100;
    JournalWriter w(o);
    SampleEvents sample(3);
    for (int i = 0; i < 1000; ++i) {
      w.append(clock, sample.next_body());
      clock += 1'000'000;
    }
    w.close();
    path_ = JournalReader::list_segments(dir_.path()).at(0);
    bytes_ = testing::read_file(path_);
  }

  // The walk's view: every block's trailer and offsets, and the end record.
  struct Walk {
    std::vector<ScannedBlock> blocks;
    ScannedEnd end;
    Hash header_hash{};
  };
  Walk walk(const std::vector<uint8_t>& bytes) const {
    Walk w;
    SegmentScanner s(path_, bytes, nullptr);
    for (auto item = s.next(); item != SegmentScanner::Item::Done; item = s.next()) {
      if (item == SegmentScanner::Item::Segment) w.header_hash = s.segment().stored_hash;
      if (item == SegmentScanner::Item::Block) w.blocks.push_back(s.block());
      if (item == SegmentScanner::Item::End) w.end = s.end();
    }
    return w;
  }

  // The file with its end record replaced by `end`, chained and framed as
  // the writer would: a lie that holds its place in the hash chain.
  std::vector<uint8_t> with_end(const SegmentEnd& end) const {
    const Walk w = walk(bytes_);
    std::vector<uint8_t> out(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(w.end.offset));
    const std::vector<uint8_t> fb = encode_record(end);
    const Hash hash = chain_hash(format::Record::SegmentEnd, w.blocks.back().stored_hash, fb);
    uint8_t header[format::kFrameHeaderSize];
    format::store_le32(header, format::record_magic(format::Record::SegmentEnd));
    format::store_le32(header + 4, static_cast<uint32_t>(fb.size() + hash.size()));
    out.insert(out.end(), header, header + sizeof header);
    out.insert(out.end(), fb.begin(), fb.end());
    out.insert(out.end(), hash.begin(), hash.end());
    return out;
  }

  TempDir dir_;
  std::string path_;
  std::vector<uint8_t> bytes_;
};

TEST_F(SegmentIndex, ListsEveryBlockAsTheWalkFindsIt) {
  const Walk w = walk(bytes_);
  ASSERT_EQ(w.end.end.blocks.size(), w.end.end.block_count);
  ASSERT_EQ(w.end.end.blocks.size(), w.blocks.size());
  for (size_t i = 0; i < w.blocks.size(); ++i) {
    const BlockTrailer& t = w.blocks[i].trailer;
    const IndexedBlock& b = w.end.end.blocks[i];
    uint32_t types = 0;
    for (size_t k = 0; k < t.type_counts.size(); ++k) types |= t.type_counts[k] ? 1u << k : 0;
    EXPECT_EQ(b, (IndexedBlock{t.data_offset, t.min_ts, t.max_ts, t.first_seq, t.last_seq,
                               static_cast<uint32_t>(t.data_size),
                               static_cast<uint32_t>(w.blocks[i].end_offset - w.blocks[i].trailer_offset),
                               t.event_count, types}))
        << "block " << i;
  }
}

TEST_F(SegmentIndex, ASeekingReaderUsesItAndGetsWhatTheWalkGets) {
  const ReadResult walked = read(path_, false);
  const ReadResult seeking = read(path_, true);
  EXPECT_EQ(walked.stats.segments_indexed, 0u);
  EXPECT_EQ(seeking.stats.segments_indexed, 1u);
  EXPECT_TRUE(seeking.damage.empty());
  EXPECT_EQ(seeking.events, walked.events);
  // A window through the index: events 300..399 of ours, one block.
  ReadOptions window;
  window.since_ts = kT0 + 300'000'000;
  window.until_ts = kT0 + 400'000'000;
  const ReadResult w = read(path_, true, window);
  EXPECT_EQ(w.stats.segments_indexed, 1u);
  ASSERT_EQ(w.events.size(), 100u);
  EXPECT_EQ(w.events.front().ts, kT0 + 300'000'000);
  EXPECT_EQ(w.stats.blocks_read, 1u);
  EXPECT_EQ(w.stats.blocks_skipped, walked.stats.blocks_read - 1);
  // Any type filter gives the walk's answer too.
  ReadOptions sockets;
  sockets.type_mask = 1u << static_cast<unsigned>(EventType::SocketEvent);
  EXPECT_EQ(read(path_, true, sockets).events, read(path_, false, sockets).events);
}

TEST_F(SegmentIndex, AnIndexThatDisagreesWithATrailerIsCaughtWhereItIsUsed) {
  SegmentEnd end = walk(bytes_).end.end;
  end.blocks[4].max_ts += 1;  // a lie about block 4, chained as if true
  const std::string lying = dir_ / "lying.zst";
  testing::write_file(lying, with_end(end));
  const ReadResult r = read(lying, true);
  EXPECT_EQ(r.stats.segments_indexed, 1u);
  ASSERT_EQ(r.damage.size(), 1u);
  EXPECT_EQ(r.damage[0].kind, DamageKind::TrailerMismatch);
  EXPECT_EQ(r.damage[0].offset, end.blocks[4].data_offset);
  EXPECT_NE(r.damage[0].reason.find("end index disagrees"), std::string::npos) << r.damage[0].reason;
  // Every other block is read; the walk reads the file without complaint.
  const ReadResult walked = read(lying, false);
  EXPECT_TRUE(walked.damage.empty());
  EXPECT_EQ(r.events.size(), walked.events.size() - end.blocks[4].event_count);
}

TEST_F(SegmentIndex, AnIndexThatDoesNotTileTheFileOrBreaksTheChainIsNotUsed) {
  SegmentEnd end = walk(bytes_).end.end;
  end.blocks[2].data_size += 1;  // blocks no longer lie back to back
  testing::write_file(dir_ / "gap.zst", with_end(end));
  const ReadResult gap = read(dir_ / "gap.zst", true);
  EXPECT_EQ(gap.stats.segments_indexed, 0u);
  EXPECT_TRUE(gap.damage.empty());
  EXPECT_EQ(gap.events, read(path_, false).events);

  std::vector<uint8_t> flipped = bytes_;
  flipped[walk(bytes_).end.offset + 40] ^= 1;  // inside the end record: its hash fails
  testing::write_file(dir_ / "flipped.zst", flipped);
  const ReadResult f = read(dir_ / "flipped.zst", true);
  EXPECT_EQ(f.stats.segments_indexed, 0u);
  ASSERT_FALSE(f.damage.empty());  // the walk reports the end record
  EXPECT_EQ(f.events, read(path_, false).events);
}

}  // namespace
}  // namespace zagent
