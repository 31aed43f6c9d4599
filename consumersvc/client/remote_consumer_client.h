// ConsumerClient over gRPC, for a gateway whose consumer service runs as its
// own process (proto/consumer.proto).
//
// Admin calls are blocking unary calls on the calling thread. A session is
// the Session bidi stream (RemoteConsumerSession): batches from any thread
// share it, merged while a write is in flight; deliveries arrive on one
// common::grpc::CompletionPump thread, which runs the callback; the stream
// is opened again when it breaks.
//
// Destruction cancels the sessions' streams; sessions should go first.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_CONSUMERSVC_CLIENT_REMOTE_CONSUMER_CLIENT_H_
#define JSENGINE_CONSUMERSVC_CLIENT_REMOTE_CONSUMER_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "common/grpc/completion_pump.h"
#include "common/grpc/tls_credentials.h"
#include "common/grpc/unary.h"
#include "consumersvc/client/consumer_client.h"
#include "grpcpp/channel.h"
#include "proto/consumer.grpc.pb.h"

namespace jsengine::consumersvc::client {

class RemoteConsumerClient final : public ConsumerClient {
 public:
  // `address` is "host:port" of a consumersvc, reached over `credentials`
  // (plaintext or TLS); each unary call fails with DEADLINE_EXCEEDED when
  // not answered within `unary_deadline`.
  explicit RemoteConsumerClient(
      const std::string& address,
      std::chrono::milliseconds unary_deadline = common::grpc::kUnaryDeadline,
      const common::grpc::GrpcCredentials& credentials = common::grpc::GrpcCredentials());
  ~RemoteConsumerClient() override;

  absl::StatusOr<v1::ConsumerInfo> CreateConsumer(
      const v1::CreateConsumerRequest& request) override;
  absl::Status DeleteConsumer(const v1::ConsumerRequest& request) override;
  absl::StatusOr<v1::ConsumerInfo> GetConsumerInfo(const v1::ConsumerRequest& request) override;
  absl::StatusOr<v1::ListConsumersResponse> ListConsumers(
      const v1::ListConsumersRequest& request) override;
  absl::StatusOr<v1::ConsumerNamesResponse> ConsumerNames(
      const v1::ListConsumersRequest& request) override;
  absl::StatusOr<v1::ConsumerCountsResponse> ConsumerCounts(
      const v1::ConsumerCountsRequest& request) override;

  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override;
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override;

  std::unique_ptr<ConsumerSession> OpenSession(DeliveryCallback on_deliveries) override;

 private:
  const std::chrono::milliseconds unary_deadline_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ConsumerService::Stub> stub_;

  // Destroyed first: cancels and waits out every call using the above.
  common::grpc::CompletionPump pump_;
};

}  // namespace jsengine::consumersvc::client

#endif  // JSENGINE_CONSUMERSVC_CLIENT_REMOTE_CONSUMER_CLIENT_H_
