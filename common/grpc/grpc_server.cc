#include "common/grpc/grpc_server.h"

#include <chrono>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace jsengine::common::grpc {

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const std::string& address, const std::vector<::grpc::Service*>& services,
    const GrpcCredentials& credentials) {
  absl::StatusOr<std::shared_ptr<::grpc::ServerCredentials>> server_credentials =
      credentials.ForServer();
  if (!server_credentials.ok()) return server_credentials.status();
  static std::once_flag plugins_once;
  std::call_once(plugins_once, [] {
    ::grpc::EnableDefaultHealthCheckService(true);
    ::grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });

  ::grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, *server_credentials, &port);
  // gRPC sets SO_REUSEPORT by default: a second server on a taken port would
  // start and silently receive a share of the first one's connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.SetMaxSendMessageSize(64 << 20);
  for (::grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<::grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", address, " (address in use or invalid)"));
  }
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(server), port));
}

GrpcServer::GrpcServer(std::unique_ptr<::grpc::Server> server, int port)
    : server_(std::move(server)), port_(port) {}

GrpcServer::~GrpcServer() { Shutdown(); }

void GrpcServer::Shutdown() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
}

}  // namespace jsengine::common::grpc
