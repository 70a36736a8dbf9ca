// The journal writer's policies, pinned to exact values: when a block is
// flushed (size, count, age), how segments rotate and chain, what retention
// deletes and records, how seq continues across restarts, the files' modes
// and lock, and what recovery keeps, moves aside and records after a crash.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "journal/error.h"
#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "journal/segment_scanner.h"
#include "tests/support/sample_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_options.h"

namespace zagent {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::SampleEvents;
using testing::TempDir;
using testing::write_file;

constexpr int64_t kT0 = 1'790'000'000'000'000'000;  // the injected clock's start
constexpr int64_t kDay = 86'400'000'000'000;

// Options under which only the bound a test sets is ever reached.
WriterOptions quiet_options(const std::string& dir, int64_t* clock) {
  WriterOptions o = testing::test_writer_options(dir, clock);
  o.block_bytes = 1u << 30;
  o.block_events = 1'000'000;
  o.block_age_ns = 1'000'000'000;
  o.rotate_bytes = 1ull << 40;
  return o;
}

std::string segment_path(const std::string& dir, uint64_t index) {
  return dir + "/" + JournalWriter::segment_name(index);
}

// A sensor event whose approx_encoded_size is exactly `size` (>= 49).
SensorEvent sized_event(size_t size) {
  return SensorEvent{SensorAction::EventsLost, "t", std::string(size - 49, 'm'), {}};
}

std::vector<std::string> file_names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string describe(const std::vector<Damage>& damage) {
  std::string s;
  for (const Damage& d : damage) s += d.to_string() + "\n";
  return s;
}

uint64_t file_size(const std::string& path) { return fs::file_size(path); }

mode_t file_mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& bytes, uint64_t from, uint64_t to) {
  return std::vector<uint8_t>(bytes.begin() + static_cast<long>(from), bytes.begin() + static_cast<long>(to));
}

// Everything a JournalReader sees in a journal.
struct ReadBack {
  std::vector<Event> events;
  std::vector<std::string> event_files;
  std::vector<BlockTrailer> trailers;
  std::vector<std::string> header_files;
  std::vector<SegmentHeader> headers;
  std::vector<std::string> end_files;
  std::vector<ScannedEnd> ends;
  std::vector<Damage> damage;
};

ReadBack read_back(const std::string& path) {
  ReadBack r;
  JournalReader reader({path}, ReadOptions{}, [&r](const Damage& d) { r.damage.push_back(d); });
  reader.on_segment([&r](const std::string& file, const ScannedSegment& s) {
    r.header_files.push_back(file);
    r.headers.push_back(s.header);
  });
  reader.on_end([&r](const std::string& file, const ScannedEnd& e) {
    r.end_files.push_back(file);
    r.ends.push_back(e);
  });
  ReadBlock block;
  while (reader.next_block(&block)) {
    r.trailers.push_back(block.trailer);
    for (const Event& e : block.events) {
      r.events.push_back(e);
      r.event_files.push_back(block.file);
    }
  }
  return r;
}

// The frames of one segment file, as the scanner finds them.
struct Layout {
  struct Block {
    uint64_t data_offset = 0;
    uint64_t trailer_offset = 0;
    uint64_t end_offset = 0;
    BlockTrailer trailer;
    Hash hash{};
  };
  uint64_t size = 0;
  bool header_ok = false;
  SegmentHeader header;
  uint64_t header_end = 0;
  Hash header_hash{};
  std::vector<Block> blocks;
  std::optional<ScannedEnd> end;
  uint64_t last_good_end = 0;
  Hash chain{};  // the stored hash of the last good record
  std::vector<Damage> damage;
};

Layout scan(const std::string& file) {
  Layout l;
  const std::vector<uint8_t> bytes = read_file(file);
  l.size = bytes.size();
  SegmentScanner scanner(file, bytes, [&l](const Damage& d) { l.damage.push_back(d); });
  for (auto item = scanner.next(); item != SegmentScanner::Item::Done; item = scanner.next()) {
    switch (item) {
      case SegmentScanner::Item::Segment:
        l.header_ok = scanner.segment().header_ok;
        l.header = scanner.segment().header;
        l.header_hash = scanner.segment().stored_hash;
        l.header_end = scanner.last_good_end();
        l.chain = l.header_hash;
        break;
      case SegmentScanner::Item::Block: {
        const ScannedBlock& b = scanner.block();
        l.blocks.push_back({b.data_offset, b.trailer_offset, b.end_offset, b.trailer, b.stored_hash});
        l.chain = b.stored_hash;
        break;
      }
      case SegmentScanner::Item::End:
        l.end = scanner.end();
        l.chain = scanner.end().stored_hash;
        break;
      case SegmentScanner::Item::Done:
        break;
    }
  }
  l.last_good_end = scanner.last_good_end();
  return l;
}

const SensorEvent& sensor_of(const Event& e) {
  static const SensorEvent none{};
  const SensorEvent* s = std::get_if<SensorEvent>(&e.body);
  EXPECT_NE(s, nullptr) << "event " << e.seq << " is not a sensor event";
  return s ? *s : none;
}

// Appends `n` sample events and returns them as the writer stored them.
std::vector<Event> append_samples(JournalWriter& w, SampleEvents& gen, size_t n) {
  std::vector<Event> out;
  for (size_t i = 0; i < n; ++i) {
    const int64_t ts = gen.next_ts();
    EventBody body = gen.next_body();
    const uint64_t seq = w.append(ts, body);
    out.push_back(Event{ts, seq, std::move(body)});
  }
  return out;
}

std::vector<uint64_t> seqs_of(const std::vector<Event>& events) {
  std::vector<uint64_t> s;
  for (const Event& e : events) s.push_back(e.seq);
  return s;
}

std::vector<uint64_t> seqs_of(std::span<const Event> events) {
  return seqs_of(std::vector<Event>(events.begin(), events.end()));
}

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> v;
  for (uint64_t s = first; s <= last; ++s) v.push_back(s);
  return v;
}

class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }

 private:
  mode_t old_;
};

size_t open_fd_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// ---------------------------------------------------------------- blocks

