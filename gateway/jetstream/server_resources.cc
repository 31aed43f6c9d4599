#include "gateway/jetstream/server_resources.h"

#include <algorithm>

#include "common/status.h"

namespace jsengine::gateway::jetstream {

Reservation AccountReservation(const core::JetStreamLimits& limits) {
  return {std::max<int64_t>(limits.max_memory, 0), std::max<int64_t>(limits.max_storage, 0)};
}

absl::Status CheckAccountResources(const storesvc::StoreLimits& server, const Reservation& streams,
                                   const Reservation& accounts, const core::JetStreamLimits* old,
                                   const core::JetStreamLimits& next) {
  // The growth asked for, as nats-server: the new limits for an account
  // not yet enabled, else what each limit grows by (from -1: one more).
  Reservation more = AccountReservation(next);
  if (old != nullptr) {
    more.memory = std::max<int64_t>(next.max_memory - old->max_memory, 0);
    more.storage = std::max<int64_t>(next.max_storage - old->max_storage, 0);
  }
  const auto exceeds = [](int64_t reserved, int64_t add, int64_t limit) {
    return reserved > limit || add > limit - reserved;
  };
  const absl::Status memory = common::JsError(common::JsErrorId::kMemoryResourcesExceeded);
  const absl::Status storage = common::JsError(common::JsErrorId::kStorageResourcesExceeded);
  if (exceeds(streams.memory, more.memory, server.max_memory)) return memory;
  if (exceeds(streams.storage, more.storage, server.max_storage)) return storage;
  if (exceeds(accounts.memory, more.memory, server.max_memory)) return memory;
  if (exceeds(accounts.storage, more.storage, server.max_storage)) return storage;
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::jetstream
