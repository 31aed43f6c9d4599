// A StoreClient that keeps StreamBindings in step with the streams it
// creates, updates and deletes, before the caller sees the result: a client
// that publishes right after its stream create reply is stored, never dropped.
// Every other call goes straight to the wrapped client. Thread-safe.
#ifndef JSENGINE_GATEWAY_BINDING_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_BINDING_STORE_CLIENT_H_

#include "gateway/store_client.h"
#include "gateway/stream_bindings.h"

namespace jsengine {

class BindingStoreClient final : public StoreClient {
 public:
  // Neither is owned; both must outlive this client.
  BindingStoreClient(StoreClient* store, StreamBindings* bindings)
      : store_(store), bindings_(bindings) {}

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override {
    auto info = store_->CreateStream(request);
    if (info.ok()) bindings_->Apply(info->config());
    return info;
  }
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override {
    auto info = store_->UpdateStream(request);
    if (info.ok()) bindings_->Apply(info->config());
    return info;
  }
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override {
    absl::Status status = store_->DeleteStream(request);
    if (status.ok()) bindings_->Remove(request.name());
    return status;
  }
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override {
    return store_->GetStreamInfo(request);
  }
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) override {
    return store_->ListStreams(request);
  }
  absl::StatusOr<v1::StreamNamesResponse> StreamNames(
      const v1::ListStreamsRequest& request) override {
    return store_->StreamNames(request);
  }
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override {
    return store_->PurgeStream(request);
  }
  absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request) override {
    return store_->GetMessage(request);
  }
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override {
    return store_->DeleteMessage(request);
  }
  void Append(v1::AppendBatch batch, AppendCallback done) override {
    store_->Append(std::move(batch), std::move(done));
  }
  std::unique_ptr<StoreSubscription> Read(const v1::ReadRequest& request, BatchCallback on_batch,
                                          DoneCallback done) override {
    return store_->Read(request, std::move(on_batch), std::move(done));
  }
  std::unique_ptr<StoreSubscription> WatchStreams(EventCallback on_event) override {
    return store_->WatchStreams(std::move(on_event));
  }

 private:
  StoreClient* const store_;
  StreamBindings* const bindings_;
};

}  // namespace jsengine

#endif  // JSENGINE_GATEWAY_BINDING_STORE_CLIENT_H_
