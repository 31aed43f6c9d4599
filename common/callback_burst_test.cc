#include "common/callback_burst.h"

#include <thread>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

thread_local int runs = 0;
void Count() { ++runs; }

TEST(CallbackBurstTest, RunsRegisteredWorkOnceWhenTheOutermostBurstEnds) {
  runs = 0;
  {
    CallbackBurst burst;
    CallbackBurst::AtEnd(&Count);
    {
      CallbackBurst nested;
      CallbackBurst::AtEnd(&Count);
    }
    EXPECT_EQ(runs, 0);
    CallbackBurst::AtEnd(&Count);
  }
  EXPECT_EQ(runs, 1);
}

TEST(CallbackBurstTest, OutermostBurstSaysWhetherMoreIsExpected) {
  EXPECT_FALSE(CallbackBurst::more_expected());
  {
    CallbackBurst burst(/*more_expected=*/true);
    CallbackBurst nested;
    EXPECT_TRUE(CallbackBurst::more_expected());
  }
  EXPECT_FALSE(CallbackBurst::more_expected());
}

TEST(CallbackBurstTest, RunsAtOnceOutsideABurst) {
  runs = 0;
  CallbackBurst::AtEnd(&Count);
  CallbackBurst::AtEnd(&Count);
  EXPECT_EQ(runs, 2);
}

TEST(CallbackBurstTest, BurstsArePerThread) {
  runs = 0;
  CallbackBurst burst;
  std::thread other([] {
    CallbackBurst::AtEnd(&Count);
    EXPECT_EQ(runs, 1);
  });
  other.join();
  CallbackBurst::AtEnd(&Count);
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace jsengine::common
