#include "common/grpc/tls_credentials.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/status.h"

namespace jsengine::common::grpc {
namespace {

std::string OpenSslReason() {
  std::string reason;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof(text));
    absl::StrAppend(&reason, reason.empty() ? "" : "; ", text);
  }
  return reason.empty() ? "unusable" : reason;
}

absl::Status Unusable(absl::string_view flag_role, const std::string& path) {
  return absl::InvalidArgumentError(
      absl::StrCat("gRPC TLS ", flag_role, " ", path, ": ", OpenSslReason()));
}

// Loads the files into a scratch OpenSSL context: what gRPC would find wrong
// at the first handshake, found now with the file named.
absl::Status CheckFiles(const GrpcTlsFiles& files) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), &SSL_CTX_free);
  if (ctx == nullptr) return absl::InternalError("gRPC TLS: " + OpenSslReason());
  if (!files.cert_file.empty()) {
    // Key first: a certificate not matching it then drops it, which the
    // check below reports.
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Unusable("private key", files.key_file);
    }
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert_file.c_str()) != 1) {
      return Unusable("certificate", files.cert_file);
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("gRPC TLS private key ", files.key_file,
                                                     " does not match the certificate ",
                                                     files.cert_file));
    }
  }
  if (!files.ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx.get(), files.ca_file.c_str(), nullptr) != 1) {
    return Unusable("CA file", files.ca_file);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  if (path.empty()) return std::string();
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("gRPC TLS: cannot read ", path, ": ", pem.status().message()));
  }
  return pem;
}

}  // namespace

absl::StatusOr<GrpcCredentials> GrpcCredentials::Load(const GrpcTlsFiles& files) {
  GrpcCredentials credentials;
  if (files.empty()) return credentials;
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(
        "gRPC TLS needs both a certificate and its private key (--grpc_tls_cert and "
        "--grpc_tls_key), or neither");
  }
  JSE_ASSIGN_OR_RETURN(credentials.cert_, ReadPem(files.cert_file));
  JSE_ASSIGN_OR_RETURN(credentials.key_, ReadPem(files.key_file));
  JSE_ASSIGN_OR_RETURN(credentials.ca_, ReadPem(files.ca_file));
  JSE_RETURN_IF_ERROR(CheckFiles(files));
  credentials.tls_ = true;
  return credentials;
}

absl::StatusOr<std::shared_ptr<::grpc::ServerCredentials>> GrpcCredentials::ForServer() const {
  if (!tls_) return ::grpc::InsecureServerCredentials();
  if (cert_.empty()) {
    return absl::InvalidArgumentError(
        "a gRPC server with TLS needs a certificate and key (--grpc_tls_cert, --grpc_tls_key)");
  }
  ::grpc::SslServerCredentialsOptions options(
      ca_.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                  : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ca_;
  options.pem_key_cert_pairs.push_back({key_, cert_});
  return ::grpc::SslServerCredentials(options);
}

std::shared_ptr<::grpc::ChannelCredentials> GrpcCredentials::ForChannel() const {
  if (!tls_) return ::grpc::InsecureChannelCredentials();
  ::grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_;
  options.pem_private_key = key_;
  options.pem_cert_chain = cert_;
  return ::grpc::SslCredentials(options);
}

std::string GrpcCredentials::Describe() const {
  if (!tls_) return "plaintext";
  return verifies_clients() ? "mutual TLS" : "TLS";
}

}  // namespace jsengine::common::grpc
