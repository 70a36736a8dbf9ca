// zagent-replay on the real capture in testdata/replay-basic: its output is
// byte for byte the committed golden (which testdata/replay-basic/README.md
// describes), and it holds what the capture's script did.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace zagent {
namespace {

using testing::run_command;

const std::string kReplay = ZAGENT_REPLAY_BINARY;
const std::string kData = std::string(ZAGENT_SOURCE_DIR) + "/testdata/replay-basic";

std::string file(const std::string& path) { return run_command("cat " + path).out; }

TEST(ReplayGolden, JsonIsTheGolden) {
  const auto r = run_command(kReplay + " --format json " + kData + "/journal.zst");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, file(kData + "/expected/replay.jsonl"))
      << "regenerate with: zagent-replay --format json testdata/replay-basic/journal.zst > "
         "testdata/replay-basic/expected/replay.jsonl (and say why in the commit)";
}

TEST(ReplayGolden, TheCaptureHoldsWhatItsScriptDid) {
  const auto sockets = run_command(kReplay + " --format json --type socket " + kData + "/journal.zst | grep -v existing").out;
  EXPECT_NE(sockets.find(R"("action":"connect","protocol":"tcp","pid":27536,)"), std::string::npos) << sockets;
  EXPECT_NE(sockets.find(R"("local_addr":"127.0.0.1","local_port":49838,"remote_addr":"127.0.0.1","remote_port":18080,"bytes_sent":88,"bytes_received":217})"),
            std::string::npos)
      << sockets;
  // The refused connect: a close with the port the capture shows (41000).
  EXPECT_NE(sockets.find(R"("action":"close","protocol":"tcp","pid":27539,)"), std::string::npos) << sockets;
  EXPECT_NE(sockets.find(R"("local_addr":"127.0.0.1","local_port":41000,"remote_addr":"127.0.0.1","remote_port":18081,"bytes_sent":0,"bytes_received":0})"),
            std::string::npos)
      << sockets;
  const auto tree = run_command(kReplay + " --format json --type process_exec,process_exit " + kData +
                                "/journal.zst | grep -E '\"pid\":2754[34],'").out;
  EXPECT_NE(tree.find(R"("argv":["sh","-c","sh -c \"exit 3\"; true","zagent-testdata-tree"])"), std::string::npos) << tree;
  EXPECT_NE(tree.find(R"("pid":27544,"start_boot_ns":)"), std::string::npos) << tree;
  EXPECT_NE(tree.find(R"("exit_code":3,)"), std::string::npos) << tree;
}

}  // namespace
}  // namespace zagent
