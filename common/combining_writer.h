// CombiningWriter: serialises writes of messages to one sink (e.g. a gRPC
// stream), mostly without a thread hand-off.
//
// Write(): the thread that finds the sink idle writes its message itself,
// inline. Threads arriving while a write is in progress merge their message
// into a single queued message and return at once; the writing thread writes
// that next, and keeps going until nothing is queued. Post() queues the same
// way but never writes on the calling thread: if the sink is idle, a
// background thread (started on first use) takes over the writing. Messages
// reach the sink in the order Write()/Post() accepted them, and a burst of
// messages costs one sink write per round instead of one per message.
//
// Trade-off: a Write() caller may block inside the sink's write (e.g. while
// a gRPC stream is flow-controlled), and may also write messages other
// threads queued meanwhile, so the calling thread sees the sink's
// backpressure. Post() is for callers that would rather batch than wait.
//
// After a sink write fails, the queued message is dropped and every later
// Write()/Post() is refused; recovering (e.g. reconnecting) is up to the
// owner.
//
// Thread-safety: Write() and Post() may be called from any number of threads.
// No Write() or Post() may still be running when the destructor starts. It
// writes what is still queued, unless a write failed (so cancelling the
// sink, e.g. a gRPC stream, first makes it return promptly).
#ifndef JSENGINE_COMMON_COMBINING_WRITER_H_
#define JSENGINE_COMMON_COMBINING_WRITER_H_

#include <functional>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace jsengine {

template <typename Message>
class CombiningWriter {
 public:
  // `write` sends one message to the sink and returns false if it failed; it
  // is never called concurrently with itself. `merge` appends the second
  // message to the first (moving, not copying, its contents).
  CombiningWriter(std::function<bool(const Message&)> write,
                  std::function<void(Message&, Message&&)> merge)
      : write_(std::move(write)), merge_(std::move(merge)) {}

  CombiningWriter(const CombiningWriter&) = delete;
  CombiningWriter& operator=(const CombiningWriter&) = delete;

  ~CombiningWriter() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    if (background_.joinable()) background_.join();
  }

  // Accepts `message` for writing if no write has failed and `admit()`
  // returns true, and returns whether it did; a refused message is left
  // untouched. `admit` runs under the lock that orders messages, so
  // bookkeeping it does (e.g. queueing a callback for the reply) happens in
  // exactly the order the messages are written. An accepted message may
  // still be lost if a sink write fails (failed()).
  template <typename Admit>
  bool Write(Message&& message, Admit admit) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      if (!AcceptLocked(message, admit)) return false;
      if (writing_) return true;
      writing_ = true;
      message = TakeQueuedLocked();
    }
    Drain(std::move(message));
    return true;
  }

  bool Write(Message&& message) {
    return Write(std::move(message), [] { return true; });
  }

  // Like Write(), but the calling thread never writes to the sink.
  template <typename Admit>
  bool Post(Message&& message, Admit admit) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!AcceptLocked(message, admit)) return false;
    if (!background_.joinable()) background_ = std::thread([this] { Background(); });
    return true;
  }

  bool Post(Message&& message) {
    return Post(std::move(message), [] { return true; });
  }

  // True once a sink write has failed.
  bool failed() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return failed_;
  }

 private:
  // Queues `message` (merged into what is queued) unless refused.
  template <typename Admit>
  bool AcceptLocked(Message& message, Admit& admit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (failed_ || !admit()) return false;
    if (queued_.has_value()) {
      merge_(*queued_, std::move(message));
    } else {
      queued_.emplace(std::move(message));
    }
    return true;
  }

  Message TakeQueuedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Message message = std::move(*queued_);
    queued_.reset();
    return message;
  }

  // Writes `message`, then whatever was queued meanwhile, until nothing is.
  void Drain(Message message) ABSL_LOCKS_EXCLUDED(mu_) {
    for (;;) {
      bool ok = write_(message);
      absl::MutexLock lock(&mu_);
      if (!ok) {
        failed_ = true;
        queued_.reset();
      }
      if (!queued_.has_value()) {
        writing_ = false;
        return;
      }
      message = TakeQueuedLocked();
    }
  }

  void Background() ABSL_LOCKS_EXCLUDED(mu_) {
    for (;;) {
      Message message;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !writing_ && (stopping_ || queued_.has_value());
        };
        mu_.Await(absl::Condition(&ready));
        if (!queued_.has_value()) return;
        writing_ = true;
        message = TakeQueuedLocked();
      }
      Drain(std::move(message));
    }
  }

  const std::function<bool(const Message&)> write_;
  const std::function<void(Message&, Message&&)> merge_;

  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<Message> queued_ ABSL_GUARDED_BY(mu_);

  std::thread background_;
};

}  // namespace jsengine

#endif  // JSENGINE_COMMON_COMBINING_WRITER_H_
