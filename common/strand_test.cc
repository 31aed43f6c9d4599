#include "common/strand.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(StrandTest, RunsTasksOneAtATimeInOrder) {
  ThreadPool pool(4);
  auto strand = std::make_shared<Strand>(&pool);
  std::vector<int> order;  // Unlocked: only the strand's tasks touch it.
  std::atomic<int> running{0};
  std::atomic<bool> overlap{false};
  absl::Notification done;
  constexpr int kTasks = 1000;
  for (int i = 0; i < kTasks; ++i) {
    strand->Post([&, i] {
      if (running.fetch_add(1) != 0) overlap = true;
      EXPECT_TRUE(strand->RunningHere());
      order.push_back(i);
      running.fetch_sub(1);
      if (i == kTasks - 1) done.Notify();
    });
  }
  done.WaitForNotification();
  EXPECT_FALSE(overlap.load());
  ASSERT_EQ(order.size(), static_cast<size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(order[i], i);
  EXPECT_FALSE(strand->RunningHere());
  pool.Shutdown();
}

TEST(StrandTest, StrandsShareThreadsAndTasksMayPostMore) {
  ThreadPool pool(2);
  std::vector<std::shared_ptr<Strand>> strands;
  for (int i = 0; i < 10; ++i) strands.push_back(std::make_shared<Strand>(&pool));
  std::atomic<int> ran{0};
  for (auto& strand : strands) {
    for (int i = 0; i < 100; ++i) {
      strand->Post([&ran, s = strand.get()] {
        ran.fetch_add(1);
        s->Post([&ran] { ran.fetch_add(1); });
      });
    }
  }
  while (ran.load() < 2000) absl::SleepFor(absl::Milliseconds(1));
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 2000);
}

TEST(StrandTest, RunOrPostRunsOnTheCallerOnlyWhenTheStrandIsIdle) {
  ThreadPool pool(1);
  auto strand = std::make_shared<Strand>(&pool);
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on;
  strand->RunOrPost([&] {
    ran_on = std::this_thread::get_id();
    EXPECT_TRUE(strand->RunningHere());
  });
  EXPECT_EQ(ran_on, caller);

  absl::Notification release;
  absl::Notification busy;
  strand->Post([&] {
    busy.Notify();
    release.WaitForNotification();
  });
  busy.WaitForNotification();
  std::vector<int> order;  // Only the strand's tasks touch it.
  absl::Notification done;
  strand->Post([&] { order.push_back(1); });
  strand->RunOrPost([&] {
    order.push_back(2);
    ran_on = std::this_thread::get_id();
    done.Notify();
  });
  release.Notify();
  done.WaitForNotification();
  EXPECT_NE(ran_on, caller);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  pool.Shutdown();
}

TEST(StrandTest, TasksPostedAfterShutdownAreDropped) {
  ThreadPool pool(1);
  auto strand = std::make_shared<Strand>(&pool);
  pool.Shutdown();
  bool ran = false;
  strand->Post([&] { ran = true; });
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace jsengine::common
