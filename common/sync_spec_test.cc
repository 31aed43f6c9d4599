#include "common/sync_spec.h"

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(SyncSpecTest, Always) {
  absl::StatusOr<SyncSpec> spec = ParseSyncSpec("always");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->policy, SyncPolicy::kAlways);
}

TEST(SyncSpecTest, Interval) {
  absl::StatusOr<SyncSpec> spec = ParseSyncSpec("30s");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->policy, SyncPolicy::kInterval);
  EXPECT_EQ(spec->interval, absl::Seconds(30));
  spec = ParseSyncSpec(kDefaultSyncSpec);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->interval, absl::Minutes(2));
}

TEST(SyncSpecTest, RejectsNonsense) {
  EXPECT_EQ(ParseSyncSpec("sometimes").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSyncSpec("-1s").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSyncSpec("0s").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jsengine::common
