// StoppableThreads: the threads a server part (cluster, leaf nodes) starts
// on demand (accept loops, connections, reconnect loops), stopped together:
// Stop() wakes their sleeps and refuses new ones, Join() waits for all,
// including those started meanwhile.
//
//   StoppableThreads threads;
//   threads.Spawn([&] { while (threads.SleepFor(absl::Seconds(1))) Retry(); });
//   threads.Stop();
//   threads.Join();
//
// Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_STOPPABLE_THREADS_H_
#define JSENGINE_GATEWAY_CORE_STOPPABLE_THREADS_H_

#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace jsengine::gateway::core {

class StoppableThreads {
 public:
  StoppableThreads() = default;
  ~StoppableThreads() {
    Stop();
    Join();
  }
  StoppableThreads(const StoppableThreads&) = delete;
  StoppableThreads& operator=(const StoppableThreads&) = delete;

  // Runs `fn` on a new thread; false (not run) once stopped.
  bool Spawn(std::function<void()> fn) {
    absl::MutexLock lock(&mu_);
    if (stop_) return false;
    threads_.emplace_back(std::move(fn));
    return true;
  }
  // Sleeps up to `d`; false once stopped.
  bool SleepFor(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    const absl::Time until = absl::Now() + d;
    while (!stop_ && absl::Now() < until) cv_.WaitWithDeadline(&mu_, until);
    return !stop_;
  }
  void Stop() {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    cv_.SignalAll();
  }
  // Joins every thread (call after Stop, not from one of the threads).
  void Join() {
    std::vector<std::thread> threads;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        threads.swap(threads_);
      }
      if (threads.empty()) return;
      for (auto& t : threads) t.join();
      threads.clear();
    }
  }

 private:
  absl::Mutex mu_;
  absl::CondVar cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_STOPPABLE_THREADS_H_