TEST(WriterBlocks, FlushesWhenBlockEventsIsReached) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 5;
  JournalWriter w(o);
  SampleEvents gen(1);

  append_samples(w, gen, 4);
  EXPECT_EQ(seqs_of(w.pending()), range(1, 4));
  EXPECT_EQ(w.stats().blocks_written, 0u);

  append_samples(w, gen, 1);
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 1u);
  EXPECT_EQ(w.stats().events_written, 5u);
  EXPECT_EQ(w.segment().last_trailer().first_seq, 1u);
  EXPECT_EQ(w.segment().last_trailer().last_seq, 5u);

  append_samples(w, gen, 8);
  EXPECT_EQ(seqs_of(w.pending()), range(11, 13));
  EXPECT_EQ(w.stats().blocks_written, 2u);
  EXPECT_EQ(w.stats().events_written, 10u);
  w.close();

  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.trailers.size(), 3u);
  EXPECT_EQ(r.trailers[0].first_seq, 1u);
  EXPECT_EQ(r.trailers[0].last_seq, 5u);
  EXPECT_EQ(r.trailers[1].first_seq, 6u);
  EXPECT_EQ(r.trailers[1].last_seq, 10u);
  EXPECT_EQ(r.trailers[2].first_seq, 11u);
  EXPECT_EQ(r.trailers[2].last_seq, 13u);  // close flushed the rest
  EXPECT_EQ(r.trailers[2].event_count, 3u);
}

TEST(WriterBlocks, FlushesWhenBlockBytesIsReached) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_bytes = 1000;
  JournalWriter w(o);
  ASSERT_EQ(approx_encoded_size(sized_event(100)), 100u);

  for (int i = 0; i < 9; ++i) w.append(kT0 + i, sized_event(100));
  EXPECT_EQ(w.pending().size(), 9u);  // 900 bytes: under the bound
  EXPECT_EQ(w.stats().blocks_written, 0u);

  EXPECT_EQ(w.append(kT0 + 9, sized_event(100)), 10u);  // 1000 bytes: at the bound
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 1u);
  EXPECT_EQ(w.segment().last_trailer().event_count, 10u);

  w.append(kT0 + 10, sized_event(999));
  EXPECT_EQ(w.pending().size(), 1u);
  EXPECT_EQ(w.append(kT0 + 11, sized_event(49)), 12u);  // 999 + 49 crosses it
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 2u);
  EXPECT_EQ(w.segment().last_trailer().first_seq, 11u);
  EXPECT_EQ(w.segment().last_trailer().last_seq, 12u);

  // An event bigger than the bound makes a block of its own at once.
  EXPECT_EQ(w.append(kT0 + 12, sized_event(5000)), 13u);
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 3u);
  EXPECT_EQ(w.segment().last_trailer().event_count, 1u);
  EXPECT_EQ(w.segment().last_trailer().first_seq, 13u);
}

TEST(WriterBlocks, PollFlushesWhenTheFirstPendingEventReachesBlockAge) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_age_ns = 1000;
  JournalWriter w(o);

  w.poll();  // nothing pending: no block
  EXPECT_EQ(w.stats().blocks_written, 0u);

  w.append(kT0, sized_event(60));  // the block's age counts from here
  clock = kT0 + 500;
  w.append(kT0 + 500, sized_event(60));
  w.poll();
  clock = kT0 + 999;
  w.poll();
  EXPECT_EQ(seqs_of(w.pending()), range(1, 2));
  EXPECT_EQ(w.stats().blocks_written, 0u);

  clock = kT0 + 1000;
  w.poll();
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 1u);
  EXPECT_EQ(w.stats().events_written, 2u);

  clock = kT0 + 1500;
  w.append(kT0 + 1500, sized_event(60));
  clock = kT0 + 2499;
  w.poll();
  EXPECT_EQ(seqs_of(w.pending()), std::vector<uint64_t>{3});
  EXPECT_EQ(w.stats().blocks_written, 1u);
  clock = kT0 + 2500;
  w.poll();
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 2u);
  EXPECT_EQ(w.segment().last_trailer().first_seq, 3u);
  EXPECT_EQ(w.segment().last_trailer().last_seq, 3u);

  clock = kT0 + 10'000;
  w.poll();  // nothing pending again
  EXPECT_EQ(w.stats().blocks_written, 2u);
}

TEST(WriterBlocks, PendingHoldsExactlyTheUnflushedEvents) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 100;
  JournalWriter w(o);
  SampleEvents gen(2);

  const std::vector<Event> first = append_samples(w, gen, 100);
  EXPECT_TRUE(w.pending().empty());
  const std::vector<Event> next = append_samples(w, gen, 7);
  ASSERT_EQ(w.pending().size(), 7u);
  EXPECT_EQ(std::vector<Event>(w.pending().begin(), w.pending().end()), next);
  EXPECT_EQ(seqs_of(w.pending()), range(101, 107));
  EXPECT_EQ(w.next_seq(), 108u);

  w.flush();
  EXPECT_TRUE(w.pending().empty());
  EXPECT_EQ(w.stats().blocks_written, 2u);
  EXPECT_EQ(w.stats().events_written, 107u);
  w.flush();  // nothing pending: no empty block
  EXPECT_EQ(w.stats().blocks_written, 2u);
  w.close();

  std::vector<Event> all = first;
  all.insert(all.end(), next.begin(), next.end());
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  EXPECT_EQ(r.events, all);
  EXPECT_EQ(r.trailers.size(), 2u);
}

// ---------------------------------------------------------------- fsync

class WriterFsync : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(WriterFsync, EveryPolicyWritesAJournalThatReadsBack) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.fsync = GetParam();
  o.fsync_interval_ns = 50;
  o.block_events = 64;
  o.block_age_ns = 200;
  JournalWriter w(o);
  SampleEvents gen(3);

  std::vector<Event> written;
  for (int round = 0; round < 40; ++round) {
    const std::vector<Event> some = append_samples(w, gen, 37);
    written.insert(written.end(), some.begin(), some.end());
    clock += 100;
    w.poll();
  }
  w.close();
  EXPECT_EQ(w.stats().events_written, 40u * 37);

  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  EXPECT_EQ(r.events, written);
  ASSERT_EQ(r.ends.size(), 1u);
  EXPECT_EQ(r.ends[0].end.next_seq, 40u * 37 + 1);
  EXPECT_EQ(r.ends[0].end.event_count, 40u * 37);
  EXPECT_EQ(r.ends[0].end.block_count, w.stats().blocks_written);
}

INSTANTIATE_TEST_SUITE_P(Policies, WriterFsync,
                         ::testing::Values(FsyncPolicy::EveryBlock, FsyncPolicy::Interval,
                                           FsyncPolicy::Never));

// ---------------------------------------------------------------- rotation

