#include "consumersvc/consumer_service.h"

#include "common/grpc/grpc_status.h"
#include "common/grpc/unary.h"
#include "consumersvc/session_reactor.h"

namespace jsengine::consumersvc {

using common::grpc::Reply;

grpc::Status ConsumerServiceImpl::CreateConsumer(grpc::ServerContext*,
                                                 const v1::CreateConsumerRequest* request,
                                                 v1::ConsumerInfo* response) {
  return Reply(consumers_->CreateConsumer(*request), response);
}

grpc::Status ConsumerServiceImpl::DeleteConsumer(grpc::ServerContext*,
                                                 const v1::ConsumerRequest* request,
                                                 v1::DeleteConsumerResponse*) {
  return common::grpc::ToGrpcStatus(consumers_->DeleteConsumer(*request));
}

grpc::Status ConsumerServiceImpl::GetConsumerInfo(grpc::ServerContext*,
                                                  const v1::ConsumerRequest* request,
                                                  v1::ConsumerInfo* response) {
  return Reply(consumers_->GetConsumerInfo(*request), response);
}

grpc::Status ConsumerServiceImpl::ListConsumers(grpc::ServerContext*,
                                                const v1::ListConsumersRequest* request,
                                                v1::ListConsumersResponse* response) {
  return Reply(consumers_->ListConsumers(*request), response);
}

grpc::Status ConsumerServiceImpl::ConsumerNames(grpc::ServerContext*,
                                                const v1::ListConsumersRequest* request,
                                                v1::ConsumerNamesResponse* response) {
  return Reply(consumers_->ConsumerNames(*request), response);
}

grpc::Status ConsumerServiceImpl::PurgeStream(grpc::ServerContext*,
                                              const v1::PurgeStreamRequest* request,
                                              v1::PurgeStreamResponse* response) {
  return Reply(consumers_->PurgeStream(*request), response);
}

grpc::Status ConsumerServiceImpl::DeleteMessage(grpc::ServerContext*,
                                                const v1::DeleteMessageRequest* request,
                                                v1::DeleteMessageResponse*) {
  return common::grpc::ToGrpcStatus(consumers_->DeleteMessage(*request));
}

grpc::Status ConsumerServiceImpl::ConsumerCounts(grpc::ServerContext*,
                                                 const v1::ConsumerCountsRequest* request,
                                                 v1::ConsumerCountsResponse* response) {
  return Reply(consumers_->ConsumerCounts(*request), response);
}

grpc::ServerBidiReactor<v1::GatewayBatch, v1::DeliveryBatch>* ConsumerServiceImpl::Session(
    grpc::CallbackServerContext* context) {
  return new SessionReactor(context, consumers_);
}

}  // namespace jsengine::consumersvc
