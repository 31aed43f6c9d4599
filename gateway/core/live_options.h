// The server settings a configuration reload may change while clients are
// connected (see reload.h), readable from any thread without a lock.
// Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_LIVE_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_LIVE_OPTIONS_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

class LiveOptions {
 public:
  explicit LiveOptions(const ServerOptions& options) { Set(options); }

  void Set(const ServerOptions& o) {
    max_payload_.store(o.max_payload, std::memory_order_relaxed);
    max_connections_.store(o.max_connections, std::memory_order_relaxed);
    max_pending_.store(o.max_pending, std::memory_order_relaxed);
    ping_interval_ns_.store(absl::ToInt64Nanoseconds(o.ping_interval), std::memory_order_relaxed);
    ping_max_.store(o.ping_max, std::memory_order_relaxed);
    auth_timeout_ns_.store(absl::ToInt64Nanoseconds(o.auth_timeout), std::memory_order_relaxed);
  }

  int64_t max_payload() const { return max_payload_.load(std::memory_order_relaxed); }
  int max_connections() const { return max_connections_.load(std::memory_order_relaxed); }
  int64_t max_pending() const { return max_pending_.load(std::memory_order_relaxed); }
  absl::Duration ping_interval() const {
    return absl::Nanoseconds(ping_interval_ns_.load(std::memory_order_relaxed));
  }
  int ping_max() const { return ping_max_.load(std::memory_order_relaxed); }
  absl::Duration auth_timeout() const {
    return absl::Nanoseconds(auth_timeout_ns_.load(std::memory_order_relaxed));
  }

 private:
  std::atomic<int64_t> max_payload_{0};
  std::atomic<int> max_connections_{0};
  std::atomic<int64_t> max_pending_{0};
  std::atomic<int64_t> ping_interval_ns_{0};
  std::atomic<int> ping_max_{0};
  std::atomic<int64_t> auth_timeout_ns_{0};
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_LIVE_OPTIONS_H_
