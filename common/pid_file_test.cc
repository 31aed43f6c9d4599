#include "common/pid_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/durable_file.h"
#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::common {
namespace {

std::string ReadAll(const std::string& path) { return ReadFile(path).value_or(""); }

TEST(PidFileTest, HoldsThePidWhileAliveAsNatsServerWritesIt) {
  const std::string path = testing::util::MakeTempDir("pid-") + "/server.pid";
  {
    std::ofstream(path) << "stale 1";
    auto pid_file = PidFile::Write(path);
    ASSERT_TRUE(pid_file.ok()) << pid_file.status();
    EXPECT_EQ(ReadAll(path), std::to_string(getpid()));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(PidFileTest, EmptyPathWritesNothing) {
  auto pid_file = PidFile::Write("");
  ASSERT_TRUE(pid_file.ok());
  EXPECT_EQ(*pid_file, nullptr);
}

TEST(PidFileTest, UnwritablePlaceIsAnError) {
  auto pid_file = PidFile::Write("/nonexistent-dir/x.pid");
  EXPECT_FALSE(pid_file.ok());
  EXPECT_NE(pid_file.status().message().find("/nonexistent-dir/x.pid"), std::string::npos);
}

}  // namespace
}  // namespace jsengine::common
