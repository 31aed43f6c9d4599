// A gRPC server as every service here runs one: on one address, with gRPC
// health checking and server reflection on (so grpcurl, grpc_cli and the
// admin CLI can discover the services).
//
//   JSE_ASSIGN_OR_RETURN(auto server, GrpcServer::Start("127.0.0.1:0", {&service}));
//   LOG(INFO) << "listening on port " << server->port();
//
// The services must outlive the server. Thread-safe.
#ifndef JSENGINE_COMMON_GRPC_GRPC_SERVER_H_
#define JSENGINE_COMMON_GRPC_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/tls_credentials.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/server.h"

namespace jsengine::common::grpc {

class GrpcServer {
 public:
  // Binds `address` ("host:port", port 0 picks a free one) and starts serving,
  // over TLS when `credentials` say so (tls_credentials.h); Unavailable if
  // the port is taken (no SO_REUSEPORT sharing).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const std::string& address, const std::vector<::grpc::Service*>& services,
      const GrpcCredentials& credentials = GrpcCredentials());

  ~GrpcServer();

  // The bound port.
  int port() const { return port_; }

  // Stops accepting calls; calls in flight get a short grace period.
  // Idempotent.
  void Shutdown();

 private:
  GrpcServer(std::unique_ptr<::grpc::Server> server, int port);

  std::unique_ptr<::grpc::Server> server_;
  const int port_;
};

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_GRPC_SERVER_H_
