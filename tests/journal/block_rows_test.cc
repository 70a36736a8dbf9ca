// Reading a block in place (journal/block_rows.h), after the check a SQL
// table makes (no type wanted), gives back every field of every event it
// was encoded from, for random events of all types; columns a writer left
// out read as their defaults (decoded too); and a block the
// column check refuses is refused whatever types a reader wants, so a SQL
// table (in place) and `zagent cat` (decoded) never disagree on a block.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <flatbuffers/flatbuffers.h>

#include "journal/block_codec.h"
#include "journal/block_rows.h"
#include "tests/support/any_event.h"

namespace zagent {
namespace {

std::span<const uint8_t> bytes(const flatbuffers::FlatBufferBuilder& fbb) {
  return {fbb.GetBufferPointer(), fbb.GetSize()};
}

// Checks `block` as a SQL table does (building nothing) and reads it in place.
std::vector<Event> read_in_place(const fb::Block& block) {
  std::vector<Event> none, out;
  BlockSummary summary;
  std::string why;
  if (!decode_block(block, 0, &none, &summary, &why)) throw std::runtime_error(why);
  BlockRows rows(&block);
  while (rows.next()) out.push_back(rows.event());
  return out;
}

RC_GTEST_PROP(BlockRows, InPlaceReadsGiveWhatDecodingGives, ()) {
  std::vector<Event> events;
  uint64_t seq = *rc::gen::inRange<uint64_t>(1, 1u << 30);
  const int n = *rc::gen::inRange(1, 120);
  for (int i = 0; i < n; ++i) {
    seq += *rc::gen::inRange<uint64_t>(1, 3);
    events.push_back(Event{*rc::gen::arbitrary<int64_t>(), seq, testing::any_body()});
  }
  flatbuffers::FlatBufferBuilder fbb;
  encode_block(events, fbb);
  const fb::Block* block = verified_block(bytes(fbb));
  RC_ASSERT(block != nullptr);
  RC_ASSERT(read_in_place(*block) == events);
}

TEST(BlockRows, EveryEventTypeWithListsAndAddresses) {
  ProcessExec exec;
  exec.pid = 7;
  exec.argv = {"a", "", "\xff\xfe", "a"};
  exec.exe_sha256 = std::string(32, '\x01');
  exec.exe_hash_status = HashStatus::Ok;
  ProcessSnapshot snap;
  snap.pid = 8;
  snap.argv = {"s1", "s2"};
  SensorEvent sensor{SensorAction::EventsLost, "bpf", "lost", {{"socket", 12}, {"file", 1ull << 63}}};
  SocketEvent sock;
  sock.local_addr = IpAddress::v4(0x7f000001);
  sock.remote_port = 65535;
  std::vector<Event> events = {{-5, 10, exec},   {-6, 12, snap},   {1, 13, ProcessExec{}}, {2, 20, sensor},
                               {3, 21, exec},    {4, 22, sock},    {5, 23, LoginEvent{}},  {6, 24, FileEvent{}},
                               {7, 25, sensor},  {8, 26, ProcessExit{1, 2, 3, 9, -1, "x"}}};
  flatbuffers::FlatBufferBuilder fbb;
  encode_block(events, fbb);
  const fb::Block* block = verified_block(bytes(fbb));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(read_in_place(*block), events);
}

// A block as another writer may make it: the columns left out are those
// whose entries all have the default (events.fbs).
void sparse_block(flatbuffers::FlatBufferBuilder& fbb, uint32_t exe_index, uint32_t argc, size_t pids) {
  const auto strings = fbb.CreateVectorOfStrings({"", "/bin/true"});
  std::vector<uint32_t> pid(pids, 42);
  const auto exec = fb::CreateProcessColumns(fbb, fbb.CreateVector(pid), 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             fbb.CreateVector(std::vector<uint32_t>{exe_index}),
                                             fbb.CreateVector(std::vector<uint32_t>{argc}),
                                             fbb.CreateVector(std::vector<uint32_t>{1}));
  const auto exit = fb::CreateExitColumns(fbb, fbb.CreateVector(std::vector<uint32_t>{43}));
  const auto types = fbb.CreateVector(std::vector<fb::EventType>{fb::EventType::ProcessExec, fb::EventType::ProcessExit});
  const auto ts = fbb.CreateVector(std::vector<int64_t>{0, 5});
  fb::BlockBuilder b(fbb);
  b.add_base_ts(100);
  b.add_base_seq(1);
  b.add_type(types);
  b.add_ts_delta(ts);
  b.add_strings(strings);
  b.add_process_exec(exec);
  b.add_process_exit(exit);
  fbb.Finish(b.Finish(), fb::BlockIdentifier());
}

TEST(BlockRows, ColumnsLeftOutReadAsTheirDefaults) {
  flatbuffers::FlatBufferBuilder fbb;
  sparse_block(fbb, 1, 1, 1);
  const fb::Block* block = verified_block(bytes(fbb));
  ASSERT_NE(block, nullptr);
  ProcessExec exec;
  exec.pid = 42;
  exec.login_uid = 4294967295u;  // the default of a missing login_uid column
  exec.exe = "/bin/true";
  exec.argv = {"/bin/true"};
  ProcessExit exit;
  exit.pid = 43;
  exit.duration_ns = -1;
  const std::vector<Event> want = {{100, 1, exec}, {105, 2, exit}};
  EXPECT_EQ(read_in_place(*block), want);
  std::vector<Event> decoded;
  std::string why;
  ASSERT_TRUE(decode_block(*block, &decoded, &why)) << why;
  EXPECT_EQ(decoded, want);
}

// Each damage is refused with the same reason whether the reader builds
// every type, only others, or none (a SQL table checks with none).
TEST(BlockRows, TheColumnCheckRefusesBadBlocksWhateverIsWanted) {
  struct Case {
    uint32_t exe_index, argc;
    size_t pids;
    const char* why;
  } cases[] = {
      {2, 1, 1, "a string index is past the string table"},
      {1, 2, 1, "a list column is shorter than its counts"},
      {1, 1, 0, "a column is shorter than its events"},
  };
  for (const Case& c : cases) {
    flatbuffers::FlatBufferBuilder fbb;
    sparse_block(fbb, c.exe_index, c.argc, c.pids);
    const fb::Block* block = verified_block(bytes(fbb));
    ASSERT_NE(block, nullptr);
    for (uint32_t mask : {~0u, 0u, 1u << static_cast<unsigned>(EventType::ProcessExit)}) {
      std::vector<Event> out;
      BlockSummary summary;
      std::string why;
      EXPECT_FALSE(decode_block(*block, mask, &out, &summary, &why)) << c.why << " mask " << mask;
      EXPECT_EQ(why, c.why) << "mask " << mask;
      EXPECT_TRUE(out.empty());
    }
  }
}

}  // namespace
}  // namespace zagent
