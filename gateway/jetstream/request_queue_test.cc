#include "gateway/jetstream/request_queue.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

TEST(RequestQueueTest, ServesInPushOrderOffThePushingThread) {
  absl::Notification first_started, release_first;
  absl::Mutex mu;
  std::vector<std::string> served;
  RequestQueue queue([&](const QueuedRequest& r) {
    if (r.subject == "a") {
      first_started.Notify();
      release_first.WaitForNotification();
    }
    absl::MutexLock lock(&mu);
    served.push_back(r.subject + " " + r.reply + " " + r.payload);
  });
  queue.Start();
  queue.Push({"a", "ra", "1"});
  first_started.WaitForNotification();
  queue.Push({"b", "rb", "2"});
  queue.Push({"c", "", ""});
  release_first.Notify();
  queue.Stop();
  EXPECT_EQ(served, (std::vector<std::string>{"a ra 1", "b rb 2", "c  "}));
}

TEST(RequestQueueTest, StopServesWhatWasPushedAndDropsWhatComesAfter) {
  std::vector<std::string> served;
  RequestQueue queue([&](const QueuedRequest& r) { served.push_back(r.subject); });
  queue.Push({"before start", "", ""});
  queue.Start();
  queue.Stop();
  queue.Push({"after stop", "", ""});
  queue.Stop();
  EXPECT_EQ(served, std::vector<std::string>{"before start"});
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
