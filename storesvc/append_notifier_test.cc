#include "storesvc/append_notifier.h"

#include <vector>

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

TEST(AppendNotifierTest, RunsEachWaiterOnceWhenItsSequenceArrives) {
  AppendNotifier notifier(5);
  std::vector<int> ran;
  notifier.WaitAsync(7, [&] { ran.push_back(7); });
  notifier.WaitAsync(6, [&] { ran.push_back(6); });
  notifier.WaitAsync(9, [&] { ran.push_back(9); });
  EXPECT_EQ(notifier.waiting(), 3u);
  notifier.Advance(6);
  EXPECT_EQ(ran, std::vector<int>({6}));
  notifier.Advance(8);
  EXPECT_EQ(ran, std::vector<int>({6, 7}));
  notifier.Advance(8);
  notifier.Advance(3);  // Never lowers the watermark.
  EXPECT_EQ(notifier.last_seq(), 8u);
  EXPECT_EQ(ran, std::vector<int>({6, 7}));
  notifier.Advance(100);
  EXPECT_EQ(ran, std::vector<int>({6, 7, 9}));
  EXPECT_EQ(notifier.waiting(), 0u);
}

TEST(AppendNotifierTest, WaitForAnArrivedSequenceRunsAtOnce) {
  AppendNotifier notifier(5);
  bool ran = false;
  EXPECT_EQ(notifier.WaitAsync(5, [&] { ran = true; }), 0u);
  EXPECT_TRUE(ran);
  EXPECT_EQ(notifier.waiting(), 0u);
}

TEST(AppendNotifierTest, CancelledWaitersNeverRun) {
  AppendNotifier notifier;
  int ran = 0;
  uint64_t a = notifier.WaitAsync(1, [&] { ran += 1; });
  uint64_t b = notifier.WaitAsync(1, [&] { ran += 10; });
  ASSERT_NE(a, 0u);
  ASSERT_NE(a, b);
  EXPECT_TRUE(notifier.Cancel(a));
  EXPECT_FALSE(notifier.Cancel(a));
  notifier.Advance(1);
  EXPECT_EQ(ran, 10);
  EXPECT_FALSE(notifier.Cancel(b));
}

TEST(AppendNotifierTest, CloseRunsEveryWaiterAndLaterWaitsAtOnce) {
  AppendNotifier notifier;
  int ran = 0;
  notifier.WaitAsync(10, [&] { ++ran; });
  notifier.WaitAsync(20, [&] { ++ran; });
  notifier.Close();
  EXPECT_EQ(ran, 2);
  EXPECT_TRUE(notifier.closed());
  EXPECT_EQ(notifier.WaitAsync(30, [&] { ++ran; }), 0u);
  EXPECT_EQ(ran, 3);
}

TEST(AppendNotifierTest, WakeAllRunsEveryWaiterWithoutClosing) {
  AppendNotifier notifier;
  int ran = 0;
  notifier.WaitAsync(10, [&] { ++ran; });
  notifier.WaitAsync(20, [&] { ++ran; });
  notifier.WakeAll();
  EXPECT_EQ(ran, 2);
  EXPECT_FALSE(notifier.closed());
  EXPECT_NE(notifier.WaitAsync(30, [&] { ++ran; }), 0u);
  EXPECT_EQ(ran, 2);
  notifier.Advance(30);
  EXPECT_EQ(ran, 3);
}

TEST(AppendNotifierTest, CallbacksMayWaitAgain) {
  AppendNotifier notifier;
  std::vector<uint64_t> seen;
  std::function<void()> wait_next;
  wait_next = [&] {
    seen.push_back(notifier.last_seq());
    if (seen.size() < 3) notifier.WaitAsync(notifier.last_seq() + 1, wait_next);
  };
  notifier.WaitAsync(1, wait_next);
  notifier.Advance(1);
  notifier.Advance(2);
  notifier.Advance(3);
  EXPECT_EQ(seen, std::vector<uint64_t>({1, 2, 3}));
}

}  // namespace
}  // namespace jsengine::storesvc
