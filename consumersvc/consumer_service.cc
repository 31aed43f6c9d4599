#include "consumersvc/consumer_service.h"

#include <string>

namespace jsengine::consumersvc {
namespace {

grpc::Status Unimplemented(const std::string& rpc) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "ConsumerService." + rpc + ": consumers are not available in this build yet");
}

}  // namespace

grpc::Status ConsumerServiceImpl::CreateConsumer(grpc::ServerContext*,
                                                 const v1::CreateConsumerRequest*,
                                                 v1::ConsumerInfo*) {
  return Unimplemented("CreateConsumer");
}

grpc::Status ConsumerServiceImpl::DeleteConsumer(grpc::ServerContext*, const v1::ConsumerRequest*,
                                                 v1::DeleteConsumerResponse*) {
  return Unimplemented("DeleteConsumer");
}

grpc::Status ConsumerServiceImpl::GetConsumerInfo(grpc::ServerContext*, const v1::ConsumerRequest*,
                                                  v1::ConsumerInfo*) {
  return Unimplemented("GetConsumerInfo");
}

grpc::Status ConsumerServiceImpl::ListConsumers(grpc::ServerContext*,
                                                const v1::ListConsumersRequest*,
                                                v1::ListConsumersResponse*) {
  return Unimplemented("ListConsumers");
}

grpc::Status ConsumerServiceImpl::ConsumerNames(grpc::ServerContext*,
                                                const v1::ListConsumersRequest*,
                                                v1::ConsumerNamesResponse*) {
  return Unimplemented("ConsumerNames");
}

grpc::Status ConsumerServiceImpl::Session(
    grpc::ServerContext*, grpc::ServerReaderWriter<v1::DeliveryBatch, v1::GatewayBatch>*) {
  return Unimplemented("Session");
}

}  // namespace jsengine::consumersvc
