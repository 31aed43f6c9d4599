#include "common/grpc/tls_flags.h"

DEFINE_string(grpc_tls_cert, "",
              "PEM certificate this process presents on gRPC, as a server and as a client "
              "(with --grpc_tls_key); empty: plaintext gRPC");
DEFINE_string(grpc_tls_key, "", "PEM private key of --grpc_tls_cert");
DEFINE_string(grpc_tls_ca, "",
              "PEM CA certificates: the gRPC server requires client certificates they issued "
              "(mutual TLS), clients verify servers against them");

namespace jsengine::common::grpc {

absl::StatusOr<GrpcCredentials> GrpcCredentialsFromFlags() {
  return GrpcCredentials::Load({FLAGS_grpc_tls_cert, FLAGS_grpc_tls_key, FLAGS_grpc_tls_ca});
}

}  // namespace jsengine::common::grpc
