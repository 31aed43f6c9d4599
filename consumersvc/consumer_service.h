// The ConsumerService gRPC API (proto/consumer.proto).
//
// Consumers are the next milestone: until they exist, every RPC answers
// UNIMPLEMENTED with a message naming the missing piece, so callers (the
// gateway, the admin CLI, grpcurl) get a clear answer instead of a hang.
// Thread-safe and stateless.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_SERVICE_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_SERVICE_H_

#include "proto/consumer.grpc.pb.h"

namespace jsengine::consumersvc {

class ConsumerServiceImpl final : public v1::ConsumerService::Service {
 public:
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
  grpc::Status Session(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::DeliveryBatch, v1::GatewayBatch>* stream) override;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_SERVICE_H_
