// A StoreClient that keeps StreamBindings in step with the streams it
// creates, updates and deletes, before the caller sees the result: a client
// that publishes right after its stream create reply is stored, never dropped.
// Every other call goes straight to the wrapped client. Thread-safe.
#ifndef JSENGINE_GATEWAY_JETSTREAM_BINDING_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_JETSTREAM_BINDING_STORE_CLIENT_H_

#include "gateway/jetstream/stream_bindings.h"
#include "storesvc/client/forwarding_store_client.h"

namespace jsengine::gateway::jetstream {

class BindingStoreClient final : public storesvc::client::ForwardingStoreClient {
 public:
  // Neither is owned; both must outlive this client.
  BindingStoreClient(storesvc::client::StoreClient* store, StreamBindings* bindings)
      : ForwardingStoreClient(store), bindings_(bindings) {}

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override {
    auto info = ForwardingStoreClient::CreateStream(request);
    if (info.ok()) bindings_->Apply(info->config());
    return info;
  }
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override {
    auto info = ForwardingStoreClient::UpdateStream(request);
    if (info.ok()) bindings_->Apply(info->config());
    return info;
  }
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override {
    absl::Status status = ForwardingStoreClient::DeleteStream(request);
    if (status.ok()) bindings_->Remove(request.name());
    return status;
  }

 private:
  StreamBindings* const bindings_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_BINDING_STORE_CLIENT_H_
