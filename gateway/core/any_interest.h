// Combines several interest watches into one: whether any of them has
// interest. The server uses it for a deliver subject that other accounts
// import, whose interest lies in the exporter and in each importer.
//
//   auto any = std::make_shared<AnyInterest>(2, on_change);
//   a.WatchClientInterest(s, "", [any](bool has) { any->Set(0, has); });
//   b.WatchClientInterest(t, "", [any](bool has) { any->Set(1, has); });
//
// `on_change` is first called once every watch has reported, then each time
// the combined value changes. Calls never overlap, run without a lock held,
// and the last one carries the current value (a change made during a call is
// reported right after it, by the calling thread). Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_ANY_INTEREST_H_
#define JSENGINE_GATEWAY_CORE_ANY_INTEREST_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/mutex.h"
#include "gateway/core/interest_notifier.h"

namespace jsengine::gateway::core {

class AnyInterest {
 public:
  AnyInterest(size_t watches, InterestCallback on_change);
  AnyInterest(const AnyInterest&) = delete;
  AnyInterest& operator=(const AnyInterest&) = delete;

  // Watch `i` (< watches) now has interest or not.
  void Set(size_t i, bool has_interest);

 private:
  bool AnyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const InterestCallback on_change_;
  common::Mutex mu_;
  std::vector<int8_t> has_ ABSL_GUARDED_BY(mu_);  // -1: not reported yet
  size_t unreported_ ABSL_GUARDED_BY(mu_);
  bool calling_ ABSL_GUARDED_BY(mu_) = false;
  bool reported_ ABSL_GUARDED_BY(mu_) = false;
  bool last_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ANY_INTEREST_H_
