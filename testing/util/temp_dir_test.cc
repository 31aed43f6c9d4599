#include "testing/util/temp_dir.h"

#include <filesystem>

#include "gtest/gtest.h"

namespace jsengine::testing::util {
namespace {

TEST(MakeTempDirTest, MakesADistinctEmptyDirectoryEachCall) {
  std::string a = MakeTempDir("same-");
  std::string b = MakeTempDir("same-");
  EXPECT_NE(a, b);
  for (const std::string& dir : {a, b}) {
    EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir;
    EXPECT_TRUE(std::filesystem::is_empty(dir)) << dir;
    EXPECT_EQ(std::filesystem::path(dir).filename().string().rfind("same-", 0), 0u) << dir;
  }
}

}  // namespace
}  // namespace jsengine::testing::util
