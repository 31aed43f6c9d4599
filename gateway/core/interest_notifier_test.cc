#include "gateway/core/interest_notifier.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

// Records calls as "<watch>:<0|1>"; callbacks never run concurrently, so no
// lock is needed while the test thread only reads after delivery ends.
class Recorder {
 public:
  InterestCallback For(int watch) {
    return [this, watch](bool has_interest) {
      log_.push_back(std::to_string(watch) + ":" + (has_interest ? "1" : "0"));
    };
  }
  const std::vector<std::string>& log() const { return log_; }

 private:
  std::vector<std::string> log_;
};

using Strings = std::vector<std::string>;

TEST(InterestNotifierTest, DeliversInQueueOrder) {
  InterestNotifier notifier;
  Recorder r;
  notifier.Add(1, r.For(1), false);
  notifier.Add(2, r.For(2), true);
  notifier.Enqueue({{1, true}, {2, false}, {1, false}});
  EXPECT_TRUE(r.log().empty());
  notifier.Deliver();
  EXPECT_EQ(r.log(), (Strings{"1:0", "2:1", "1:1", "2:0", "1:0"}));
  notifier.Deliver();
  EXPECT_EQ(r.log().size(), 5u);
}

TEST(InterestNotifierTest, ChangesFromACallbackRunAfterItReturns) {
  InterestNotifier notifier;
  Strings log;
  int depth = 0;
  notifier.Add(
      1,
      [&](bool has_interest) {
        ++depth;
        log.push_back("1:" + std::to_string(has_interest) + " depth " + std::to_string(depth));
        if (!has_interest) {
          notifier.Add(
              2, [&](bool h) { log.push_back("2:" + std::to_string(h)); }, true);
          notifier.Enqueue({{1, true}});
          notifier.Deliver();
        }
        --depth;
      },
      false);
  notifier.Deliver();
  EXPECT_EQ(log, (Strings{"1:0 depth 1", "2:1", "1:1 depth 1"}));
}

TEST(InterestNotifierTest, RemoveSkipsQueuedCalls) {
  InterestNotifier notifier;
  Recorder r;
  notifier.Add(1, r.For(1), false);
  notifier.Add(2, r.For(2), false);
  notifier.Enqueue({{1, true}, {2, true}});
  notifier.Remove(1);
  notifier.Remove(7);
  notifier.Remove(0);
  notifier.Deliver();
  EXPECT_EQ(r.log(), (Strings{"2:0", "2:1"}));
}

TEST(InterestNotifierTest, RemoveFromACallbackMakesItTheLast) {
  InterestNotifier notifier;
  Strings log;
  notifier.Add(
      1,
      [&](bool has_interest) {
        log.push_back("1:" + std::to_string(has_interest));
        notifier.Remove(1);
      },
      false);
  notifier.Enqueue({{1, true}});
  notifier.Deliver();
  EXPECT_EQ(log, (Strings{"1:0"}));
}

TEST(InterestNotifierTest, RemoveWaitsForTheRunningCallback) {
  InterestNotifier notifier;
  absl::Notification entered, release;
  std::atomic<bool> finished{false};
  notifier.Add(
      1,
      [&](bool) {
        entered.Notify();
        release.WaitForNotification();
        finished = true;
      },
      false);
  std::thread deliverer([&] { notifier.Deliver(); });
  entered.WaitForNotification();
  bool finished_when_removed = false;
  std::thread remover([&] {
    notifier.Remove(1);
    finished_when_removed = finished.load();
  });
  release.Notify();
  remover.join();
  deliverer.join();
  EXPECT_TRUE(finished_when_removed);
}

TEST(InterestNotifierTest, AnotherThreadsChangesRunOnTheDeliveringThread) {
  InterestNotifier notifier;
  absl::Notification entered, release;
  std::thread::id ran_on;
  std::atomic<bool> second_ran{false};
  notifier.Add(
      1,
      [&](bool) {
        entered.Notify();
        release.WaitForNotification();
      },
      false);
  std::thread deliverer([&] { notifier.Deliver(); });
  entered.WaitForNotification();
  notifier.Add(
      2,
      [&](bool) {
        ran_on = std::this_thread::get_id();
        second_ran = true;
      },
      true);
  notifier.Deliver();
  EXPECT_FALSE(second_ran.load());
  const std::thread::id deliverer_id = deliverer.get_id();
  release.Notify();
  deliverer.join();
  EXPECT_TRUE(second_ran.load());
  EXPECT_EQ(ran_on, deliverer_id);
}

}  // namespace
}  // namespace jsengine::gateway::core
