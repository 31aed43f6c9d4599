#include "common/file_lock.h"

#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::common {
namespace {

TEST(FileLockTest, OneHolderAtATime) {
  const std::string path = testing::util::MakeTempDir("file_lock-") + "/LOCK";
  auto first = FileLock::Acquire(path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(FileLock::Acquire(path).status().code(), absl::StatusCode::kFailedPrecondition);
  first->reset();
  EXPECT_TRUE(FileLock::Acquire(path).ok());
  EXPECT_EQ(FileLock::Acquire(path + "/none").status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace jsengine::common