// The journal's segments chain: each header's prev_hash is the end record of
// the segment before, its first_seq that end's next_seq, and every segment
// after the first opens with a JournalRotated event naming both.
void expect_rotated_chain(const std::string& dir, uint64_t segments) {
  const ReadBack r = read_back(dir);
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.headers.size(), segments);
  ASSERT_EQ(r.ends.size(), segments);
  for (uint64_t i = 0; i < segments; ++i) {
    EXPECT_EQ(r.header_files[i], segment_path(dir, i + 1));
    EXPECT_EQ(r.headers[i].segment_index, i + 1);
    EXPECT_EQ(r.headers[i].journal_id, r.headers[0].journal_id);
    if (i == 0) continue;
    EXPECT_EQ(r.headers[i].prev_hash, r.ends[i - 1].stored_hash) << "segment " << i + 1;
    EXPECT_EQ(r.headers[i].first_seq, r.ends[i - 1].end.next_seq) << "segment " << i + 1;
    const auto first = std::find(r.event_files.begin(), r.event_files.end(), segment_path(dir, i + 1));
    ASSERT_NE(first, r.event_files.end()) << "segment " << i + 1 << " holds no event";
    const Event& e = r.events[static_cast<size_t>(first - r.event_files.begin())];
    EXPECT_EQ(e.seq, r.headers[i].first_seq);
    const SensorEvent& s = sensor_of(e);
    EXPECT_EQ(s.action, SensorAction::JournalRotated);
    EXPECT_EQ(s.sensor, "journal");
    EXPECT_EQ(s.counters, (std::vector<Counter>{{"from_segment", i}, {"to_segment", i + 1}}));
  }
  // seq is consecutive across every boundary.
  for (size_t i = 0; i < r.events.size(); ++i) ASSERT_EQ(r.events[i].seq, i + 1) << "event " << i;
}

TEST(WriterRotation, RotatesWhenASegmentReachesRotateBytes) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 10;
  o.rotate_bytes = 4096;
  SampleEvents gen(4);
  uint64_t segments = 0;
  {
    JournalWriter w(o);
    append_samples(w, gen, 400);
    w.close();
    segments = w.stats().segments_written;
  }
  ASSERT_GE(segments, 3u);

  std::vector<std::string> expected_names = {"lock"};
  for (uint64_t i = 1; i <= segments; ++i) expected_names.push_back(JournalWriter::segment_name(i));
  std::sort(expected_names.begin(), expected_names.end());
  EXPECT_EQ(file_names(dir.path()), expected_names);
  EXPECT_EQ(JournalWriter::segment_name(1), "segment-000000000001.zst");
  EXPECT_EQ(JournalWriter::segment_name(2), "segment-000000000002.zst");

  // Each closed segment rotated at the first block that took it to the bound.
  for (uint64_t i = 1; i < segments; ++i) {
    const Layout l = scan(segment_path(dir.path(), i));
    ASSERT_GE(l.blocks.size(), 1u);
    EXPECT_GE(l.blocks.back().end_offset, o.rotate_bytes) << "segment " << i;
    const uint64_t before_last =
        l.blocks.size() >= 2 ? l.blocks[l.blocks.size() - 2].end_offset : l.header_end;
    EXPECT_LT(before_last, o.rotate_bytes) << "segment " << i;
    ASSERT_TRUE(l.end.has_value());
    EXPECT_EQ(l.end->offset, l.blocks.back().end_offset);  // nothing between the last block and the end
  }
  expect_rotated_chain(dir.path(), segments);
  const ReadBack r = read_back(dir.path());
  EXPECT_EQ(r.events.size(), 400 + (segments - 1));
}

TEST(WriterRotation, PollRotatesWhenTheSegmentReachesRotateAge) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.rotate_age_ns = 1000;
  SampleEvents gen(5);
  {
    JournalWriter w(o);
    append_samples(w, gen, 3);
    w.flush();
    clock = kT0 + 999;
    w.poll();
    EXPECT_EQ(w.stats().segments_written, 1u);

    clock = kT0 + 1000;
    w.poll();
    EXPECT_EQ(w.stats().segments_written, 2u);
    EXPECT_EQ(w.segment().path(), segment_path(dir.path(), 2));
    EXPECT_EQ(w.segment().header().created_ts, kT0 + 1000);
    EXPECT_EQ(w.segment().header().first_seq, 4u);
    ASSERT_EQ(w.pending().size(), 1u);
    EXPECT_EQ(w.pending()[0].seq, 4u);
    EXPECT_EQ(w.pending()[0].ts, kT0 + 1000);
    EXPECT_EQ(sensor_of(w.pending()[0]).action, SensorAction::JournalRotated);

    // A segment with no block on disk yet is not rotated, however old.
    clock = kT0 + 2000;
    w.poll();
    EXPECT_EQ(w.stats().segments_written, 2u);
    w.flush();
    w.poll();
    EXPECT_EQ(w.stats().segments_written, 3u);
    EXPECT_EQ(w.segment().header().created_ts, kT0 + 2000);

    // The age counts from the segment's own creation.
    w.flush();
    clock = kT0 + 2999;
    w.poll();
    EXPECT_EQ(w.stats().segments_written, 3u);
    clock = kT0 + 3000;
    w.poll();
    EXPECT_EQ(w.stats().segments_written, 4u);
    w.close();
  }
  EXPECT_TRUE(fs::exists(segment_path(dir.path(), 4)));
  EXPECT_FALSE(fs::exists(segment_path(dir.path(), 5)));
  expect_rotated_chain(dir.path(), 4);
}

TEST(WriterRotation, ExplicitRotateFlushesAndStartsTheNextSegment) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  SampleEvents gen(6);
  {
    JournalWriter w(o);
    append_samples(w, gen, 3);
    w.rotate();
    EXPECT_EQ(w.stats().blocks_written, 1u);  // the 3 pending events
    EXPECT_EQ(seqs_of(w.pending()), std::vector<uint64_t>{4});
    w.rotate();  // a segment holding only the rotation record
    EXPECT_EQ(seqs_of(w.pending()), std::vector<uint64_t>{5});
    append_samples(w, gen, 2);
    w.close();
    EXPECT_EQ(w.stats().segments_written, 3u);
  }
  expect_rotated_chain(dir.path(), 3);
  const ReadBack r = read_back(dir.path());
  ASSERT_EQ(r.trailers.size(), 3u);
  EXPECT_EQ(r.trailers[0].last_seq, 3u);
  EXPECT_EQ(r.trailers[1].first_seq, 4u);
  EXPECT_EQ(r.trailers[1].last_seq, 4u);
  EXPECT_EQ(r.trailers[2].first_seq, 5u);
  EXPECT_EQ(r.trailers[2].last_seq, 7u);
}

