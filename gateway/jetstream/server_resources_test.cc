#include "gateway/jetstream/server_resources.h"

#include "common/status.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

int ErrCode(const absl::Status& st) { return common::ToErrorDetail(st).err_code(); }

core::JetStreamLimits Limits(int64_t memory, int64_t storage) {
  core::JetStreamLimits l;
  l.max_memory = memory;
  l.max_storage = storage;
  return l;
}

TEST(ServerResourcesTest, AccountsMustFitBesideTheOthers) {
  const storesvc::StoreLimits server{1000, 5000};
  const Reservation none;
  EXPECT_TRUE(CheckAccountResources(server, none, none, nullptr, Limits(1000, 5000)).ok());
  EXPECT_EQ(ErrCode(CheckAccountResources(server, none, none, nullptr, Limits(1001, 1))), 10028);
  EXPECT_EQ(ErrCode(CheckAccountResources(server, none, none, nullptr, Limits(1, 5001))), 10047);
  // Another account holds 600 of memory.
  const Reservation accounts{600, 0};
  EXPECT_TRUE(CheckAccountResources(server, none, accounts, nullptr, Limits(400, -1)).ok());
  EXPECT_EQ(ErrCode(CheckAccountResources(server, none, accounts, nullptr, Limits(401, -1))),
            10028);
  EXPECT_TRUE(CheckAccountResources(server, none, accounts, nullptr, Limits(-1, -1)).ok())
      << "unlimited reserves nothing";
  // Streams reserve 900 of memory.
  EXPECT_EQ(ErrCode(CheckAccountResources(server, {900, 0}, none, nullptr, Limits(101, -1))),
            10028);
}

TEST(ServerResourcesTest, AChangeReservesOnlyWhatItAdds) {
  const storesvc::StoreLimits server{1000, 5000};
  const core::JetStreamLimits old = Limits(600, 100);
  // The account itself is part of `accounts`: 600 + another's 300.
  const Reservation accounts{900, 100};
  EXPECT_TRUE(CheckAccountResources(server, {}, accounts, &old, Limits(700, 100)).ok());
  EXPECT_EQ(ErrCode(CheckAccountResources(server, {}, accounts, &old, Limits(701, 100))), 10028);
  EXPECT_TRUE(CheckAccountResources(server, {}, accounts, &old, Limits(100, 100)).ok());
  const core::JetStreamLimits unlimited = Limits(-1, -1);
  EXPECT_EQ(ErrCode(CheckAccountResources(server, {}, {300, 0}, &unlimited, Limits(700, -1))),
            10028)
      << "from -1 to 700 adds 701";
  EXPECT_TRUE(CheckAccountResources(server, {}, {300, 0}, &unlimited, Limits(699, -1)).ok());
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
