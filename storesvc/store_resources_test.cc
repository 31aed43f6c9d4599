#include "storesvc/store_resources.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <memory>

#include "common/status.h"
#include "gtest/gtest.h"
#include "storesvc/memory_store.h"
#include "storesvc/metered_message_store.h"

namespace jsengine::storesvc {
namespace {

int ErrCode(const absl::Status& st) { return common::ToErrorDetail(st).err_code(); }

TEST(ResolveStoreLimitsTest, ConfiguredValuesAreTakenAsTheyAre) {
  const StoreLimits l = ResolveStoreLimits(0, 12345, "/nonexistent");
  EXPECT_EQ(l.max_memory, 0);
  EXPECT_EQ(l.max_storage, 12345);
}

TEST(ResolveStoreLimitsTest, DefaultsAreThreeQuartersOfMemoryAndDisk) {
  const StoreLimits l = ResolveStoreLimits(-1, -1, "/");
  const int64_t memory = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  EXPECT_EQ(l.max_memory, memory / 4 * 3);
  struct statvfs fs;
  ASSERT_EQ(statvfs("/", &fs), 0);
  const int64_t available = static_cast<int64_t>(fs.f_bavail) * fs.f_frsize;
  // Other processes write meanwhile: within a few MiB of 75%.
  EXPECT_NEAR(static_cast<double>(l.max_storage), available / 4.0 * 3, 64 << 20);
  EXPECT_EQ(ResolveStoreLimits(-1, -1, "/nonexistent/dir").max_storage, int64_t{1} << 40);
}

TEST(StoreResourcesTest, ReservationsUpToTheMaximumFit) {
  StoreResources r(/*max_memory=*/1000, /*max_storage=*/2000);
  EXPECT_TRUE(r.CheckReservation(v1::STORAGE_MEMORY, 600, 400).ok());
  EXPECT_EQ(ErrCode(r.CheckReservation(v1::STORAGE_MEMORY, 600, 401)), 10028);
  EXPECT_EQ(ErrCode(r.CheckReservation(v1::STORAGE_MEMORY, 1001, 0)), 10028);
  EXPECT_TRUE(r.CheckReservation(v1::STORAGE_FILE, 1999, 1).ok());
  EXPECT_EQ(ErrCode(r.CheckReservation(v1::STORAGE_FILE, 1999, 2)), 10047);
}

TEST(StoreResourcesTest, ZeroAllowsNothingNegativeEverything) {
  StoreResources r(/*max_memory=*/0, /*max_storage=*/-1);
  EXPECT_TRUE(r.CheckReservation(v1::STORAGE_MEMORY, 0, 0).ok());
  EXPECT_EQ(ErrCode(r.CheckReservation(v1::STORAGE_MEMORY, 0, 1)), 10028);
  EXPECT_TRUE(r.CheckReservation(v1::STORAGE_FILE, int64_t{1} << 62, int64_t{1} << 62).ok());
  r.Add(v1::STORAGE_FILE, int64_t{1} << 62);
  EXPECT_FALSE(r.Exceeded(v1::STORAGE_FILE));
}

TEST(StoreResourcesTest, ExceededOnlyOnceMoreThanTheMaximumIsHeld) {
  StoreResources r(/*max_memory=*/1000, /*max_storage=*/1000);
  r.Add(v1::STORAGE_MEMORY, 1000);
  EXPECT_FALSE(r.Exceeded(v1::STORAGE_MEMORY));
  r.Add(v1::STORAGE_MEMORY, 1);
  EXPECT_TRUE(r.Exceeded(v1::STORAGE_MEMORY));
  EXPECT_FALSE(r.Exceeded(v1::STORAGE_FILE));
  r.Add(v1::STORAGE_MEMORY, -1);
  EXPECT_FALSE(r.Exceeded(v1::STORAGE_MEMORY));
}

TEST(MeteredMessageStoreTest, ReportsAppendsRemovalsPurgesAndClose) {
  StoreResources r(-1, -1);
  MeteredMessageStore store(std::make_unique<MemoryStore>(), v1::STORAGE_MEMORY, &r);
  EXPECT_EQ(r.used(v1::STORAGE_MEMORY), 0);
  ASSERT_TRUE(store.Append("a", "", "12345", 1).ok());
  const int64_t one = store.MsgSize("a", "", "12345");
  EXPECT_EQ(r.used(v1::STORAGE_MEMORY), one);
  ASSERT_TRUE(store.Append("a", "", "12345", 2).ok());
  ASSERT_TRUE(store.Append("a", "", "12345", 3).ok());
  EXPECT_EQ(r.used(v1::STORAGE_MEMORY), 3 * one);
  ASSERT_TRUE(store.Remove(1).ok());
  EXPECT_EQ(r.used(v1::STORAGE_MEMORY), 2 * one);
  ASSERT_TRUE(store.Purge("", 3, 0).ok());
  EXPECT_EQ(r.used(v1::STORAGE_MEMORY), one);
  EXPECT_EQ(r.used(v1::STORAGE_FILE), 0);
  ASSERT_TRUE(store.Close().ok());
  EXPECT_EQ(r.used(v1::STORAGE_MEMORY), 0);
}

TEST(MeteredMessageStoreTest, CountsWhatAStoreHoldsWhenWrappedAndForgetsItWhenDestroyed) {
  StoreResources r(-1, -1);
  auto inner = std::make_unique<MemoryStore>();
  ASSERT_TRUE(inner->Append("a", "", "xyz", 1).ok());
  const int64_t held = inner->State().bytes;
  {
    MeteredMessageStore store(std::move(inner), v1::STORAGE_FILE, &r);
    EXPECT_EQ(r.used(v1::STORAGE_FILE), held);
  }
  EXPECT_EQ(r.used(v1::STORAGE_FILE), 0);
}

}  // namespace
}  // namespace jsengine::storesvc