TEST(WriterRotation, BoundsSmallerThanARotationRecordRotateOncePerBlock) {
  // Every block reaches rotate_bytes, the rotation record's own block too:
  // that block stays in the segment it opens, the next event's block ends it.
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 1;
  o.rotate_bytes = 1;
  SampleEvents gen(13);
  {
    JournalWriter w(o);
    append_samples(w, gen, 3);
    EXPECT_EQ(w.stats().segments_written, 4u);
    EXPECT_EQ(w.stats().blocks_written, 6u);  // 3 events, 3 rotation records
    EXPECT_TRUE(w.pending().empty());
    w.close();
  }
  expect_rotated_chain(dir.path(), 4);
  const ReadBack r = read_back(dir.path());
  ASSERT_EQ(r.trailers.size(), 6u);
  EXPECT_EQ(r.event_files,
            (std::vector<std::string>{segment_path(dir.path(), 1), segment_path(dir.path(), 2),
                                      segment_path(dir.path(), 2), segment_path(dir.path(), 3),
                                      segment_path(dir.path(), 3), segment_path(dir.path(), 4)}));
}

// ---------------------------------------------------------------- retention

// Writes `count` closed segments of `events_each` events (rotating by hand)
// and returns their sizes, index 1 first.
std::vector<uint64_t> write_segments(const std::string& dir, int64_t* clock, int count, size_t events_each) {
  WriterOptions o = quiet_options(dir, clock);
  SampleEvents gen(7);
  JournalWriter w(o);
  for (int i = 0; i < count; ++i) {
    append_samples(w, gen, events_each * static_cast<size_t>(i + 1));
    if (i + 1 < count) w.rotate();
  }
  w.close();
  std::vector<uint64_t> sizes;
  for (int i = 1; i <= count; ++i) sizes.push_back(file_size(segment_path(dir, static_cast<uint64_t>(i))));
  return sizes;
}

void expect_retention_record(const Event& e, uint64_t seq, uint64_t segment, uint64_t bytes,
                             const std::string& why) {
  EXPECT_EQ(e.seq, seq);
  const SensorEvent& s = sensor_of(e);
  EXPECT_EQ(s.action, SensorAction::RetentionDeleted);
  EXPECT_EQ(s.sensor, "journal");
  EXPECT_EQ(s.message, JournalWriter::segment_name(segment) + ": " + why);
  EXPECT_EQ(s.counters, (std::vector<Counter>{{"segment", segment}, {"bytes", bytes}}));
}

TEST(WriterRetention, DeletesTheOldestSegmentsUntilTheJournalFitsRetainBytes) {
  TempDir dir;
  int64_t clock = kT0;
  const std::vector<uint64_t> sizes = write_segments(dir.path(), &clock, 4, 40);
  const uint64_t next_seq = scan(segment_path(dir.path(), 4)).end->end.next_seq;
  // Segment 5 opens with a header as long as segment 4's (same fields, same lengths).
  const uint64_t new_header = scan(segment_path(dir.path(), 4)).header_end;

  WriterOptions o = quiet_options(dir.path(), &clock);
  // Exactly segments 3, 4 and the new 5 fit: not over the limit, so 3 stays.
  o.retain_bytes = sizes[2] + sizes[3] + new_header;
  {
    JournalWriter w(o);
    ASSERT_EQ(w.segment().size(), new_header);
    EXPECT_EQ(w.stats().segments_deleted, 2u);
    EXPECT_FALSE(fs::exists(segment_path(dir.path(), 1)));
    EXPECT_FALSE(fs::exists(segment_path(dir.path(), 2)));
    EXPECT_TRUE(fs::exists(segment_path(dir.path(), 3)));
    EXPECT_TRUE(fs::exists(segment_path(dir.path(), 4)));
    EXPECT_EQ(w.segment().path(), segment_path(dir.path(), 5));
    ASSERT_EQ(w.pending().size(), 2u);
    expect_retention_record(w.pending()[0], next_seq, 1, sizes[0], "journal over its size limit");
    expect_retention_record(w.pending()[1], next_seq + 1, 2, sizes[1], "journal over its size limit");
    w.close();
  }
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0].segment_index, 3u);
  EXPECT_EQ(r.headers[2].segment_index, 5u);
  EXPECT_EQ(r.events.back().seq, next_seq + 1);
}

TEST(WriterRetention, NeverDeletesTheOpenSegment) {
  TempDir dir;
  int64_t clock = kT0;
  const std::vector<uint64_t> sizes = write_segments(dir.path(), &clock, 3, 20);
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.retain_bytes = 1;
  {
    JournalWriter w(o);
    EXPECT_EQ(w.stats().segments_deleted, 3u);
    ASSERT_EQ(w.pending().size(), 3u);
    for (uint64_t i = 0; i < 3; ++i) {
      expect_retention_record(w.pending()[i], w.pending()[0].seq + i, i + 1, sizes[i],
                              "journal over its size limit");
    }
    // Rotating again deletes the segment just closed, never the new one. A
    // second link to segment 4 keeps its final bytes to compare with.
    ASSERT_EQ(::link(segment_path(dir.path(), 4).c_str(), (dir / "keep4").c_str()), 0);
    w.rotate();
    EXPECT_EQ(w.stats().segments_deleted, 4u);
    EXPECT_FALSE(fs::exists(segment_path(dir.path(), 4)));
    EXPECT_TRUE(fs::exists(segment_path(dir.path(), 5)));
    ASSERT_EQ(w.pending().size(), 2u);  // JournalRotated, then the deletion of 4
    EXPECT_EQ(sensor_of(w.pending()[0]).action, SensorAction::JournalRotated);
    expect_retention_record(w.pending()[1], w.pending()[0].seq + 1, 4, file_size(dir / "keep4"),
                            "journal over its size limit");
    w.close();
  }
  fs::remove(dir / "keep4");
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"lock", JournalWriter::segment_name(5)}));
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].segment_index, 5u);
}

TEST(WriterRetention, DeletesSegmentsOlderThanRetainAgeOldestFirst) {
  TempDir dir;
  int64_t clock = kT0;
  const std::vector<uint64_t> sizes = write_segments(dir.path(), &clock, 4, 30);
  const uint64_t next_seq = scan(segment_path(dir.path(), 4)).end->end.next_seq;

  // File times relative to the injected clock: 1 and 2 are past the limit
  // (2 by a single nanosecond), 3 is exactly at it and stays.
  const int64_t limit = 7 * kDay;
  const int64_t mtimes[] = {kT0 - 10 * kDay, kT0 - limit - 1, kT0 - limit, kT0 - kDay};
  for (int i = 0; i < 4; ++i) {
    const timespec times[2] = {{mtimes[i] / 1'000'000'000, mtimes[i] % 1'000'000'000},
                               {mtimes[i] / 1'000'000'000, mtimes[i] % 1'000'000'000}};
    ASSERT_EQ(::utimensat(AT_FDCWD, segment_path(dir.path(), static_cast<uint64_t>(i + 1)).c_str(), times, 0),
              0);
  }

  WriterOptions o = quiet_options(dir.path(), &clock);
  o.retain_age_ns = limit;
  {
    JournalWriter w(o);
    EXPECT_EQ(w.stats().segments_deleted, 2u);
    ASSERT_EQ(w.pending().size(), 2u);
    expect_retention_record(w.pending()[0], next_seq, 1, sizes[0], "older than the age limit");
    expect_retention_record(w.pending()[1], next_seq + 1, 2, sizes[1], "older than the age limit");
    w.close();
  }
  EXPECT_FALSE(fs::exists(segment_path(dir.path(), 1)));
  EXPECT_FALSE(fs::exists(segment_path(dir.path(), 2)));
  EXPECT_TRUE(fs::exists(segment_path(dir.path(), 3)));
  EXPECT_TRUE(fs::exists(segment_path(dir.path(), 4)));
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0].segment_index, 3u);
}

