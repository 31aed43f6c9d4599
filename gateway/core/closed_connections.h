// The most recently closed connections, as nats-server keeps them for
// /connz?state=closed (max_closed_clients, 10000 by default): a bounded
// ring, oldest dropped first. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CLOSED_CONNECTIONS_H_
#define JSENGINE_GATEWAY_CORE_CLOSED_CONNECTIONS_H_

#include <cstddef>
#include <deque>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/mutex.h"
#include "gateway/core/stats.h"

namespace jsengine::gateway::core {

// nats-server's name for why a connection closed (its ClosedState strings,
// "Client Closed", "Authentication Failure", ...), from the core's internal
// close reasons; unknown ones pass through.
std::string_view ClosedReasonText(std::string_view reason);

class ClosedConnections {
 public:
  static constexpr size_t kDefaultCapacity = 10000;

  explicit ClosedConnections(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  void Add(ConnectionInfo info);
  // Oldest first.
  std::vector<ConnectionInfo> List() const;

 private:
  const size_t capacity_;
  mutable common::Mutex mu_;
  std::deque<ConnectionInfo> ring_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CLOSED_CONNECTIONS_H_
