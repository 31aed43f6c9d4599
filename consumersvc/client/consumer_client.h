// ConsumerClient: everything a caller can ask of the consumer service, as
// one C++ interface, shaped like storesvc's StoreClient.
//
// Implementations: the consumer service library itself, for the embedded
// deployment (no gRPC on the data path), and a gRPC client of
// proto/consumer.proto's ConsumerService for a consumersvc in its own
// process. The gateway's JetStream API and data plane work the same with
// either.
//
// Admin calls block the calling thread; call them off event loops. Errors
// are JetStream errors (common/status.h), so callers see nats-server's code
// and err_code. Implementations are thread-safe.
#ifndef JSENGINE_CONSUMERSVC_CLIENT_CONSUMER_CLIENT_H_
#define JSENGINE_CONSUMERSVC_CLIENT_CONSUMER_CLIENT_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"

namespace jsengine::consumersvc::client {

// One gateway's data-plane link: pull requests, acks and interest changes go
// up in order; deliveries (messages and status messages) come down through
// the callback given to OpenSession. Destroying the session ends it: no
// callback runs after the destructor returns.
class ConsumerSession {
 public:
  virtual ~ConsumerSession() = default;
  virtual void Send(v1::GatewayBatch batch) = 0;
};

class ConsumerClient {
 public:
  // Gets deliveries to publish, in order per consumer; may run on any
  // thread and must not block.
  using DeliveryCallback = std::function<void(v1::DeliveryBatch)>;

  virtual ~ConsumerClient() = default;

  virtual absl::StatusOr<v1::ConsumerInfo> CreateConsumer(
      const v1::CreateConsumerRequest& request) = 0;
  virtual absl::Status DeleteConsumer(const v1::ConsumerRequest& request) = 0;
  virtual absl::StatusOr<v1::ConsumerInfo> GetConsumerInfo(const v1::ConsumerRequest& request) = 0;
  virtual absl::StatusOr<v1::ListConsumersResponse> ListConsumers(
      const v1::ListConsumersRequest& request) = 0;
  virtual absl::StatusOr<v1::ConsumerNamesResponse> ConsumerNames(
      const v1::ListConsumersRequest& request) = 0;
  // Purges the stream in the store and moves its consumers past what was
  // purged before they deliver anything more.
  virtual absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) = 0;
  // Deletes the message in the store; no consumer delivers it after.
  virtual absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) = 0;
  // How many consumers each stream has, in the order asked.
  virtual absl::StatusOr<v1::ConsumerCountsResponse> ConsumerCounts(
      const v1::ConsumerCountsRequest& request) = 0;

  virtual std::unique_ptr<ConsumerSession> OpenSession(DeliveryCallback on_deliveries) = 0;
};

}  // namespace jsengine::consumersvc::client

#endif  // JSENGINE_CONSUMERSVC_CLIENT_CONSUMER_CLIENT_H_
