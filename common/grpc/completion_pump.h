// CompletionPump: a gRPC completion queue drained by one thread, which runs
// the handler of every operation that completes on it.
//
// A client that starts all its asynchronous calls on one pump has exactly one
// thread waiting inside gRPC, so that thread is the one gRPC's poller wakes
// when a reply arrives and it runs the reply's handler itself. (With a thread
// blocked per stream, gRPC often wakes whichever thread polls and that one
// wakes the right thread: a second wake-up on every reply.)
//
// While some call awaits a reply (AwaitReplies), the thread polls the queue
// for up to kSpin before it sleeps: on a VM, waking a sleeping thread costs
// about as much as the round trip to the store itself. It spins only while
// such waits average at most half of kSpin (a store that fsyncs before it
// answers is not worth spinning for).
//
// Calls in progress register as activities; the destructor cancels them,
// waits until each has ended, then shuts the queue down and joins the thread.
//
// Thread-safety: thread-safe. Handlers run on the pump thread, one at a time.
#ifndef JSENGINE_COMMON_GRPC_COMPLETION_PUMP_H_
#define JSENGINE_COMMON_GRPC_COMPLETION_PUMP_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/completion_queue.h"

namespace jsengine::common::grpc {

class CompletionPump {
 public:
  // The tag of one asynchronous operation: passed to gRPC as `this`; its
  // handler runs on the pump thread with the operation's `ok`.
  class Tag {
   public:
    explicit Tag(std::function<void(bool)> handler) : handler_(std::move(handler)) {}
    void Run(bool ok) { handler_(ok); }

   private:
    const std::function<void(bool)> handler_;
  };

  CompletionPump();
  ~CompletionPump();

  CompletionPump(const CompletionPump&) = delete;
  CompletionPump& operator=(const CompletionPump&) = delete;

  ::grpc::CompletionQueue* cq() { return &cq_; }
  std::thread::id thread_id() const { return thread_.get_id(); }

  // Registers a call in progress; `cancel` must make it end promptly (and
  // may run after it ended). Returns 0, registering nothing, once the pump
  // is shutting down: the call must not start.
  uint64_t BeginActivity(std::function<void()> cancel) ABSL_LOCKS_EXCLUDED(mu_);
  // The call registered as `id` started its last operation's handler.
  void EndActivity(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  // A call started (+1) or stopped (-1) awaiting a reply. Every +1 must be
  // matched by a -1, or the pump spins on every wait; -1 only from a handler.
  void AwaitReplies(int delta) { awaiting_.fetch_add(delta, std::memory_order_relaxed); }
  int awaiting_replies() const { return awaiting_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::chrono::microseconds kSpin{200};

  void Run();
  // Takes the next completion; false once the queue is shut down and empty.
  bool Next(void** tag, bool* ok);
  // Polls without sleeping for up to kSpin.
  bool Poll(void** tag, bool* ok);

  ::grpc::CompletionQueue cq_;
  std::atomic<int> awaiting_{0};
  // Moving average of waits while replies were awaited. Pump thread only.
  std::chrono::microseconds wait_estimate_{0};

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::function<void()>> activities_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
};

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_COMPLETION_PUMP_H_