TEST(WriterRetention, RecordingDeletionsUnderTinyBoundsNeitherRotatesNorFails) {
  // Each deletion record fills a block that reaches rotate_bytes; rotating
  // there would run retention again under the outer loop's stale list.
  TempDir dir;
  int64_t clock = kT0;
  const std::vector<uint64_t> sizes = write_segments(dir.path(), &clock, 4, 10);
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 1;
  o.rotate_bytes = 1;
  o.retain_bytes = 1;
  {
    JournalWriter w(o);
    EXPECT_EQ(w.stats().segments_deleted, 4u);
    EXPECT_EQ(w.stats().segments_written, 1u);
    EXPECT_EQ(w.stats().blocks_written, 4u);
    EXPECT_EQ(w.segment().path(), segment_path(dir.path(), 5));
    w.close();
  }
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"lock", JournalWriter::segment_name(5)}));
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.events.size(), 4u);
  for (uint64_t i = 0; i < 4; ++i) {
    expect_retention_record(r.events[i], r.events[0].seq + i, i + 1, sizes[i], "journal over its size limit");
  }
}

// ---------------------------------------------------------------- reopen

TEST(WriterReopen, ContinuesSeqJournalIdAndChainAfterACleanClose) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 5;
  SampleEvents gen(8);
  std::string id;
  {
    JournalWriter w(o);
    EXPECT_EQ(w.journal_id().size(), format::kJournalIdSize);
    id = w.journal_id();
    append_samples(w, gen, 7);
    w.close();
    EXPECT_EQ(w.next_seq(), 8u);
  }
  const Layout first = scan(segment_path(dir.path(), 1));
  ASSERT_TRUE(first.end.has_value());
  EXPECT_EQ(first.end->end.next_seq, 8u);
  for (int reopen = 0; reopen < 2; ++reopen) {
    clock += 1000;
    JournalWriter w(o);
    EXPECT_FALSE(w.recovery().recovered);
    EXPECT_EQ(w.recovery().bytes_dropped, 0u);
    EXPECT_TRUE(w.recovery().damage.empty()) << describe(w.recovery().damage);
    EXPECT_EQ(w.journal_id(), id);
    EXPECT_EQ(w.next_seq(), reopen == 0 ? 8u : 11u);
    EXPECT_EQ(w.segment().header().first_seq, w.next_seq());
    EXPECT_EQ(w.segment().header().segment_index, 2u + static_cast<uint64_t>(reopen));
    EXPECT_EQ(w.segment().header().journal_id, id);
    EXPECT_TRUE(w.pending().empty());
    append_samples(w, gen, 3);
    w.close();
  }
  // Each new segment chains to the end record of the one before.
  const Layout second = scan(segment_path(dir.path(), 2));
  const Layout third = scan(segment_path(dir.path(), 3));
  EXPECT_EQ(second.header.prev_hash, first.end->stored_hash);
  EXPECT_EQ(third.header.prev_hash, second.end->stored_hash);
  EXPECT_EQ(third.header.first_seq, 11u);

  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  EXPECT_EQ(seqs_of(r.events), range(1, 13));
  ASSERT_EQ(r.headers.size(), 3u);
  for (const SegmentHeader& h : r.headers) EXPECT_EQ(h.journal_id, id);
}

TEST(WriterReopen, AReaderReportsAChainBreakWhenPrevHashIsWrong) {
  // The counterpart of the chain checks above: a segment that does not chain
  // is noticed, so "no damage" there means the link was checked.
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  SampleEvents gen(9);
  {
    JournalWriter w(o);
    append_samples(w, gen, 4);
  }
  const std::vector<uint8_t> first = read_file(segment_path(dir.path(), 1));
  {
    JournalWriter w(o);
    append_samples(w, gen, 4);
  }
  // Cut segment 1 back to its header: it still parses, but segment 2's
  // prev_hash names the end record that is gone.
  const Layout l = scan(segment_path(dir.path(), 1));
  ASSERT_EQ(l.blocks.size(), 1u);
  write_file(segment_path(dir.path(), 1), slice(first, 0, l.header_end));
  const ReadBack r = read_back(dir.path());
  ASSERT_EQ(r.damage.size(), 1u) << describe(r.damage);
  EXPECT_EQ(r.damage[0].kind, DamageKind::ChainBreak);
  EXPECT_EQ(r.damage[0].file, segment_path(dir.path(), 2));
}

// ---------------------------------------------------------------- files

TEST(WriterFiles, CreatesTheDirectory0700AndSegments0600WhateverTheUmask) {
  TempDir dir;
  UmaskGuard umask_zero(0);
  int64_t clock = kT0;
  const std::string journal = dir / "var/lib/zagent/journal";
  {
    JournalWriter w(quiet_options(journal, &clock));
    w.append(kT0, sized_event(60));
    w.rotate();
    w.close();
  }
  EXPECT_EQ(file_mode(journal), 0700u);
  EXPECT_EQ(file_mode(segment_path(journal, 1)), 0600u);
  EXPECT_EQ(file_mode(segment_path(journal, 2)), 0600u);
  EXPECT_EQ(file_mode(journal + "/lock"), 0600u);
  EXPECT_EQ(file_names(journal), (std::vector<std::string>{"lock", JournalWriter::segment_name(1),
                                                           JournalWriter::segment_name(2)}));
}

