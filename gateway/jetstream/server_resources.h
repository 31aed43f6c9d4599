// nats-server's rule for JetStream accounts under the server-wide limits
// ("Max Memory" and "Max Storage", from `jetstream { max_memory_store,
// max_file_store }`; storesvc/store_resources.h).
//
// An account may enable JetStream, or change its limits, only if its
// max_memory (max_storage) fits beside both the max_bytes the server's
// streams reserve and the max_memory (max_storage) of the other JetStream
// accounts; else 10028 "insufficient memory resources available" (10047
// "insufficient storage resources available"), as nats-server's
// sufficientResources. Unlimited (-1) accounts reserve nothing.
//
//   storesvc::StoreLimits server = storesvc::ResolveStoreLimits(-1, 1 << 30, store_dir);
//   JSE_RETURN_IF_ERROR(CheckAccountResources(server, streams, accounts, nullptr, limits));
#ifndef JSENGINE_GATEWAY_JETSTREAM_SERVER_RESOURCES_H_
#define JSENGINE_GATEWAY_JETSTREAM_SERVER_RESOURCES_H_

#include <cstdint>

#include "absl/status/status.h"
#include "gateway/core/account_options.h"
#include "storesvc/store_resources.h"

namespace jsengine::gateway::jetstream {

// Bytes reserved, by storage.
struct Reservation {
  int64_t memory = 0;
  int64_t storage = 0;
};

// What an account's limits reserve: its positive max_memory and max_storage.
Reservation AccountReservation(const core::JetStreamLimits& limits);

// Whether an account may go from `old` limits (null: JetStream not enabled
// for it yet) to `next`, given what `streams` (their max_bytes) and
// `accounts` (every JetStream account, this one with `old` included)
// reserve.
absl::Status CheckAccountResources(const storesvc::StoreLimits& server, const Reservation& streams,
                                   const Reservation& accounts, const core::JetStreamLimits* old,
                                   const core::JetStreamLimits& next);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_SERVER_RESOURCES_H_
