// Every stream in the store, and every consumer of a stream, read page by
// page, for monitoring (/healthz, /metrics). Blocks on the services.
#ifndef JSENGINE_GATEWAY_JETSTREAM_STREAM_LIST_H_
#define JSENGINE_GATEWAY_JETSTREAM_STREAM_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "consumersvc/client/consumer_client.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

absl::StatusOr<std::vector<v1::StreamInfo>> ListAllStreams(storesvc::client::StoreClient* store);

absl::StatusOr<std::vector<v1::ConsumerInfo>> ListAllConsumers(
    consumersvc::client::ConsumerClient* consumers, const std::string& stream);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_STREAM_LIST_H_