TEST(WriterFiles, ASecondWriterOnTheSameDirectoryThrowsWhileTheFirstIsOpen) {
  TempDir dir;
  int64_t clock = kT0;
  const WriterOptions o = quiet_options(dir.path(), &clock);
  auto first = std::make_unique<JournalWriter>(o);
  first->append(kT0, sized_event(60));

  const size_t fds_before = open_fd_count();
  EXPECT_THROW(JournalWriter second(o), Error);
  EXPECT_EQ(open_fd_count(), fds_before) << "a refused writer must not leak descriptors";
  EXPECT_THROW(JournalWriter third(o), Error);
  // The refused writers created nothing.
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"lock", JournalWriter::segment_name(1)}));

  first->close();
  JournalWriter after(o);  // close() released the directory
  EXPECT_EQ(after.next_seq(), 2u);
  EXPECT_EQ(after.segment().header().segment_index, 2u);
}

TEST(WriterFiles, AWriterThatFailsToOpenReleasesTheDirectory) {
  TempDir dir;
  int64_t clock = kT0;
  const WriterOptions o = quiet_options(dir.path(), &clock);
  { JournalWriter w(o); }
  // A directory where segment 2 must go: no segment to the listing, but
  // creating the segment fails after the lock was taken.
  fs::create_directory(segment_path(dir.path(), 2));
  const size_t fds_before = open_fd_count();
  EXPECT_THROW(JournalWriter w(o), Error);
  EXPECT_EQ(open_fd_count(), fds_before);
  fs::remove(segment_path(dir.path(), 2));
  JournalWriter w(o);  // not "in use by another writer"
  EXPECT_EQ(w.segment().header().segment_index, 2u);
}

TEST(WriterFiles, ANonDirectoryPathThrows) {
  TempDir dir;
  int64_t clock = kT0;
  write_file(dir / "file", {1, 2, 3});
  EXPECT_THROW(JournalWriter w(quiet_options(dir / "file", &clock)), Error);
}

// ---------------------------------------------------------------- recovery

constexpr uint32_t kRecoveryBlockEvents = 10;
// The crashed writer's bound on unflushed events: the seq gap after a crash.
constexpr uint32_t kRecoverySeqReserve = 30;

// A closed one-segment journal of 35 sample events in blocks of 10:
// blocks 1-10, 11-20, 21-30, 31-35, then the end record (next_seq 36).
struct ClosedJournal {
  TempDir dir;
  int64_t clock = kT0;
  std::string segment;
  std::vector<uint8_t> bytes;
  Layout layout;
  std::vector<Event> events;

  ClosedJournal() {
    WriterOptions o = options();
    SampleEvents gen(10);
    {
      JournalWriter w(o);
      events = append_samples(w, gen, 35);
    }
    segment = segment_path(dir.path(), 1);
    bytes = read_file(segment);
    layout = scan(segment);
  }
  WriterOptions options() {
    WriterOptions o = quiet_options(dir.path(), &clock);
    o.block_events = kRecoveryBlockEvents;
    o.max_pending = kRecoverySeqReserve;
    return o;
  }
};

// What every recovery must leave: the kept prefix of segment 1 byte for
// byte, the torn bytes in "<segment>.torn", a JournalRecovered event opening
// segment 2 with exact counters, a segment 2 chained to the kept prefix and
// a journal that reads without damage.
void expect_recovered(ClosedJournal& j, uint64_t keep, const std::vector<uint8_t>& torn, uint64_t seq_gap,
                      uint64_t recovered_seq, const std::string& message) {
  const Layout kept_layout = [&] {
    write_file(j.dir / "expected", slice(j.bytes, 0, keep));
    return scan(j.dir / "expected");
  }();
  fs::remove(j.dir / "expected");
  {
    JournalWriter w(j.options());
    const RecoveryReport& rep = w.recovery();
    EXPECT_TRUE(rep.recovered);
    EXPECT_EQ(rep.bytes_dropped, torn.size());
    EXPECT_EQ(rep.seq_gap, seq_gap);
    EXPECT_EQ(rep.torn_file, torn.empty() ? "" : j.segment + ".torn");
    EXPECT_EQ(w.journal_id(), j.layout.header.journal_id);

    EXPECT_EQ(w.segment().header().segment_index, 2u);
    EXPECT_EQ(w.segment().header().first_seq, recovered_seq);
    EXPECT_EQ(w.segment().header().prev_hash, kept_layout.chain);
    ASSERT_EQ(w.pending().size(), 1u);
    const Event& e = w.pending()[0];
    EXPECT_EQ(e.seq, recovered_seq);
    EXPECT_EQ(e.ts, j.clock);
    const SensorEvent& s = sensor_of(e);
    EXPECT_EQ(s.action, SensorAction::JournalRecovered);
    EXPECT_EQ(s.sensor, "journal");
    EXPECT_EQ(s.message, message);
    EXPECT_EQ(s.counters,
              (std::vector<Counter>{{"bytes_dropped", torn.size()}, {"seq_gap", seq_gap}, {"segment", 1}}));
    EXPECT_EQ(w.next_seq(), recovered_seq + 1);
    w.close();
  }
  EXPECT_EQ(read_file(j.segment), slice(j.bytes, 0, keep)) << "the kept prefix changed";
  if (torn.empty()) {
    EXPECT_FALSE(fs::exists(j.segment + ".torn"));
  } else {
    EXPECT_EQ(read_file(j.segment + ".torn"), torn);
    EXPECT_EQ(file_mode(j.segment + ".torn"), 0600u);
  }
  const ReadBack r = read_back(j.dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.headers.size(), 2u);
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back().seq, recovered_seq);
  // Everything before the recovery record is the original events the kept
  // blocks held, unchanged.
  std::vector<Event> kept;
  for (const Layout::Block& b : kept_layout.blocks) {
    for (const Event& e : j.events) {
      if (e.seq >= b.trailer.first_seq && e.seq <= b.trailer.last_seq) kept.push_back(e);
    }
  }
  EXPECT_EQ(std::vector<Event>(r.events.begin(), r.events.end() - 1), kept);
}

std::string torn_message(size_t n, const std::string& segment) {
  return "previous segment ended torn; " + std::to_string(n) + " bytes moved to " + segment + ".torn";
}

TEST(WriterRecovery, ClosedJournalLayoutIsAsExpected) {
  ClosedJournal j;
  EXPECT_TRUE(j.layout.damage.empty()) << describe(j.layout.damage);
  ASSERT_EQ(j.layout.blocks.size(), 4u);
  EXPECT_EQ(j.layout.blocks[2].trailer.last_seq, 30u);
  EXPECT_EQ(j.layout.blocks[3].trailer.first_seq, 31u);
  EXPECT_EQ(j.layout.blocks[3].trailer.last_seq, 35u);
  ASSERT_TRUE(j.layout.end.has_value());
  EXPECT_EQ(j.layout.end->end.next_seq, 36u);
  EXPECT_EQ(j.layout.end->end_offset, j.bytes.size());
}

