// ThreadPool: a fixed number of threads running submitted tasks in
// submission order (several at a time, one per thread).
//
//   ThreadPool pool(2);
//   pool.Submit([] { ... });
//   pool.Shutdown();  // runs what was queued, then joins
//
// Tasks must not block for long: they share few threads. A task may submit
// more tasks. After Shutdown() starts, Submit() refuses new tasks.
//
// Thread-safety: thread-safe. Shutdown() (also run by the destructor) must
// not be called from a task: an owner that shares the pool shuts it down
// before letting go of it.
#ifndef JSENGINE_COMMON_THREAD_POOL_H_
#define JSENGINE_COMMON_THREAD_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace jsengine::common {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`; false (and `task` dropped) once shutting down.
  bool Submit(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs the queued tasks, then joins the threads. Idempotent.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_THREAD_POOL_H_
