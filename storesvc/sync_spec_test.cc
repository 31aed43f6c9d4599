#include "storesvc/sync_spec.h"

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

TEST(SyncSpecTest, SetsTheStoreOptions) {
  StoreOptions options;
  ASSERT_TRUE(ApplySyncSpec("always", &options).ok());
  EXPECT_EQ(options.sync, SyncPolicy::kAlways);
  ASSERT_TRUE(ApplySyncSpec("30s", &options).ok());
  EXPECT_EQ(options.sync, SyncPolicy::kInterval);
  EXPECT_EQ(options.sync_interval, absl::Seconds(30));
  ASSERT_TRUE(ApplySyncSpec(kDefaultSyncSpec, &options).ok());
  EXPECT_EQ(options.sync_interval, absl::Minutes(2));
}

TEST(SyncSpecTest, RejectsNonsense) {
  StoreOptions options;
  EXPECT_EQ(ApplySyncSpec("sometimes", &options).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(options.sync, SyncPolicy::kInterval);
}

}  // namespace
}  // namespace jsengine::storesvc