TEST(WriterRecovery, UnclosedSegmentWithAPartialFrameAfterItsLastBlock) {
  ClosedJournal j;
  const Layout::Block& last = j.layout.blocks.back();
  // The crash: the writer died after block 31-35 and halfway through the
  // data frame of the next one (never a trailer, never the end record).
  const uint64_t keep = last.end_offset;
  const std::vector<uint8_t> torn =
      slice(j.bytes, last.data_offset, last.data_offset + (last.trailer_offset - last.data_offset) / 2);
  std::vector<uint8_t> crashed = slice(j.bytes, 0, keep);
  crashed.insert(crashed.end(), torn.begin(), torn.end());
  write_file(j.segment, crashed);
  ASSERT_GT(torn.size(), 0u);

  expect_recovered(j, keep, torn, kRecoverySeqReserve, 35 + 1 + kRecoverySeqReserve,
                   torn_message(torn.size(), j.segment));
}

TEST(WriterRecovery, TheScanOfTheTornSegmentIsReported) {
  ClosedJournal j;
  const Layout::Block& last = j.layout.blocks.back();
  std::vector<uint8_t> crashed = slice(j.bytes, 0, last.trailer_offset + 20);  // inside the trailer
  write_file(j.segment, crashed);
  JournalWriter w(j.options());
  ASSERT_EQ(w.recovery().damage.size(), 1u) << describe(w.recovery().damage);
  const Damage& d = w.recovery().damage[0];
  EXPECT_EQ(d.kind, DamageKind::TornTail);
  EXPECT_EQ(d.file, j.segment);
  EXPECT_EQ(d.offset, last.data_offset);
  EXPECT_EQ(d.length, last.trailer_offset + 20 - last.data_offset);
  EXPECT_EQ(w.recovery().bytes_dropped, last.trailer_offset + 20 - last.data_offset);
}

// Cut points inside the last block, as offsets from that block's frames.
enum class Cut { MidData, DataOnly, MidTrailerHeader, MidTrailerPayload, BeforeTrailerHash };

class WriterRecoveryCut : public ::testing::TestWithParam<Cut> {};

TEST_P(WriterRecoveryCut, FileCutInsideTheLastBlockKeepsTheBlocksBefore) {
  ClosedJournal j;
  const Layout::Block& last = j.layout.blocks.back();
  uint64_t cut = 0;
  switch (GetParam()) {
    case Cut::MidData:
      cut = last.data_offset + (last.trailer_offset - last.data_offset) / 2;
      break;
    case Cut::DataOnly:
      cut = last.trailer_offset;
      break;
    case Cut::MidTrailerHeader:
      cut = last.trailer_offset + 5;
      break;
    case Cut::MidTrailerPayload:
      cut = last.trailer_offset + (last.end_offset - last.trailer_offset) / 2;
      break;
    case Cut::BeforeTrailerHash:
      cut = last.end_offset - 1;
      break;
  }
  write_file(j.segment, slice(j.bytes, 0, cut));
  const uint64_t keep = j.layout.blocks[2].end_offset;  // after block 21-30
  expect_recovered(j, keep, slice(j.bytes, keep, cut), kRecoverySeqReserve, 30 + 1 + kRecoverySeqReserve,
                   torn_message(cut - keep, j.segment));
}

INSTANTIATE_TEST_SUITE_P(Cuts, WriterRecoveryCut,
                         ::testing::Values(Cut::MidData, Cut::DataOnly, Cut::MidTrailerHeader,
                                           Cut::MidTrailerPayload, Cut::BeforeTrailerHash));

TEST(WriterRecovery, UnclosedSegmentEndingExactlyAfterABlock) {
  ClosedJournal j;
  const uint64_t keep = j.layout.blocks.back().end_offset;  // only the end record is missing
  write_file(j.segment, slice(j.bytes, 0, keep));
  expect_recovered(j, keep, {}, kRecoverySeqReserve, 35 + 1 + kRecoverySeqReserve,
                   "previous segment was not closed cleanly");
}

TEST(WriterRecovery, UnclosedSegmentWithAHeaderOnly) {
  ClosedJournal j;
  const uint64_t keep = j.layout.header_end;
  write_file(j.segment, slice(j.bytes, 0, keep));
  // No block: the gap counts from the header's first_seq.
  expect_recovered(j, keep, {}, kRecoverySeqReserve, 1 + kRecoverySeqReserve,
                   "previous segment was not closed cleanly");
}

TEST(WriterRecovery, ClosedSegmentWithBytesAfterItsEndKeepsSeqExactly) {
  ClosedJournal j;
  // A closed segment followed by the start of a block (e.g. a second writer
  // that ignored the lock): the end record stands; nothing was handed out.
  const Layout::Block& b = j.layout.blocks[0];
  const std::vector<uint8_t> torn = slice(j.bytes, b.data_offset, b.trailer_offset - 7);
  std::vector<uint8_t> crashed = j.bytes;
  crashed.insert(crashed.end(), torn.begin(), torn.end());
  write_file(j.segment, crashed);
  expect_recovered(j, j.bytes.size(), torn, 0, 36, torn_message(torn.size(), j.segment));
}

