#include "gateway/jetstream/consumer_aware_store_client.h"

#include <utility>

#include "glog/logging.h"

namespace jsengine::gateway::jetstream {

void ConsumerAwareStoreClient::Count(google::protobuf::RepeatedPtrField<v1::StreamInfo>* infos) {
  if (consumers_ == nullptr || infos->empty()) return;
  v1::ConsumerCountsRequest request;
  for (const v1::StreamInfo& info : *infos) request.add_streams(info.config().name());
  absl::StatusOr<v1::ConsumerCountsResponse> counts = consumers_->ConsumerCounts(request);
  if (!counts.ok() || counts->counts_size() != infos->size()) {
    LOG(WARNING) << "consumer counts unavailable: "
                 << (counts.ok() ? absl::InternalError("wrong number of counts") : counts.status());
    return;
  }
  for (int i = 0; i < infos->size(); ++i) {
    infos->Mutable(i)->mutable_state()->set_consumer_count(counts->counts(i));
  }
}

absl::StatusOr<v1::StreamInfo> ConsumerAwareStoreClient::Counted(
    absl::StatusOr<v1::StreamInfo> info) {
  if (!info.ok() || consumers_ == nullptr) return info;
  google::protobuf::RepeatedPtrField<v1::StreamInfo> one;
  *one.Add() = *std::move(info);
  Count(&one);
  return std::move(*one.Mutable(0));
}

absl::StatusOr<v1::StreamInfo> ConsumerAwareStoreClient::CreateStream(
    const v1::CreateStreamRequest& request) {
  return Counted(ForwardingStoreClient::CreateStream(request));
}

absl::StatusOr<v1::StreamInfo> ConsumerAwareStoreClient::UpdateStream(
    const v1::UpdateStreamRequest& request) {
  return Counted(ForwardingStoreClient::UpdateStream(request));
}

absl::StatusOr<v1::StreamInfo> ConsumerAwareStoreClient::GetStreamInfo(
    const v1::StreamInfoRequest& request) {
  absl::StatusOr<v1::StreamInfo> info = ForwardingStoreClient::GetStreamInfo(request);
  if (info.ok() && data_plane_ != nullptr && info->config().retention() != v1::RETENTION_LIMITS) {
    if (!data_plane_->Settle(request.name())) {
      LOG(WARNING) << "stream " << request.name() << ": acks not settled in time for its info";
    }
    info = ForwardingStoreClient::GetStreamInfo(request);
  }
  return Counted(std::move(info));
}

absl::StatusOr<v1::ListStreamsResponse> ConsumerAwareStoreClient::ListStreams(
    const v1::ListStreamsRequest& request) {
  absl::StatusOr<v1::ListStreamsResponse> list = ForwardingStoreClient::ListStreams(request);
  if (list.ok()) Count(list->mutable_streams());
  return list;
}

}  // namespace jsengine::gateway::jetstream
