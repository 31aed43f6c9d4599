// TLS for client connections and routes, on OpenSSL (Debian's libssl).
//
// A TlsContext holds the server's certificate, key and client CA settings,
// built once from TlsOptions; it hands out one TlsSession per connection.
// A context for routes (CreateForRoutes) also dials: its client sessions
// check the other server's certificate and name.
// A session runs TLS directly on the connection's non-blocking socket and
// mimics ::read/::send: when the socket would block it returns -1 with
// errno EAGAIN, and the caller waits for epoll as for a plaintext socket.
//
//   JSE_ASSIGN_OR_RETURN(std::unique_ptr<TlsContext> ctx, TlsContext::Create(options.tls));
//   std::unique_ptr<TlsSession> tls = ctx->NewSession(fd);
//   if (tls->Handshake() == TlsSession::kDone) n = tls->Read(buf, sizeof(buf));
//
// A TlsContext is immutable once created and safe to share across threads;
// it must outlive its sessions. A TlsSession is not thread-safe: its caller
// serializes every call. Writing to a socket whose peer closed it raises
// SIGPIPE, which the server ignores (common/signals.h, or Create()).
#ifndef JSENGINE_GATEWAY_CORE_TLS_H_
#define JSENGINE_GATEWAY_CORE_TLS_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/core/cert_identity.h"
#include "gateway/core/options.h"
#include "gateway/core/peer_cert.h"

struct ssl_st;
struct ssl_ctx_st;

namespace jsengine::gateway::core {

class TlsSession {
 public:
  enum HandshakeResult { kDone, kWouldBlock, kFailed };

  explicit TlsSession(ssl_st* ssl);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Advances the handshake with what the socket holds.
  HandshakeResult Handshake();
  bool established() const { return established_; }
  // Once established, as nats-server's monitoring names them: "1.3",
  // "TLS_AES_256_GCM_SHA384".
  std::string version() const;
  std::string cipher_suite() const;
  // Once established, what the peer's certificate names (empty without
  // one).
  CertIdentity PeerIdentity() const;
  // Once established, the certificates the client sent, leaf first, as
  // /connz's tls_peer_certs shows them (peer_cert.h).
  std::vector<TlsPeerCert> PeerCerts() const;
  // Like ::read: bytes read, 0 when the peer closed, -1 with errno EAGAIN
  // (wait for the socket) or EIO (failed; see error()).
  ssize_t Read(char* buf, size_t len);
  // Like ::send: bytes written, fewer than len only when the socket is full
  // (then wait for it to drain), or -1 with errno EAGAIN or EIO. Retry with
  // the bytes not written, unchanged.
  ssize_t Write(const char* buf, size_t len);
  // Why the last call failed, as OpenSSL says it.
  const std::string& error() const { return error_; }

 private:
  // Maps an SSL_* call's result to the ::read/::send convention.
  ssize_t Result(int rc);

  ssl_st* const ssl_;
  bool established_ = false;
  std::string error_;
};

class TlsContext {
 public:
  // Loads the certificate chain, key and CA file; InvalidArgument names the
  // file OpenSSL refused and why.
  static absl::StatusOr<std::unique_ptr<TlsContext>> Create(const TlsOptions& options);
  // As nats-server's route TLS: both ends present certificates and verify
  // each other's against ca_file (the system's CAs without one), whatever
  // `verify` says; `insecure` skips the check of servers dialed.
  static absl::StatusOr<std::unique_ptr<TlsContext>> CreateForRoutes(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A server-side session on the connected socket `fd` (not owned).
  std::unique_ptr<TlsSession> NewSession(int fd) const;
  // A client-side session on `fd` (not owned), from a CreateForRoutes
  // context: the server's certificate must name `server_name` (a host name
  // or an IP address), unless `insecure`.
  std::unique_ptr<TlsSession> NewClientSession(int fd, const std::string& server_name) const;

 private:
  TlsContext(ssl_ctx_st* ctx, bool insecure) : ctx_(ctx), insecure_(insecure) {}
  static absl::StatusOr<std::unique_ptr<TlsContext>> Create(const TlsOptions& options, bool routes);
  ssl_ctx_st* const ctx_;
  const bool insecure_;
  // nats-server's pinned_certs, read by the verify callback.
  std::vector<std::string> pinned_certs_;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_TLS_H_
