// ForwardingStoreClient: a StoreClient that passes every call to another
// one. Wrappers derive from it and override only the calls they change:
//
//   class CountingStoreClient : public ForwardingStoreClient {
//    public:
//     using ForwardingStoreClient::ForwardingStoreClient;
//     void Append(v1::AppendBatch batch, AppendCallback done) override {
//       ++appends_;
//       ForwardingStoreClient::Append(std::move(batch), std::move(done));
//     }
//   };
//
// The wrapped client is not owned and must outlive this one. Thread-safe as
// the wrapped client is.
#ifndef JSENGINE_STORESVC_CLIENT_FORWARDING_STORE_CLIENT_H_
#define JSENGINE_STORESVC_CLIENT_FORWARDING_STORE_CLIENT_H_

#include <memory>
#include <utility>

#include "storesvc/client/store_client.h"

namespace jsengine::storesvc::client {

class ForwardingStoreClient : public StoreClient {
 public:
  explicit ForwardingStoreClient(StoreClient* next) : next_(next) {}

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override {
    return next_->CreateStream(request);
  }
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override {
    return next_->UpdateStream(request);
  }
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override {
    return next_->DeleteStream(request);
  }
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override {
    return next_->GetStreamInfo(request);
  }
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) override {
    return next_->ListStreams(request);
  }
  absl::StatusOr<v1::StreamNamesResponse> StreamNames(
      const v1::ListStreamsRequest& request) override {
    return next_->StreamNames(request);
  }
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override {
    return next_->PurgeStream(request);
  }
  absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request) override {
    return next_->GetMessage(request);
  }
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override {
    return next_->DeleteMessage(request);
  }
  absl::StatusOr<v1::FilteredStateResponse> FilteredState(
      const v1::FilteredStateRequest& request) override {
    return next_->FilteredState(request);
  }
  absl::StatusOr<v1::SetConsumerFiltersResponse> SetConsumerFilters(
      const v1::SetConsumerFiltersRequest& request) override {
    return next_->SetConsumerFilters(request);
  }
  void RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) override {
    next_->RemoveMessages(std::move(request), std::move(done));
  }
  void Append(v1::AppendBatch batch, AppendCallback done) override {
    next_->Append(std::move(batch), std::move(done));
  }
  std::unique_ptr<Subscription> Read(const v1::ReadRequest& request, BatchCallback on_batch,
                                     DoneCallback done) override {
    return next_->Read(request, std::move(on_batch), std::move(done));
  }
  std::unique_ptr<Subscription> WatchStreams(EventCallback on_event) override {
    return next_->WatchStreams(std::move(on_event));
  }

 private:
  StoreClient* const next_;
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_FORWARDING_STORE_CLIENT_H_
