#include "consumersvc/client/remote_consumer_client.h"

#include <utility>

#include "common/grpc/unary.h"
#include "consumersvc/client/remote_consumer_session.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace jsengine::consumersvc::client {
namespace {

// A consumersvc that restarts is reconnected to within this; gRPC's default
// backoff grows to two minutes, a gateway without its consumers for that long.
constexpr int kMaxReconnectBackoffMs = 1000;

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const common::grpc::GrpcCredentials& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, credentials.ForChannel(), args);
}

}  // namespace

using common::grpc::CallUnary;

RemoteConsumerClient::RemoteConsumerClient(const std::string& address,
                                           std::chrono::milliseconds unary_deadline,
                                           const common::grpc::GrpcCredentials& credentials)
    : unary_deadline_(unary_deadline),
      channel_(MakeChannel(address, credentials)),
      stub_(v1::ConsumerService::NewStub(channel_)) {}

RemoteConsumerClient::~RemoteConsumerClient() = default;

absl::StatusOr<v1::ConsumerInfo> RemoteConsumerClient::CreateConsumer(
    const v1::CreateConsumerRequest& request) {
  return CallUnary<v1::ConsumerInfo>(unary_deadline_,
                                     [&](grpc::ClientContext* c, v1::ConsumerInfo* r) {
                                       return stub_->CreateConsumer(c, request, r);
                                     });
}

absl::Status RemoteConsumerClient::DeleteConsumer(const v1::ConsumerRequest& request) {
  return CallUnary<v1::DeleteConsumerResponse>(
             unary_deadline_,
             [&](grpc::ClientContext* c, v1::DeleteConsumerResponse* r) {
               return stub_->DeleteConsumer(c, request, r);
             })
      .status();
}

absl::StatusOr<v1::ConsumerInfo> RemoteConsumerClient::GetConsumerInfo(
    const v1::ConsumerRequest& request) {
  return CallUnary<v1::ConsumerInfo>(unary_deadline_,
                                     [&](grpc::ClientContext* c, v1::ConsumerInfo* r) {
                                       return stub_->GetConsumerInfo(c, request, r);
                                     });
}

absl::StatusOr<v1::ListConsumersResponse> RemoteConsumerClient::ListConsumers(
    const v1::ListConsumersRequest& request) {
  return CallUnary<v1::ListConsumersResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::ListConsumersResponse* r) {
        return stub_->ListConsumers(c, request, r);
      });
}

absl::StatusOr<v1::ConsumerNamesResponse> RemoteConsumerClient::ConsumerNames(
    const v1::ListConsumersRequest& request) {
  return CallUnary<v1::ConsumerNamesResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::ConsumerNamesResponse* r) {
        return stub_->ConsumerNames(c, request, r);
      });
}

absl::StatusOr<v1::PurgeStreamResponse> RemoteConsumerClient::PurgeStream(
    const v1::PurgeStreamRequest& request) {
  return CallUnary<v1::PurgeStreamResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::PurgeStreamResponse* r) {
        return stub_->PurgeStream(c, request, r);
      });
}

absl::Status RemoteConsumerClient::DeleteMessage(const v1::DeleteMessageRequest& request) {
  return CallUnary<v1::DeleteMessageResponse>(
             unary_deadline_,
             [&](grpc::ClientContext* c, v1::DeleteMessageResponse* r) {
               return stub_->DeleteMessage(c, request, r);
             })
      .status();
}

absl::StatusOr<v1::ConsumerCountsResponse> RemoteConsumerClient::ConsumerCounts(
    const v1::ConsumerCountsRequest& request) {
  return CallUnary<v1::ConsumerCountsResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::ConsumerCountsResponse* r) {
        return stub_->ConsumerCounts(c, request, r);
      });
}

std::unique_ptr<ConsumerSession> RemoteConsumerClient::OpenSession(DeliveryCallback on_deliveries) {
  return std::make_unique<RemoteConsumerSession>(stub_.get(), &pump_, std::move(on_deliveries));
}

}  // namespace jsengine::consumersvc::client
