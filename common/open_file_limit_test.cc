#include "common/open_file_limit.h"

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(OpenFileLimitTest, RaisesTheSoftLimitToTheHardOne) {
  struct rlimit limit;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max > 64) {
    struct rlimit lowered = limit;
    lowered.rlim_cur = 64;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  EXPECT_EQ(RaiseOpenFileLimit(), limit.rlim_max);
  struct rlimit now;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, limit.rlim_max);
}

}  // namespace
}  // namespace jsengine::common
