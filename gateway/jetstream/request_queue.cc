#include "gateway/jetstream/request_queue.h"

#include <utility>

namespace jsengine::gateway::jetstream {

RequestQueue::RequestQueue(Handler handler) : handler_(std::move(handler)) {}

RequestQueue::~RequestQueue() { Stop(); }

void RequestQueue::Start() {
  thread_ = std::thread([this] { Serve(); });
}

void RequestQueue::Push(QueuedRequest request) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  queue_.push_back(std::move(request));
}

void RequestQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RequestQueue::Serve() {
  while (true) {
    QueuedRequest request;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](RequestQueue* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->queue_.empty();
          },
          this));
      if (queue_.empty()) return;
      request = std::move(queue_.front());
      queue_.pop_front();
    }
    handler_(request);
  }
}

}  // namespace jsengine::gateway::jetstream
