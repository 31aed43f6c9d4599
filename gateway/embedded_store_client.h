// StoreClient that calls a storesvc::Store in the same process: the embedded
// deployment's data path, with no gRPC (even gRPC's in-process channel costs
// ~50 us a round trip here, half of nats-server's whole publish-ack time).
// The store must outlive the client. Thread-safe.
#ifndef JSENGINE_GATEWAY_EMBEDDED_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_EMBEDDED_STORE_CLIENT_H_

#include "gateway/store_client.h"
#include "storesvc/store.h"

namespace jsengine {

class EmbeddedStoreClient final : public StoreClient {
 public:
  explicit EmbeddedStoreClient(storesvc::Store* store) : store_(store) {}

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override {
    return store_->CreateStream(request);
  }
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override {
    return store_->UpdateStream(request);
  }
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override {
    return store_->DeleteStream(request);
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
    return Wrap(store_->Read(request, std::move(on_batch), std::move(done)));
  }
  std::unique_ptr<StoreSubscription> WatchStreams(EventCallback on_event) override {
    return Wrap(store_->WatchStreams(std::move(on_event)));
  }

 private:
  class Subscription final : public StoreSubscription {
   public:
    explicit Subscription(std::unique_ptr<storesvc::Subscription> inner)
        : inner_(std::move(inner)) {}
    void Cancel() override { inner_->Cancel(); }

   private:
    std::unique_ptr<storesvc::Subscription> inner_;
  };

  static std::unique_ptr<StoreSubscription> Wrap(std::unique_ptr<storesvc::Subscription> inner) {
    return std::make_unique<Subscription>(std::move(inner));
  }

  storesvc::Store* const store_;
};

}  // namespace jsengine

#endif  // JSENGINE_GATEWAY_EMBEDDED_STORE_CLIENT_H_
