// Subscribers' positions in the state directory (agent/zeek/
// subscriber_positions.h): kept across instances, 0600 in a 0700
// directory, never moved backwards, refused names and damaged files named.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "agent/zeek/subscriber_positions.h"
#include "journal/error.h"
#include "tests/support/temp_dir.h"

namespace zagent::zeek {
namespace {

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SubscriberPositions, KeptOnDiskAcrossInstances) {
  testing::TempDir state;
  {
    SubscriberPositions p(state.path());
    EXPECT_EQ(p.acknowledged("zeek-main"), std::nullopt);
    p.acknowledge("zeek-main", 41);
    p.acknowledge("zeek-main", 42);
    p.acknowledge("other", 7);
    EXPECT_EQ(p.acknowledged("zeek-main"), 42u);
  }
  EXPECT_EQ(text_of(state / "subscribers/zeek-main"), "42\n");
  EXPECT_EQ(mode_of(state / "subscribers/zeek-main"), 0600u);
  EXPECT_EQ(mode_of(state / "subscribers"), 0700u);
  EXPECT_FALSE(std::filesystem::exists(state / "subscribers/zeek-main.tmp"));
  SubscriberPositions again(state.path());
  EXPECT_EQ(again.acknowledged("zeek-main"), 42u);
  EXPECT_EQ(again.acknowledged("other"), 7u);
  again.acknowledge("zeek-main", 18446744073709551615u);
  EXPECT_EQ(SubscriberPositions(state.path()).acknowledged("zeek-main"), 18446744073709551615u);
}

TEST(SubscriberPositions, NeverBackwards) {
  testing::TempDir state;
  SubscriberPositions p(state.path());
  p.acknowledge("s", 100);
  p.acknowledge("s", 100);  // the same again: fine
  EXPECT_EQ(error_of([&] { p.acknowledge("s", 99); }), "subscriber s: acknowledgement of seq 99 goes back from 100");
  EXPECT_EQ(p.acknowledged("s"), 100u);
  EXPECT_EQ(text_of(state / "subscribers/s"), "100\n");
}

TEST(SubscriberPositions, ForgetStartsOver) {
  testing::TempDir state;
  SubscriberPositions p(state.path());
  p.acknowledge("s", 5);
  p.forget("s");
  EXPECT_EQ(p.acknowledged("s"), std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(state / "subscribers/s"));
  p.acknowledge("s", 1);  // after forgetting, any seq
  EXPECT_EQ(SubscriberPositions(state.path()).acknowledged("s"), 1u);
  p.forget("never-seen");  // no file: nothing to do
}

TEST(SubscriberPositions, NamesThatAreNotFileNamesAreRefused) {
  testing::TempDir state;
  SubscriberPositions p(state.path());
  EXPECT_EQ(error_of([&] { p.acknowledge("", 1); }), "subscriber name must be 1-64 characters");
  EXPECT_EQ(error_of([&] { p.acknowledge(std::string(65, 'a'), 1); }), "subscriber name must be 1-64 characters");
  EXPECT_EQ(error_of([&] { p.acknowledge("../agent-id", 1); }), "subscriber name '../agent-id' must not start with '.'");
  EXPECT_EQ(error_of([&] { p.acknowledge("a/b", 1); }), "subscriber name 'a/b': only A-Z, a-z, 0-9, '.', '_' and '-'");
  EXPECT_EQ(error_of([&] { p.acknowledged("a b"); }), "subscriber name 'a b': only A-Z, a-z, 0-9, '.', '_' and '-'");
  EXPECT_FALSE(std::filesystem::exists(state / "subscribers"));
  p.acknowledge(std::string(64, 'z') , 1);
  p.acknowledge("Zeek_1.manager-2", 1);
}

TEST(SubscriberPositions, DamagedFilesAreNamedNotGuessed) {
  testing::TempDir state;
  std::filesystem::create_directories(state / "subscribers");
  const std::vector<std::string> damaged = {"", "\n", "12", "12\n3\n", "-1\n", "1e3\n", "x\n",
                                            "99999999999999999999\n", "123456789012345678901\n"};
  for (const std::string& content : damaged) {
    std::ofstream(state / "subscribers/s") << content;
    SubscriberPositions p(state.path());
    const std::string want = content == "99999999999999999999\n"
                                 ? state / "subscribers/s: seq out of range"
                                 : state / "subscribers/s: not a subscriber position (one seq on one line)";
    EXPECT_EQ(error_of([&] { p.acknowledged("s"); }), want) << "content: " << content;
    EXPECT_EQ(error_of([&] { p.acknowledge("s", 1); }), want) << "content: " << content;
  }
}

TEST(SubscriberPositions, AStaleTemporaryFileFromACrashIsIgnored) {
  testing::TempDir state;
  SubscriberPositions(state.path()).acknowledge("s", 10);
  std::ofstream(state / "subscribers/s.tmp") << "half";  // a crash before the rename
  SubscriberPositions p(state.path());
  EXPECT_EQ(p.acknowledged("s"), 10u);
  p.acknowledge("s", 11);
  EXPECT_EQ(text_of(state / "subscribers/s"), "11\n");
  EXPECT_FALSE(std::filesystem::exists(state / "subscribers/s.tmp"));
}

}  // namespace
}  // namespace zagent::zeek
