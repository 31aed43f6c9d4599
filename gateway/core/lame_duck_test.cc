#include "gateway/core/lame_duck.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(LameDuckTest, GraceMustBeShorterThanDuration) {
  ServerOptions o;
  EXPECT_TRUE(CheckLameDuckOptions(o).ok());
  o.lame_duck_grace_period = o.lame_duck_duration;
  absl::Status s = CheckLameDuckOptions(o);
  EXPECT_EQ(s.message(),
            "lame duck grace period (2m) should be strictly lower than lame duck duration (2m)");
  o.lame_duck_duration = absl::Seconds(2);
  o.lame_duck_grace_period = absl::Seconds(1);
  EXPECT_EQ(CheckLameDuckOptions(o).message(),
            "invalid lame_duck_duration of 2s, minimum is 30 seconds");
}

TEST(LameDuckTest, PaceSpreadsClosesOverTheDuration) {
  LameDuckPace p = PaceLameDuck(100, absl::Seconds(30), absl::Seconds(10));
  EXPECT_EQ(p.interval, absl::Milliseconds(200));
  EXPECT_EQ(p.batch, 1);
  // Few clients: no more than a second between closes.
  p = PaceLameDuck(3, absl::Minutes(2), absl::Seconds(10));
  EXPECT_EQ(p.interval, absl::Seconds(1));
  // The grace period takes the whole duration: a second is left.
  p = PaceLameDuck(4, absl::Seconds(5), absl::Seconds(5));
  EXPECT_EQ(p.interval, absl::Milliseconds(250));
  // More clients than nanoseconds: batches.
  p = PaceLameDuck(3000, absl::Nanoseconds(1000), absl::ZeroDuration());
  EXPECT_EQ(p.interval, absl::Nanoseconds(1));
  EXPECT_EQ(p.batch, 3);
}

}  // namespace
}  // namespace jsengine::gateway::core
