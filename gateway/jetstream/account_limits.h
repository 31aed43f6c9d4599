// An account's JetStream limits as a configuration reload may change them:
// the account's store client, consumer client and $JS.API.INFO share one
// cell, so a Set() is seen by all three from their next request on, as
// nats-server's UpdateJetStreamLimits. A null cell is unlimited.
//
//   auto limits = std::make_shared<AccountLimits>(options.jetstream_limits);
//   AccountStoreClient store(next, scope, limits);
//   limits->Set(reloaded.jetstream_limits);
//
// Thread-safe.
#ifndef JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_LIMITS_H_
#define JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_LIMITS_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/account_options.h"

namespace jsengine::gateway::jetstream {

class AccountLimits {
 public:
  explicit AccountLimits(const core::JetStreamLimits& limits) : limits_(limits) {}
  AccountLimits(const AccountLimits&) = delete;
  AccountLimits& operator=(const AccountLimits&) = delete;

  core::JetStreamLimits Get() const {
    absl::MutexLock lock(&mu_);
    return limits_;
  }
  void Set(const core::JetStreamLimits& limits) {
    absl::MutexLock lock(&mu_);
    limits_ = limits;
  }

 private:
  mutable absl::Mutex mu_;
  core::JetStreamLimits limits_ ABSL_GUARDED_BY(mu_);
};

// The limits in `cell` now; unlimited when it is null.
inline core::JetStreamLimits LimitsOf(const std::shared_ptr<AccountLimits>& cell) {
  return cell == nullptr ? core::JetStreamLimits{} : cell->Get();
}

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_LIMITS_H_
