// The replay stream (replay/stream_format.h) between zagent-replay's writer
// and the reader the Zagent::Replay plugin uses on Zeek's standard input:
// any events come back exactly, in order, with their host and boot id;
// frames stay within their bounds; a damaged frame is reported by offset
// and skipped, the others kept; a cut stream is reported; input that is
// not a stream is handed back whole.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "journal/error.h"
#include "journal/format.h"
#include "replay/stream_format.h"
#include "replay/stream_reader.h"
#include "replay/stream_writer.h"
#include "replay/zeek_script.h"
#include "tests/support/any_event.h"
#include "tests/support/sample_events.h"
#include "tests/support/temp_dir.h"

namespace zagent::replay {
namespace {

using testing::run_command;

struct Input {
  std::vector<Event> events;
  std::string host;
  std::string boot_id;
};

// The stream a writer makes of `inputs`, one add() each.
std::string stream_of(const std::vector<Input>& inputs, bool prelude = true) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  {
    StreamWriter w(f, prelude);
    for (const Input& in : inputs) w.add(in.events, in.host, in.boot_id);
    w.finish();
  }
  std::fclose(f);
  std::string s(buf, size);
  std::free(buf);
  return s;
}

// What a reader makes of `bytes`, read through a pipe as Zeek's standard
// input is.
struct ReadBack {
  bool is_stream = false;
  std::string script;
  std::vector<EventBatch> batches;
  std::vector<std::string> warnings;
  bool complete = false;
};

ReadBack read_back(const std::string& bytes) {
  testing::TempDir dir;
  const std::string path = dir / "stream";
  testing::write_file(path, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  const int fd = ::open(path.c_str(), O_RDONLY);
  ReadBack r;
  StreamReader reader(fd, "standard input", [&r](const std::string& w) { r.warnings.push_back(w); });
  r.is_stream = reader.read_head(&r.script);
  EventBatch batch;
  while (r.is_stream && reader.next(&batch)) r.batches.push_back(batch);
  r.complete = reader.complete();
  ::close(fd);
  return r;
}

std::vector<Event> all_events(const ReadBack& r) {
  std::vector<Event> out;
  for (const auto& b : r.batches) out.insert(out.end(), b.events.begin(), b.events.end());
  return out;
}

std::vector<Event> sample(size_t n, uint64_t first_seq = 1) { return testing::SampleEvents(7).make(n, first_seq); }

RC_GTEST_PROP(ReplayStream, AnyEventsComeBackExactlyInOrder, ()) {
  std::vector<Input> inputs;
  const int parts = *rc::gen::inRange(1, 4);
  for (int p = 0; p < parts; ++p) {
    Input in{{}, testing::any_bytes(), testing::any_bytes()};
    const int n = *rc::gen::inRange(0, 30);
    for (int i = 0; i < n; ++i)
      in.events.push_back(Event{*rc::gen::arbitrary<int64_t>(), static_cast<uint64_t>(i + 1), testing::any_body()});
    inputs.push_back(in);
  }
  const ReadBack r = read_back(stream_of(inputs));
  RC_ASSERT(r.is_stream);
  RC_ASSERT(r.warnings.empty());
  RC_ASSERT(r.complete);
  std::vector<Input> got;
  for (const auto& b : r.batches) got.push_back(Input{b.events, b.host, b.boot_id});
  std::vector<Input> want;
  for (const auto& in : inputs)
    if (!in.events.empty()) want.push_back(in);
  RC_ASSERT(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    RC_ASSERT(got[i].events == want[i].events);
    RC_ASSERT(got[i].host == want[i].host);
    RC_ASSERT(got[i].boot_id == want[i].boot_id);
  }
}

TEST(ReplayStream, TheHeadIsTheGuardThenTheScriptWithTheStreamDriver) {
  const std::string s = stream_of({{sample(3), "h", "b"}});
  ASSERT_EQ(s.compare(0, stream::kGuard.size(), stream::kGuard), 0);
  const ReadBack r = read_back(s);
  ASSERT_TRUE(r.is_stream);
  EXPECT_EQ(r.script, script_prelude(true) + "\n" + kStreamDriver);
  const std::string line = std::string(stream::kScriptLine) + std::to_string(r.script.size()) + "\n";
  EXPECT_EQ(s.compare(stream::kGuard.size(), line.size(), line), 0);
  EXPECT_EQ(read_back(stream_of({}, false)).script, script_prelude(false) + "\n" + kStreamDriver);
  // Without the plugin Zeek stops at the guard's @load: a name that says what is missing.
  EXPECT_NE(stream::kGuard.find("@load zagent-replay-output-needs-the-Zeek-plugin-Zagent::Replay"),
            std::string::npos);
}

TEST(ReplayStream, FramesHoldAtMostTheirEventsAndAllArrive) {
  const std::vector<Event> events = sample(10'000);
  const ReadBack r = read_back(stream_of({{events, "host-a", "boot-1"}}));
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(r.batches.size(), 3u);  // 4096 + 4096 + 1808
  EXPECT_EQ(r.batches[0].events.size(), stream::kMaxFrameEvents);
  EXPECT_EQ(r.batches[2].events.size(), 10'000 - 2 * stream::kMaxFrameEvents);
  EXPECT_EQ(all_events(r), events);
}

TEST(ReplayStream, InputThatIsNotAStreamIsHandedBackWhole) {
  for (const std::string& text : {std::string(""), std::string("event zeek_init() { print 1; }\n"),
                                 std::string(stream::kGuard.substr(0, 20))}) {
    const ReadBack r = read_back(text);
    EXPECT_FALSE(r.is_stream);
    EXPECT_EQ(r.script, text);
  }
}

// Offsets of the frames after the head: each frame's start.
std::vector<size_t> frame_offsets(const std::string& s) {
  const size_t line = s.find('\n', stream::kGuard.size());
  const size_t script = std::stoul(s.substr(stream::kGuard.size() + stream::kScriptLine.size()));
  std::vector<size_t> out;
  for (size_t at = line + 1 + script; at < s.size();) {
    out.push_back(at);
    at += stream::kFrameHeaderBytes + format::load_le32(reinterpret_cast<const uint8_t*>(s.data() + at));
  }
  return out;
}

TEST(ReplayStream, ADamagedFrameIsReportedByOffsetAndSkipped) {
  const std::vector<Event> a = sample(5, 1), b = sample(5, 6), c = sample(5, 11);
  std::string s = stream_of({{a, "h", "b"}, {b, "h", "b"}, {c, "h", "b"}});
  const auto frames = frame_offsets(s);
  ASSERT_EQ(frames.size(), 4u);  // three Events frames and the End frame
  // Break the second frame's block: its FlatBuffers root offset points past the end.
  const size_t block = frames[1] + stream::kFrameHeaderBytes + 2 + 1 + 2 + 1;
  s[block] = '\xff';
  s[block + 1] = '\xff';
  const ReadBack r = read_back(s);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], "standard input, offset " + std::to_string(frames[1]) +
                               ": an Events frame whose block does not verify: its events are skipped");
  EXPECT_EQ(r.warnings[1], "standard input, offset " + std::to_string(frames[3]) +
                               ": the End frame counts 15 events, but the frames before it held 10");
  std::vector<Event> kept = a;
  kept.insert(kept.end(), c.begin(), c.end());
  EXPECT_EQ(all_events(r), kept);
  EXPECT_FALSE(r.complete);
}

TEST(ReplayStream, ACutStreamKeepsWhatCameBeforeAndSaysSo) {
  const std::vector<Event> a = sample(5, 1), b = sample(5, 6);
  const std::string s = stream_of({{a, "h", "b"}, {b, "h", "b"}});
  const auto frames = frame_offsets(s);
  // Cut inside the second frame, and at the End frame.
  ReadBack r = read_back(s.substr(0, frames[1] + 20));
  EXPECT_EQ(all_events(r), a);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "standard input, offset " + std::to_string(frames[1]) +
                               ": the replay stream ends inside a frame of " +
                               std::to_string(frames[2] - frames[1] - stream::kFrameHeaderBytes) +
                               " bytes, after 5 events: the events after these are missing");
  r = read_back(s.substr(0, frames[2]));
  EXPECT_EQ(all_events(r).size(), 10u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "standard input, offset " + std::to_string(frames[2]) +
                               ": the replay stream ends after 10 events without its End frame: zagent-replay "
                               "stopped early (its standard error says why), and the events after these are missing");
  EXPECT_FALSE(r.complete);
}

TEST(ReplayStream, AFrameHeaderThatCannotBeRightEndsTheStream) {
  std::string s = stream_of({{sample(5), "h", "b"}, {sample(5, 6), "h", "b"}});
  const auto frames = frame_offsets(s);
  s[frames[1] + 3] = '\x7f';  // a size of about 2 GB
  const ReadBack r = read_back(s);
  EXPECT_EQ(all_events(r).size(), 5u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("offset " + std::to_string(frames[1]) + ": a frame of "), std::string::npos);
  EXPECT_NE(r.warnings[0].find("the rest of the stream is skipped"), std::string::npos);
}

TEST(ReplayStream, AGuardWithoutItsScriptLineIsAnError) {
  testing::TempDir dir;
  const std::string path = dir / "s";
  const std::string text = std::string(stream::kGuard) + "print 1;\n";
  testing::write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
  const int fd = ::open(path.c_str(), O_RDONLY);
  StreamReader reader(fd, "standard input", [](const std::string&) {});
  std::string script;
  try {
    reader.read_head(&script);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "standard input, offset " + std::to_string(stream::kGuard.size()) +
                                         ": a replay stream's guard, but not its script line (\"" +
                                         std::string(stream::kScriptLine) + "N\"): not written by this zagent-replay?");
  }
  ::close(fd);
}

// zagent-replay's default output is the stream of the journal's events.
TEST(ReplayStream, ZagentReplayWritesTheStreamByDefault) {
  testing::TempDir dir;
  const std::string data = std::string(ZAGENT_SOURCE_DIR) + "/testdata/replay-basic/journal.zst";
  ASSERT_EQ(run_command(std::string(ZAGENT_REPLAY_BINARY) + " " + data + " > " + dir / "out").status, 0);
  const auto bytes = testing::read_file(dir / "out");
  const ReadBack r = read_back(std::string(bytes.begin(), bytes.end()));
  ASSERT_TRUE(r.is_stream);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(all_events(r).size(), 141u);
  EXPECT_EQ(r.batches.at(0).host, "vm");
}

}  // namespace
}  // namespace zagent::replay
