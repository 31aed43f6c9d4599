// ConsumerAwareStoreClient: the store as the JetStream API shows it, with
// what only the consumer service knows added to stream infos.
//
// The store does not count consumers: every StreamInfo this client returns
// (create, update, info, list, and so account info's totals) gets
// state.consumer_count from ConsumerClient::ConsumerCounts, one call per
// answer. For an interest or work-queue stream, GetStreamInfo first lets
// the data plane settle (DataPlane::Settle) and then asks the store again,
// so the info reflects the acks the client sent before it asked, as
// nats-server's does. Every other call goes straight to the store.
//
//   ConsumerAwareStoreClient store(&raw_store, consumer_client, data_plane);
//   auto info = store.GetStreamInfo(request);  // consumer_count filled in
//
// Without a consumer client it only forwards. If the consumer service fails
// to answer, counts stay 0 and the info is returned all the same.
//
// Thread-safe. None of the three is owned; they must outlive this client.
#ifndef JSENGINE_GATEWAY_JETSTREAM_CONSUMER_AWARE_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_JETSTREAM_CONSUMER_AWARE_STORE_CLIENT_H_

#include "consumersvc/client/consumer_client.h"
#include "gateway/jetstream/data_plane.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "storesvc/client/forwarding_store_client.h"

namespace jsengine::gateway::jetstream {

class ConsumerAwareStoreClient final : public storesvc::client::ForwardingStoreClient {
 public:
  // `consumers` and `data_plane` may be null.
  ConsumerAwareStoreClient(storesvc::client::StoreClient* store,
                           consumersvc::client::ConsumerClient* consumers, DataPlane* data_plane)
      : ForwardingStoreClient(store), consumers_(consumers), data_plane_(data_plane) {}

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override;
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override;
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override;
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) override;

 private:
  // Fills the consumer_count of `infos` with one call.
  void Count(google::protobuf::RepeatedPtrField<v1::StreamInfo>* infos);
  absl::StatusOr<v1::StreamInfo> Counted(absl::StatusOr<v1::StreamInfo> info);

  consumersvc::client::ConsumerClient* const consumers_;
  DataPlane* const data_plane_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_CONSUMER_AWARE_STORE_CLIENT_H_
