#include "tools/bench/latency_samples.h"

#include "gtest/gtest.h"

namespace jsengine::tools::bench {
namespace {

TEST(LatencySamplesTest, EmptyIsZero) {
  LatencySamples s;
  EXPECT_EQ(s.PercentileMicros(50), 0);
  EXPECT_EQ(s.MeanMicros(), 0);
}

TEST(LatencySamplesTest, NearestRankOnUnsortedInput) {
  LatencySamples s;
  for (int us = 100; us >= 1; --us) s.Add(absl::Microseconds(us));
  EXPECT_EQ(s.count(), 100u);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(50), 50);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(90), 90);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(99), 99);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(100), 100);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(0), 1);
  EXPECT_DOUBLE_EQ(s.MeanMicros(), 50.5);
}

TEST(LatencySamplesTest, SingleSampleIsEveryPercentile) {
  LatencySamples s;
  s.Add(absl::Nanoseconds(1500));
  EXPECT_DOUBLE_EQ(s.PercentileMicros(1), 1.5);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(99.9), 1.5);
}

TEST(LatencySamplesTest, AddingAfterReadResorts) {
  LatencySamples s;
  s.Add(absl::Microseconds(10));
  s.Add(absl::Microseconds(20));
  EXPECT_DOUBLE_EQ(s.PercentileMicros(100), 20);
  s.Add(absl::Microseconds(5));
  EXPECT_DOUBLE_EQ(s.PercentileMicros(1), 5);
  EXPECT_DOUBLE_EQ(s.PercentileMicros(100), 20);
}

}  // namespace
}  // namespace jsengine::tools::bench
