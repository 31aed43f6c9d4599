#include "common/thread_pool.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskIncludingThoseSubmittedByTasks) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(3);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(pool.Submit([&] {
        ran.fetch_add(1);
        pool.Submit([&] { ran.fetch_add(1); });
      }));
    }
    // Tasks queued before Shutdown run; the destructor shuts down.
    while (ran.load() < 200) absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(ran.load(), 200);
}

TEST(ThreadPoolTest, OneThreadKeepsSubmissionOrder) {
  std::vector<int> order;
  absl::Mutex mu;
  ThreadPool pool(1);
  for (int i = 0; i < 50; ++i) {
    pool.Submit([&, i] {
      absl::MutexLock lock(&mu);
      order.push_back(i);
    });
  }
  pool.Shutdown();
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
}

TEST(ThreadPoolTest, RefusesTasksAfterShutdown) {
  ThreadPool pool(2);
  pool.Shutdown();
  bool ran = false;
  EXPECT_FALSE(pool.Submit([&] { ran = true; }));
  pool.Shutdown();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace jsengine::common
