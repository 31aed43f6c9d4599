#include "common/durable_file.h"

#include <sys/stat.h>

#include <filesystem>

#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::common {
namespace {

TEST(DurableFileTest, WritesReplacesAndReadsWholeFiles) {
  const std::string path = testing::util::MakeTempDir("durable-") + "/file";
  EXPECT_TRUE(absl::IsNotFound(ReadFile(path).status()));
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, std::string(100000, 'x')).ok());
  absl::StatusOr<std::string> read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, std::string(100000, 'x'));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(DurableFileTest, WriteIntoAMissingDirectoryFailsAndLeavesNothing) {
  const std::string dir = testing::util::MakeTempDir("durable-");
  const absl::Status status = WriteFileAtomically(dir + "/no/file", "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_NE(status.message().find(dir + "/no/file.tmp"), absl::string_view::npos) << status;
}

TEST(DurableFileTest, CreatesDirectoriesAndRenames) {
  const std::string dir = testing::util::MakeTempDir("durable-");
  ASSERT_TRUE(CreateDirsDurably(dir + "/a/b/c").ok());
  ASSERT_TRUE(CreateDirsDurably(dir + "/a/b/c").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir + "/a/b/c"));
  ASSERT_TRUE(WriteFileAtomically(dir + "/a/f", "x").ok());
  EXPECT_FALSE(CreateDirsDurably(dir + "/a/f/g").ok());
  ASSERT_TRUE(RenameDurably(dir + "/a/b/c", dir + "/c").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir + "/c"));
  EXPECT_FALSE(RenameDurably(dir + "/a/b/c", dir + "/d").ok());
  ASSERT_TRUE(SyncPath(dir + "/a/f").ok());
  EXPECT_FALSE(SyncPath(dir + "/none").ok());
}

TEST(DurableFileTest, ParentDir) {
  EXPECT_EQ(ParentDir("/a/b/c"), "/a/b");
  EXPECT_EQ(ParentDir("/a"), "/");
  EXPECT_EQ(ParentDir("a"), ".");
  EXPECT_EQ(ParentDir("a/b"), "a");
}

}  // namespace
}  // namespace jsengine::common
