// Conversions between absl::Status and ::grpc::Status at service boundaries.
//
// absl and gRPC status codes map one to one; a JetStream error payload (see
// status.h) travels as the gRPC status' binary error_details, so the gateway
// on the far side recovers the exact `code`/`err_code`.
#ifndef JSENGINE_COMMON_GRPC_GRPC_STATUS_H_
#define JSENGINE_COMMON_GRPC_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace jsengine::common::grpc {

::grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const ::grpc::Status& status);

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_GRPC_STATUS_H_
