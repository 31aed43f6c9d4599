#include "gateway/jetstream/account_consumer_client.h"

#include <utility>

#include "common/status.h"

namespace jsengine::gateway::jetstream {

AccountConsumerClient::AccountConsumerClient(consumersvc::client::ConsumerClient* next,
                                             JsAccountScope scope,
                                             std::shared_ptr<AccountLimits> limits)
    : next_(next), scope_(std::move(scope)), limits_(std::move(limits)) {}

void AccountConsumerClient::FromService(v1::ConsumerInfo* info) const {
  info->set_stream_name(scope_.UserStream(info->stream_name()).value_or(info->stream_name()));
  if (!info->config().deliver_subject().empty()) {
    const std::string& subject = info->config().deliver_subject();
    info->mutable_config()->set_deliver_subject(scope_.UserSubject(subject).value_or(subject));
  }
}

absl::Status AccountConsumerClient::CheckMaxConsumers(const v1::CreateConsumerRequest& request) {
  const int64_t max_consumers = LimitsOf(limits_).max_consumers;
  if (max_consumers <= 0) return absl::OkStatus();
  const std::string& name = !request.config().durable_name().empty()
                                ? request.config().durable_name()
                                : request.config().name();
  if (!name.empty()) {
    v1::ConsumerRequest existing;
    existing.set_stream(request.stream());
    existing.set_name(name);
    if (next_->GetConsumerInfo(existing).ok()) return absl::OkStatus();
  }
  v1::ConsumerCountsRequest counts;
  counts.add_streams(request.stream());
  JSE_ASSIGN_OR_RETURN(v1::ConsumerCountsResponse response, next_->ConsumerCounts(counts));
  if (response.counts_size() == 1 && response.counts(0) >= max_consumers) {
    return common::JsError(common::JsErrorId::kMaximumConsumersLimit);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ConsumerInfo> AccountConsumerClient::CreateConsumer(
    const v1::CreateConsumerRequest& request) {
  v1::CreateConsumerRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  if (!request.config().deliver_subject().empty()) {
    qualified.mutable_config()->set_deliver_subject(
        scope_.Subject(request.config().deliver_subject()));
  }
  if (request.action() != "update") JSE_RETURN_IF_ERROR(CheckMaxConsumers(qualified));
  JSE_ASSIGN_OR_RETURN(v1::ConsumerInfo info, next_->CreateConsumer(qualified));
  FromService(&info);
  return info;
}

absl::Status AccountConsumerClient::DeleteConsumer(const v1::ConsumerRequest& request) {
  v1::ConsumerRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->DeleteConsumer(qualified);
}

absl::StatusOr<v1::ConsumerInfo> AccountConsumerClient::GetConsumerInfo(
    const v1::ConsumerRequest& request) {
  v1::ConsumerRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  JSE_ASSIGN_OR_RETURN(v1::ConsumerInfo info, next_->GetConsumerInfo(qualified));
  FromService(&info);
  return info;
}

absl::StatusOr<v1::ListConsumersResponse> AccountConsumerClient::ListConsumers(
    const v1::ListConsumersRequest& request) {
  v1::ListConsumersRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  JSE_ASSIGN_OR_RETURN(v1::ListConsumersResponse response, next_->ListConsumers(qualified));
  for (v1::ConsumerInfo& info : *response.mutable_consumers()) FromService(&info);
  return response;
}

absl::StatusOr<v1::ConsumerNamesResponse> AccountConsumerClient::ConsumerNames(
    const v1::ListConsumersRequest& request) {
  v1::ListConsumersRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->ConsumerNames(qualified);
}

absl::StatusOr<v1::PurgeStreamResponse> AccountConsumerClient::PurgeStream(
    const v1::PurgeStreamRequest& request) {
  v1::PurgeStreamRequest qualified = request;
  qualified.set_name(scope_.Stream(request.name()));
  return next_->PurgeStream(qualified);
}

absl::Status AccountConsumerClient::DeleteMessage(const v1::DeleteMessageRequest& request) {
  v1::DeleteMessageRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->DeleteMessage(qualified);
}

absl::StatusOr<v1::ConsumerCountsResponse> AccountConsumerClient::ConsumerCounts(
    const v1::ConsumerCountsRequest& request) {
  v1::ConsumerCountsRequest qualified;
  for (const std::string& stream : request.streams()) qualified.add_streams(scope_.Stream(stream));
  return next_->ConsumerCounts(qualified);
}

}  // namespace jsengine::gateway::jetstream
