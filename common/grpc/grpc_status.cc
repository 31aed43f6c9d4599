#include "common/grpc/grpc_status.h"

#include <string>

#include "common/status.h"
#include "proto/common.pb.h"

namespace jsengine::common::grpc {

::grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return ::grpc::Status::OK;
  return ::grpc::Status(static_cast<::grpc::StatusCode>(status.code()),
                        std::string(status.message()), ToErrorDetail(status).SerializeAsString());
}

absl::Status FromGrpcStatus(const ::grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  v1::ErrorDetail detail;
  if (!status.error_details().empty() && detail.ParseFromString(status.error_details()) &&
      detail.err_code() != 0) {
    detail.set_description(status.error_message());
    return FromErrorDetail(detail);
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace jsengine::common::grpc
