#include "gateway/core/interest_notifier.h"

#include <utility>

namespace jsengine::gateway::core {

void InterestNotifier::Add(uint64_t id, InterestCallback callback, bool has_interest) {
  absl::MutexLock lock(&mu_);
  callbacks_.emplace(id, std::make_shared<InterestCallback>(std::move(callback)));
  queue_.push_back({id, has_interest});
}

void InterestNotifier::Enqueue(const std::vector<InterestIndex::Change>& changes) {
  absl::MutexLock lock(&mu_);
  queue_.insert(queue_.end(), changes.begin(), changes.end());
}

void InterestNotifier::Deliver() {
  mu_.Lock();
  if (delivering_) {
    mu_.Unlock();
    return;
  }
  delivering_ = true;
  deliverer_ = std::this_thread::get_id();
  while (!queue_.empty()) {
    const InterestIndex::Change change = queue_.front();
    queue_.pop_front();
    auto it = callbacks_.find(change.watch_id);
    if (it == callbacks_.end()) continue;
    std::shared_ptr<InterestCallback> callback = it->second;
    running_ = change.watch_id;
    mu_.Unlock();
    (*callback)(change.has_interest);
    callback.reset();
    mu_.Lock();
    running_ = 0;
    idle_.SignalAll();
  }
  delivering_ = false;
  deliverer_ = std::thread::id();
  mu_.Unlock();
}

void InterestNotifier::Remove(uint64_t id) {
  std::shared_ptr<InterestCallback> dropped;  // destroyed unlocked
  absl::MutexLock lock(&mu_);
  if (auto it = callbacks_.find(id); it != callbacks_.end()) {
    dropped = std::move(it->second);
    callbacks_.erase(it);
  }
  if (delivering_ && deliverer_ == std::this_thread::get_id()) return;
  while (id != 0 && running_ == id) idle_.Wait(&mu_);
}

}  // namespace jsengine::gateway::core
