#include "common/strand.h"

#include <utility>

namespace jsengine::common {
namespace {

// Tasks one Drain runs before it lets other strands have the thread.
constexpr int kTasksPerTurn = 64;

}  // namespace

void Strand::Post(std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
    if (scheduled_) return;
    scheduled_ = true;
  }
  if (!pool_->Submit([self = shared_from_this()] { self->Drain(); })) {
    absl::MutexLock lock(&mu_);
    scheduled_ = false;
    tasks_.clear();
  }
}

void Strand::RunOrPost(std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
    if (scheduled_) return;
    scheduled_ = true;
  }
  Drain();
}

bool Strand::RunningHere() const {
  absl::MutexLock lock(&mu_);
  return running_ == std::this_thread::get_id();
}

void Strand::Drain() {
  for (int i = 0; i < kTasksPerTurn; ++i) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      if (tasks_.empty()) {
        scheduled_ = false;
        running_ = std::thread::id();
        return;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
      running_ = std::this_thread::get_id();
    }
    task();
  }
  {
    absl::MutexLock lock(&mu_);
    running_ = std::thread::id();
  }
  if (!pool_->Submit([self = shared_from_this()] { self->Drain(); })) {
    absl::MutexLock lock(&mu_);
    scheduled_ = false;
    tasks_.clear();
  }
}

}  // namespace jsengine::common