TEST(WriterRecovery, RecoveryIsRepeatableAndKeepsSeqIncreasing) {
  // Crash, recover, crash again: the second recovery gaps past the first.
  ClosedJournal j;
  write_file(j.segment, slice(j.bytes, 0, j.layout.blocks.back().end_offset));
  std::vector<uint8_t> crashed;
  {
    JournalWriter w(j.options());
    // 36 + reserve is the JournalRecovered record.
    EXPECT_EQ(w.next_seq(), 36u + kRecoverySeqReserve + 1);
    SampleEvents gen(11);
    append_samples(w, gen, 14);  // one block of 66..75 flushed, 76..80 pending
    EXPECT_EQ(w.stats().blocks_written, 1u);
    const Layout l = scan(segment_path(j.dir.path(), 2));
    ASSERT_EQ(l.blocks.size(), 1u);
    EXPECT_EQ(l.blocks[0].trailer.last_seq, 75u);
    // The second crash: the segment as it stands now, without what the
    // destructor's close adds.
    crashed = read_file(segment_path(j.dir.path(), 2));
  }
  write_file(segment_path(j.dir.path(), 2), crashed);
  JournalWriter w(j.options());
  EXPECT_TRUE(w.recovery().recovered);
  EXPECT_EQ(w.recovery().seq_gap, kRecoverySeqReserve);
  EXPECT_EQ(w.segment().header().segment_index, 3u);
  ASSERT_EQ(w.pending().size(), 1u);
  EXPECT_EQ(w.pending()[0].seq, 75u + 1 + kRecoverySeqReserve);
  EXPECT_EQ(sensor_of(w.pending()[0]).counters,
            (std::vector<Counter>{{"bytes_dropped", 0}, {"seq_gap", kRecoverySeqReserve}, {"segment", 2}}));
  w.close();
  const ReadBack r = read_back(j.dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  EXPECT_EQ(r.headers.size(), 3u);
}

TEST(WriterRecovery, SeqGapIsTheCrashedWritersReserveNotTheReopeningOnes) {
  ClosedJournal j;
  write_file(j.segment, slice(j.bytes, 0, j.layout.blocks.back().end_offset));
  WriterOptions o = j.options();
  o.max_pending = 5000;  // the reopening writer holds more; the crashed one held 30
  JournalWriter w(o);
  EXPECT_EQ(w.recovery().seq_gap, kRecoverySeqReserve);
  EXPECT_EQ(w.segment().header().seq_reserve, 5000u);
}

TEST(WriterRecovery, ANewestSegmentSetAsideWholeStillPushesSeqPastItsBlocks) {
  TempDir dir;
  int64_t clock = 0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 10;
  o.max_pending = 30;
  {
    JournalWriter w(o);
    SampleEvents gen(5);
    for (int i = 0; i < 20; ++i) w.append(i, gen.next_body());  // seq 1..20 in segment 1
    w.rotate();                                                   // 21: JournalRotated
    for (int i = 0; i < 19; ++i) w.append(i, gen.next_body());  // 22..40 in segment 2
    w.close();
  }
  // Damage segment 2's header: the file is set aside whole, but its
  // trailers still say it used seq up to 40.
  const std::string seg2 = dir / "segment-000000000002.zst";
  std::vector<uint8_t> bytes = read_file(seg2);
  bytes[20] ^= 0xff;
  write_file(seg2, bytes);
  JournalWriter w(o);
  EXPECT_TRUE(fs::exists(seg2 + ".torn"));
  EXPECT_EQ(w.recovery().seq_gap, 30u);
  EXPECT_EQ(w.pending().front().seq, 40u + 1 + 30);  // the JournalRecovered record
}

TEST(WriterLimits, AppendHoldsEventsWhileWritesFailAndRefusesPastMaxPending) {
  TempDir dir;
  int64_t clock = 0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 4;
  o.max_pending = 6;
  JournalWriter w(o);
  // Writes past the segment's header now fail (EFBIG), even for root.
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = w.segment().size();
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);

  SampleEvents gen(3);
  for (uint64_t i = 1; i <= 6; ++i) EXPECT_EQ(w.append(static_cast<int64_t>(i), gen.next_body()), i);
  EXPECT_EQ(w.pending().size(), 6u);  // each flush failed; nothing was lost
  EXPECT_NE(w.write_error().find(w.segment().path()), std::string::npos) << w.write_error();
  EXPECT_EQ(w.stats().blocks_written, 0u);
  EXPECT_THROW(w.append(7, gen.next_body()), Error);  // past max_pending: not taken
  EXPECT_EQ(w.pending().size(), 6u);
  EXPECT_EQ(w.next_seq(), 7u);

  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  w.flush();
  EXPECT_TRUE(w.write_error().empty());
  EXPECT_TRUE(w.pending().empty());
  w.close();
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  std::vector<uint64_t> seqs;
  for (const Event& e : r.events) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
}

// A crash while the next segment was being created: its file holds part of
// a header (or nothing). It holds nothing a trailer covers and is set aside
// whole; the segment before was closed by the rotation, so seq continues
// exactly from its end record and the new segment takes the torn one's place.
class WriterRecoveryPartialHeader : public ::testing::TestWithParam<int> {};

TEST_P(WriterRecoveryPartialHeader, LastSegmentHoldingAPartialHeaderIsSetAside) {
  TempDir dir;
  int64_t clock = kT0;
  WriterOptions o = quiet_options(dir.path(), &clock);
  o.block_events = 10;
  SampleEvents gen(12);
  std::vector<Event> written;
  {
    JournalWriter w(o);
    written = append_samples(w, gen, 25);
    w.rotate();  // segment 1 closed with next_seq 26; 26 is the pending JournalRotated
    w.close();
  }
  const std::string seg1 = segment_path(dir.path(), 1);
  const std::string seg2 = segment_path(dir.path(), 2);
  const Layout l1 = scan(seg1);
  const Layout l2 = scan(seg2);
  ASSERT_TRUE(l1.end.has_value());
  EXPECT_EQ(l1.end->end.next_seq, 26u);
  const std::vector<uint8_t> seg1_bytes = read_file(seg1);
  const uint64_t keep =
      l2.header_end * static_cast<uint64_t>(GetParam()) / 4;  // 0, 1/4, 2/4, 3/4 of the header
  const std::vector<uint8_t> partial = slice(read_file(seg2), 0, keep);
  write_file(seg2, partial);

  clock = kT0 + 7;
  {
    JournalWriter w(o);
    const RecoveryReport& rep = w.recovery();
    EXPECT_TRUE(rep.recovered);
    EXPECT_EQ(rep.bytes_dropped, keep);
    EXPECT_EQ(rep.seq_gap, 0u);
    EXPECT_EQ(rep.torn_file, seg2 + ".torn");
    EXPECT_EQ(w.segment().path(), seg2);
    EXPECT_EQ(w.segment().header().segment_index, 2u);
    EXPECT_EQ(w.segment().header().first_seq, 26u);
    EXPECT_EQ(w.segment().header().prev_hash, l1.end->stored_hash);
    EXPECT_EQ(w.segment().header().journal_id, l1.header.journal_id);
    ASSERT_EQ(w.pending().size(), 1u);
    EXPECT_EQ(w.pending()[0].seq, 26u);
    const SensorEvent& s = sensor_of(w.pending()[0]);
    EXPECT_EQ(s.action, SensorAction::JournalRecovered);
    EXPECT_EQ(s.counters, (std::vector<Counter>{{"bytes_dropped", keep}, {"seq_gap", 0}, {"segment", 1}}));
    w.close();
  }
  EXPECT_EQ(read_file(seg1), seg1_bytes);
  EXPECT_EQ(read_file(seg2 + ".torn"), partial);
  const ReadBack r = read_back(dir.path());
  EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(seqs_of(r.events), range(1, 26));
  EXPECT_EQ(std::vector<Event>(r.events.begin(), r.events.begin() + 25), written);
}

INSTANTIATE_TEST_SUITE_P(Fractions, WriterRecoveryPartialHeader, ::testing::Values(0, 1, 2, 3));

}  // namespace
}  // namespace zagent
