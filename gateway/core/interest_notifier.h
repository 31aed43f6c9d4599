// Runs interest watch callbacks (Sublist::WatchClientInterest) in the order
// their changes happened, one at a time, on the threads that made them.
//
// Whoever changes interest queues the changes while still holding the lock
// that ordered them (the sublist's), then calls Deliver() with no lock held.
// Deliver() runs every queued callback unless another thread is already
// running callbacks: that thread then runs these too, after its own, before
// it returns. So callbacks never run concurrently (for any watch), run in
// queue order, and a callback that changes interest itself (subscribes,
// watches, unwatches) does not nest: its changes run after it returns.
//
// Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_INTEREST_NOTIFIER_H_
#define JSENGINE_GATEWAY_CORE_INTEREST_NOTIFIER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/interest_index.h"

namespace jsengine::gateway::core {

using InterestCallback = std::function<void(bool has_interest)>;

class InterestNotifier {
 public:
  InterestNotifier() = default;
  InterestNotifier(const InterestNotifier&) = delete;
  InterestNotifier& operator=(const InterestNotifier&) = delete;

  // Registers `callback` for watch `id` (nonzero) and queues its first call, with
  // `has_interest`.
  void Add(uint64_t id, InterestCallback callback, bool has_interest);
  void Enqueue(const std::vector<InterestIndex::Change>& changes);
  // Runs the queued callbacks, or leaves them to the thread running callbacks.
  void Deliver();
  // Drops watch `id`: its queued calls are skipped, and once this returns
  // its callback is not running and will not run again; from within a
  // callback (any watch's), it returns at once and the callback running is
  // the last.
  void Remove(uint64_t id);

 private:
  absl::Mutex mu_;
  absl::CondVar idle_;  // signalled after each callback
  absl::flat_hash_map<uint64_t, std::shared_ptr<InterestCallback>> callbacks_ ABSL_GUARDED_BY(mu_);
  std::deque<InterestIndex::Change> queue_ ABSL_GUARDED_BY(mu_);
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id deliverer_ ABSL_GUARDED_BY(mu_);
  uint64_t running_ ABSL_GUARDED_BY(mu_) = 0;  // watch id whose callback runs, or 0
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_INTEREST_NOTIFIER_H_
