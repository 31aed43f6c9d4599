#include "storesvc/append_notifier.h"

#include <vector>

namespace jsengine::storesvc {

void AppendNotifier::Advance(uint64_t last_seq) {
  std::vector<Callback> due;
  {
    absl::MutexLock lock(&mu_);
    if (last_seq <= last_seq_) return;
    last_seq_ = last_seq;
    auto end = waiters_.upper_bound(last_seq);
    for (auto it = waiters_.begin(); it != end; ++it) {
      by_token_.erase(it->second.first);
      due.push_back(std::move(it->second.second));
    }
    waiters_.erase(waiters_.begin(), end);
  }
  for (Callback& ready : due) ready();
}

void AppendNotifier::Close() { RunAll(/*close=*/true); }

void AppendNotifier::WakeAll() { RunAll(/*close=*/false); }

void AppendNotifier::RunAll(bool close) {
  std::vector<Callback> due;
  {
    absl::MutexLock lock(&mu_);
    closed_ = closed_ || close;
    for (auto& [seq, waiter] : waiters_) due.push_back(std::move(waiter.second));
    waiters_.clear();
    by_token_.clear();
  }
  for (Callback& ready : due) ready();
}

uint64_t AppendNotifier::WaitAsync(uint64_t seq, Callback ready) {
  {
    absl::MutexLock lock(&mu_);
    if (!closed_ && seq > last_seq_) {
      const uint64_t token = next_token_++;
      by_token_[token] = waiters_.emplace(seq, std::make_pair(token, std::move(ready)));
      return token;
    }
  }
  ready();
  return 0;
}

bool AppendNotifier::Cancel(uint64_t token) {
  absl::MutexLock lock(&mu_);
  auto it = by_token_.find(token);
  if (it == by_token_.end()) return false;
  waiters_.erase(it->second);
  by_token_.erase(it);
  return true;
}

uint64_t AppendNotifier::last_seq() const {
  absl::MutexLock lock(&mu_);
  return last_seq_;
}

bool AppendNotifier::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

size_t AppendNotifier::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

}  // namespace jsengine::storesvc
