// TLS for the gRPC links between the services, the gateway and the admin
// CLI: credentials built from PEM files, or plaintext when none are given.
//
//   GrpcTlsFiles files{"svc.pem", "svc-key.pem", "ca.pem"};
//   JSE_ASSIGN_OR_RETURN(GrpcCredentials credentials, GrpcCredentials::Load(files));
//   JSE_ASSIGN_OR_RETURN(auto server_credentials, credentials.ForServer());
//   auto channel = ::grpc::CreateChannel(address, credentials.ForChannel());
//
// A server presents `cert_file` with `key_file`; given `ca_file` it requires
// every client to present a certificate issued by that CA (mutual TLS). A
// client verifies the server against `ca_file` (the system's roots without
// one) and presents `cert_file` with `key_file` when they are given.
//
// Load() reads and checks every file (readable, PEM, the key matching the
// certificate), so a bad setup fails at startup rather than at the first
// handshake. A GrpcCredentials is an immutable value: thread-safe.
#ifndef JSENGINE_COMMON_GRPC_TLS_CREDENTIALS_H_
#define JSENGINE_COMMON_GRPC_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace jsengine::common::grpc {

// Paths of PEM files; all empty means plaintext.
struct GrpcTlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;

  bool empty() const { return cert_file.empty() && key_file.empty() && ca_file.empty(); }
};

class GrpcCredentials {
 public:
  // Plaintext.
  GrpcCredentials() = default;

  // InvalidArgument when a file cannot be read or parsed, when only one of
  // cert_file and key_file is given, or when the key is not the
  // certificate's; the message names the file.
  static absl::StatusOr<GrpcCredentials> Load(const GrpcTlsFiles& files);

  bool tls() const { return tls_; }
  // True when a server built from these requires client certificates.
  bool verifies_clients() const { return tls_ && !ca_.empty() && !cert_.empty(); }

  // InvalidArgument for TLS without a certificate and key: a server has
  // nothing to present.
  absl::StatusOr<std::shared_ptr<::grpc::ServerCredentials>> ForServer() const;
  std::shared_ptr<::grpc::ChannelCredentials> ForChannel() const;

  // "plaintext", "TLS" or "mutual TLS", for startup logs.
  std::string Describe() const;

 private:
  bool tls_ = false;
  std::string cert_;
  std::string key_;
  std::string ca_;
};

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_TLS_CREDENTIALS_H_
