// CallbackBurst: marks a stretch of code on one thread that runs many
// callbacks in a row (e.g. the acknowledgements of a batch of appends).
// Work those callbacks want done once per stretch rather than once per call,
// such as writing the output they queued, registers with AtEnd() and runs
// when the outermost CallbackBurst on the thread ends. A burst that knows
// more callbacks will follow soon (e.g. results of appends still in flight)
// says so, and such work may then prefer batching over latency.
//
//   {
//     CallbackBurst burst;
//     for (auto& done : callbacks) done();  // each may call AtEnd(&Flush)
//   }                                       // Flush runs here, once
//
// Thread-safety: everything is per thread.
#ifndef JSENGINE_COMMON_CALLBACK_BURST_H_
#define JSENGINE_COMMON_CALLBACK_BURST_H_

#include <algorithm>
#include <vector>

namespace jsengine::common {

class CallbackBurst {
 public:
  explicit CallbackBurst(bool more_expected = false) {
    if (depth_++ == 0) more_expected_ = more_expected;
  }
  ~CallbackBurst() {
    if (--depth_ > 0) return;
    while (!pending_.empty()) {
      std::vector<void (*)()> run;
      run.swap(pending_);
      for (void (*fn)() : run) fn();
    }
    more_expected_ = false;
  }

  CallbackBurst(const CallbackBurst&) = delete;
  CallbackBurst& operator=(const CallbackBurst&) = delete;

  // Whether the outermost burst running on this thread expects more
  // callbacks soon (false outside a burst).
  static bool more_expected() { return more_expected_; }

  // Runs `fn` when the current burst ends (once, however often it is
  // registered), or right away outside a burst.
  static void AtEnd(void (*fn)()) {
    if (depth_ == 0) {
      fn();
    } else if (std::find(pending_.begin(), pending_.end(), fn) == pending_.end()) {
      pending_.push_back(fn);
    }
  }

 private:
  static inline thread_local int depth_ = 0;
  static inline thread_local bool more_expected_ = false;
  static inline thread_local std::vector<void (*)()> pending_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_CALLBACK_BURST_H_
