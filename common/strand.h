// Strand: tasks run one at a time, in the order posted, on a shared
// ThreadPool: a serial executor that holds no thread of its own. State a
// strand's tasks touch needs no lock.
//
//   auto strand = std::make_shared<Strand>(pool);
//   strand->Post([state] { state->Append(batch); });
//
// Thread-safety: thread-safe. Tasks must not block. A task may post more.
// Tasks posted after the pool shut down are dropped.
#ifndef JSENGINE_COMMON_STRAND_H_
#define JSENGINE_COMMON_STRAND_H_

#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/thread_pool.h"

namespace jsengine::common {

class Strand : public std::enable_shared_from_this<Strand> {
 public:
  // `pool` is not owned; it must outlive every task's run (its Shutdown()
  // runs what is queued).
  explicit Strand(ThreadPool* pool) : pool_(pool) {}

  Strand(const Strand&) = delete;
  Strand& operator=(const Strand&) = delete;

  void Post(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);
  // As Post, but when the strand is idle (nothing queued or running) runs
  // `task`, and what is posted meanwhile (up to one turn; the rest goes to
  // the pool), on the calling thread before returning: no thread hand-off.
  // For callers that may spend the time and hold no lock the tasks take.
  void RunOrPost(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the calling thread is running one of this strand's tasks.
  bool RunningHere() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);

  ThreadPool* const pool_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;  // A Drain is queued or running.
  std::thread::id running_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_STRAND_H_
