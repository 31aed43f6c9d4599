// Every stream in the store, read page by page, for monitoring (/healthz,
// /metrics). Blocks on the store.
#ifndef JSENGINE_GATEWAY_JETSTREAM_STREAM_LIST_H_
#define JSENGINE_GATEWAY_JETSTREAM_STREAM_LIST_H_

#include <vector>

#include "absl/status/statusor.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

absl::StatusOr<std::vector<v1::StreamInfo>> ListAllStreams(storesvc::client::StoreClient* store);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_STREAM_LIST_H_
