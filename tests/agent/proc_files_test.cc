// Reading /proc files: a read that fails (ESRCH from an exiting process's
// files, EISDIR here) ends the file instead of throwing out of the reader,
// which once aborted the agent when a process exited mid-read.
#include <gtest/gtest.h>
#include <unistd.h>

#include "agent/sensors/proc_process.h"
#include "agent/sensors/proc_stat.h"

namespace zagent {
namespace {

TEST(ProcFiles, AFailingReadEndsTheFileWithoutThrowing) {
  EXPECT_EQ(read_proc_file("/proc"), "");               // open works, read fails (EISDIR)
  EXPECT_EQ(read_proc_file("/nonexistent/stat"), "");  // open fails
  const std::string self = read_proc_file("/proc/self/stat");
  EXPECT_EQ(self.rfind(std::to_string(::getpid()) + " (", 0), 0u) << self;
}

TEST(ProcFiles, StatOfAProcessThatIsGoneIsFalse) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ProcStat stat;
  EXPECT_FALSE(read_proc_stat(static_cast<uint32_t>(child), &stat));
  ASSERT_TRUE(read_proc_stat(static_cast<uint32_t>(::getpid()), &stat));
  EXPECT_EQ(stat.ppid, static_cast<uint32_t>(::getppid()));
}

}  // namespace
}  // namespace zagent
