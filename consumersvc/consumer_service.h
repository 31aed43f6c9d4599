// ConsumerServiceImpl: the ConsumerService gRPC API (proto/consumer.proto)
// over a ConsumerClient (the ConsumerEngine, in consumersvc and in the
// embedded gateway). Unary admin calls map one to one; statuses cross with
// common::grpc::ToGrpcStatus(), so JetStream code/err_code reach the client.
//
// Session is a bidi stream served by the callback API (SessionReactor): one
// ConsumerClient session per call, GatewayBatches up, DeliveryBatches down.
//
// Thread-safety: thread-safe; `consumers` must outlive the service.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_SERVICE_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_SERVICE_H_

#include "consumersvc/client/consumer_client.h"
#include "proto/consumer.grpc.pb.h"

namespace jsengine::consumersvc {

class ConsumerServiceImpl final
    : public v1::ConsumerService::WithCallbackMethod_Session<v1::ConsumerService::Service> {
 public:
  explicit ConsumerServiceImpl(client::ConsumerClient* consumers) : consumers_(consumers) {}

  grpc::Status CreateConsumer(grpc::ServerContext* context,
                              const v1::CreateConsumerRequest* request,
                              v1::ConsumerInfo* response) override;
  grpc::Status DeleteConsumer(grpc::ServerContext* context, const v1::ConsumerRequest* request,
                              v1::DeleteConsumerResponse* response) override;
  grpc::Status GetConsumerInfo(grpc::ServerContext* context, const v1::ConsumerRequest* request,
                               v1::ConsumerInfo* response) override;
  grpc::Status ListConsumers(grpc::ServerContext* context,
                             const v1::ListConsumersRequest* request,
                             v1::ListConsumersResponse* response) override;
  grpc::Status ConsumerNames(grpc::ServerContext* context,
                             const v1::ListConsumersRequest* request,
                             v1::ConsumerNamesResponse* response) override;
  grpc::Status PurgeStream(grpc::ServerContext* context, const v1::PurgeStreamRequest* request,
                           v1::PurgeStreamResponse* response) override;
  grpc::Status DeleteMessage(grpc::ServerContext* context, const v1::DeleteMessageRequest* request,
                             v1::DeleteMessageResponse* response) override;
  grpc::Status ConsumerCounts(grpc::ServerContext* context,
                              const v1::ConsumerCountsRequest* request,
                              v1::ConsumerCountsResponse* response) override;

  grpc::ServerBidiReactor<v1::GatewayBatch, v1::DeliveryBatch>* Session(
      grpc::CallbackServerContext* context) override;

 private:
  client::ConsumerClient* const consumers_;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_SERVICE_H_
