#include "gateway/core/any_interest.h"

#include <vector>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(AnyInterestTest, FirstCallWaitsForEveryWatch) {
  std::vector<bool> calls;
  AnyInterest any(3, [&](bool has) { calls.push_back(has); });
  any.Set(1, true);
  any.Set(0, false);
  EXPECT_TRUE(calls.empty());
  any.Set(2, false);
  EXPECT_EQ(calls, std::vector<bool>{true});
}

TEST(AnyInterestTest, ReportsOnlyChangesOfTheCombinedValue) {
  std::vector<bool> calls;
  AnyInterest any(2, [&](bool has) { calls.push_back(has); });
  any.Set(0, false);
  any.Set(1, false);
  any.Set(1, true);
  any.Set(0, true);
  any.Set(1, false);
  any.Set(0, false);
  EXPECT_EQ(calls, (std::vector<bool>{false, true, false}));
}

TEST(AnyInterestTest, ChangeDuringACallIsReportedAfterIt) {
  std::vector<bool> calls;
  AnyInterest* self = nullptr;
  AnyInterest any(1, [&](bool has) {
    calls.push_back(has);
    if (calls.size() == 1) self->Set(0, !has);
  });
  self = &any;
  any.Set(0, true);
  EXPECT_EQ(calls, (std::vector<bool>{true, false}));
}

}  // namespace
}  // namespace jsengine::gateway::core
