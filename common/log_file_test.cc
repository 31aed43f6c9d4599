#include "common/log_file.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/durable_file.h"
#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::common {
namespace {

std::string ReadAll(const std::string& path) { return ReadFile(path).value_or(""); }

// Runs in a child process: the test must not lose its own stderr.
TEST(LogFileTest, StderrGoesToTheFileAndReopenFollowsARename) {
  const std::string dir = testing::util::MakeTempDir("log-");
  const std::string path = dir + "/server.log";
  std::ofstream(path) << "kept\n";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto log = LogFile::Open(path);
    if (!log.ok() || *log == nullptr) _exit(1);
    std::fprintf(stderr, "first\n");
    std::fflush(stderr);
    std::filesystem::rename(path, path + ".1");
    if (!(*log)->Reopen().ok()) _exit(2);
    std::fprintf(stderr, "second\n");
    std::fflush(stderr);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(ReadAll(path + ".1"), "kept\nfirst\n");
  EXPECT_EQ(ReadAll(path), "second\n");
}

TEST(LogFileTest, EmptyPathLeavesStderrAlone) {
  auto log = LogFile::Open("");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(*log, nullptr);
}

TEST(LogFileTest, UnopenablePathIsAnError) {
  auto log = LogFile::Open("/nonexistent-dir/server.log");
  EXPECT_FALSE(log.ok());
}

}  // namespace
}  // namespace jsengine::common
