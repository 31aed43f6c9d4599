// --grpc_tls_cert, --grpc_tls_key, --grpc_tls_ca for the service binaries
// (gflags), as tls_credentials.h reads them: the same three secure both the
// binary's gRPC listener and its channels to other services.
//
//   absl::StatusOr<GrpcCredentials> credentials = GrpcCredentialsFromFlags();
//
// The gateway parses the same names with its nats-server style parser.
#ifndef JSENGINE_COMMON_GRPC_TLS_FLAGS_H_
#define JSENGINE_COMMON_GRPC_TLS_FLAGS_H_

#include "absl/status/statusor.h"
#include "common/grpc/tls_credentials.h"
#include "gflags/gflags.h"

DECLARE_string(grpc_tls_cert);
DECLARE_string(grpc_tls_key);
DECLARE_string(grpc_tls_ca);

namespace jsengine::common::grpc {

// The files the flags name, loaded and checked (GrpcCredentials::Load).
absl::StatusOr<GrpcCredentials> GrpcCredentialsFromFlags();

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_TLS_FLAGS_H_
