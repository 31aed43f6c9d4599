// AppendNotifier: one stream's "appended up to sequence N" watermark, which
// any number of readers wait on without a thread each.
//
//   uint64_t token = notifier.WaitAsync(next_seq, [reader] { reader->Schedule(); });
//   ...
//   notifier.Advance(last_seq);  // after an append batch; runs due callbacks
//   notifier.Cancel(token);      // a reader that stops waiting
//
// A callback runs once: when the watermark reaches its sequence, when the
// notifier closes or wakes everyone, or at once if the watermark or the close
// already happened. Callbacks run on
// the thread that advanced or closed the notifier (or called WaitAsync),
// never under the notifier's lock, and must be short: they run on the append
// path. Typically they hand the reader to an executor.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_STORESVC_APPEND_NOTIFIER_H_
#define JSENGINE_STORESVC_APPEND_NOTIFIER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace jsengine::storesvc {

class AppendNotifier {
 public:
  using Callback = std::function<void()>;

  explicit AppendNotifier(uint64_t last_seq = 0) : last_seq_(last_seq) {}

  AppendNotifier(const AppendNotifier&) = delete;
  AppendNotifier& operator=(const AppendNotifier&) = delete;

  // Raises the watermark to `last_seq` (never lowers it) and runs the
  // callbacks now due.
  void Advance(uint64_t last_seq) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs every waiting callback; later waits run at once.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);
  // Runs every waiting callback now, without closing: readers look again
  // (the stream lost messages at its start without an append).
  void WakeAll() ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `ready` once a message with sequence >= `seq` may exist. Returns a
  // token for Cancel(), 0 when `ready` already ran.
  uint64_t WaitAsync(uint64_t seq, Callback ready) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops a waiting callback; false when it ran or is running already.
  bool Cancel(uint64_t token) ABSL_LOCKS_EXCLUDED(mu_);

  uint64_t last_seq() const ABSL_LOCKS_EXCLUDED(mu_);
  bool closed() const ABSL_LOCKS_EXCLUDED(mu_);
  // Callbacks waiting (tests and stats).
  size_t waiting() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Runs and drops every waiting callback; closes first when `close`.
  void RunAll(bool close) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 1;
  // By the sequence each waits for: (token, callback).
  std::multimap<uint64_t, std::pair<uint64_t, Callback>> waiters_ ABSL_GUARDED_BY(mu_);
  // token -> its entry, for Cancel().
  std::map<uint64_t, std::multimap<uint64_t, std::pair<uint64_t, Callback>>::iterator> by_token_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_APPEND_NOTIFIER_H_
