// The process's memo of scanned segments: a segment still being written is
// remembered up to its last complete block and scanned on from there,
// another file's bytes under a remembered inode are not taken for it, and
// bytes changed behind a seeking reader's back (memo or end index) are
// still caught when their block is read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "journal/mapped_file.h"
#include "journal/scan_memo.h"
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

WriterOptions small_blocks(const std::string& dir, int64_t* clock) {
  WriterOptions o = testing::test_writer_options(dir, clock);
  o.block_events = 100;
  return o;
}

// The events through a seeking reader (remember_scans), as the query engine reads.
ReadResult read(const std::string& dir, ReadOptions options = {}) {
  options.remember_scans = true;
  return read_all({dir}, options);
}

class ScanMemoTest : public ::testing::Test {
 protected:
  void write(size_t n) {
    JournalWriter w(small_blocks(dir_.path(), &clock_));
    SampleEvents sample(7);
    for (size_t i = 0; i < n; ++i) {
      w.append(clock_, sample.next_body());
      clock_ += 1'000'000;
    }
    w.close();
  }
  std::string segment() const { return JournalReader::list_segments(dir_.path()).at(0); }

  TempDir dir_;
  int64_t clock_ = kT0;
};

TEST_F(ScanMemoTest, ASegmentStillBeingWrittenIsRememberedUpToItsLastBlockAndScannedOnFromThere) {
  JournalWriter w(small_blocks(dir_.path(), &clock_));
  SampleEvents sample(7);
  std::vector<Event> written;
  auto append = [&](int n) {
    for (int i = 0; i < n; ++i) {
      EventBody body = sample.next_body();
      const uint64_t seq = w.append(clock_, body);
      written.push_back(Event{clock_++, seq, std::move(body)});
    }
    w.flush();
  };
  append(250);
  // The writer's own start records come first; the rest are ours.
  auto ours = [&](const ReadResult& r) { return std::vector<Event>(r.events.end() - written.size(), r.events.end()); };
  const ReadResult first = read(dir_.path());
  EXPECT_EQ(ours(first), written);
  MappedFile now(segment());
  const auto memo = ScanMemo::process().find(now.identity(), now.bytes());
  ASSERT_NE(memo, nullptr);
  EXPECT_EQ(memo->records.back().kind, SegmentScanner::Item::Block);
  EXPECT_EQ(memo->resume.pos, now.bytes().size());
  append(130);
  const ReadResult second = read(dir_.path());
  EXPECT_TRUE(second.damage.empty());
  EXPECT_EQ(ours(second), written);
  MappedFile grown(segment());
  const auto longer = ScanMemo::process().find(grown.identity(), grown.bytes());
  ASSERT_NE(longer, nullptr);
  EXPECT_GT(longer->records.size(), memo->records.size());
  EXPECT_EQ(longer->resume.pos, grown.bytes().size());
}

TEST(ScanMemoUnit, AnotherFileUnderARememberedInodeIsNotTakenForIt) {
  ScanMemo memo(100);
  const std::vector<uint8_t> a(600, 'a');
  std::vector<uint8_t> b = a;
  b[100] = 'b';
  const FileIdentity file{1, 42};
  std::vector<ScanRecord> records(1);
  records[0].kind = SegmentScanner::Item::Segment;
  SegmentScanner::Resume resume;
  resume.pos = 300;
  memo.store(file, a, records, resume);
  EXPECT_NE(memo.find(file, a), nullptr);
  EXPECT_EQ(memo.find(file, b), nullptr);                                     // other first bytes
  EXPECT_EQ(memo.find(file, std::span<const uint8_t>(a).first(299)), nullptr);  // shorter than the prefix
  EXPECT_EQ(memo.find(FileIdentity{1, 43}, a), nullptr);              // another inode
}

TEST_F(ScanMemoTest, BytesChangedBehindASeekingReaderAreCaughtWhenTheirBlockIsRead) {
  write(1000);
  ASSERT_TRUE(read(dir_.path()).damage.empty());
  const std::string path = segment();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  // Flip a byte inside the data of the block holding events 500..599, then
  // put the file's mtime back: the same identity, other bytes.
  ReadOptions window;
  window.since_ts = kT0 + 500'000'000;
  window.until_ts = kT0 + 500'000'001;
  JournalReader locate({dir_.path()}, window, nullptr);
  ReadBlock block;
  ASSERT_TRUE(locate.next_block(&block));
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c;
  const off_t at = static_cast<off_t>(block.data_offset + 20);
  ASSERT_EQ(::pread(fd, &c, 1, at), 1);
  c ^= 0x5a;
  ASSERT_EQ(::pwrite(fd, &c, 1, at), 1);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(::futimens(fd, times), 0);
  ::close(fd);

  const ReadResult r = read(dir_.path(), window);
  EXPECT_TRUE(r.events.empty());
  ASSERT_EQ(r.damage.size(), 1u);
  EXPECT_EQ(r.damage[0].kind, DamageKind::HashMismatch);
  EXPECT_EQ(r.damage[0].offset, block.data_offset);
}

}  // namespace
}  // namespace zagent
