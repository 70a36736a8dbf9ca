// LiveJournal's notes: sensor events other threads leave for the recorder
// (agent/recorder/live_journal.h), kept in order up to the bound, the rest
// counted; the recorder's side of it runs in tests/live/zeek_stream_gap.py.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "agent/recorder/live_journal.h"

namespace zagent {
namespace {

SensorEvent note_number(size_t i) {
  return SensorEvent{SensorAction::StreamGap, "zeek", "note " + std::to_string(i), {{"first_seq", i}}};
}

TEST(LiveJournalNotes, AreTakenInOrderOnceAndBoundedWithTheRestCounted) {
  LiveJournal live;
  uint64_t dropped = 99;
  EXPECT_TRUE(live.take_notes(&dropped).empty());
  EXPECT_EQ(dropped, 0u);
  for (size_t i = 0; i < LiveJournal::kMaxNotes + 3; ++i) live.note(note_number(i));
  const std::vector<SensorEvent> taken = live.take_notes(&dropped);
  ASSERT_EQ(taken.size(), LiveJournal::kMaxNotes);
  EXPECT_EQ(dropped, 3u);
  for (size_t i = 0; i < taken.size(); ++i) EXPECT_EQ(taken[i], note_number(i));
  EXPECT_TRUE(live.take_notes(&dropped).empty());  // taken once
  EXPECT_EQ(dropped, 0u);
}

TEST(LiveJournalNotes, NoteFromManyThreadsLosesNone) {
  LiveJournal live;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&live] {
      for (size_t i = 0; i < 200; ++i) live.note(note_number(i));
    });
  }
  for (auto& t : threads) t.join();
  uint64_t dropped = 0;
  EXPECT_EQ(live.take_notes(&dropped).size(), 800u);
  EXPECT_EQ(dropped, 0u);
}

}  // namespace
}  // namespace zagent
