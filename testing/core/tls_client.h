// A blocking TLS client for tests that start TLS at once (handshake_first
// clients, HTTPS, routes): connects to 127.0.0.1:port, checks the server's
// certificate against a CA and may present one of its own. Reads give up
// after 5 s. Not thread-safe.
#ifndef JSENGINE_TESTING_CORE_TLS_CLIENT_H_
#define JSENGINE_TESTING_CORE_TLS_CLIENT_H_

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <string>

#include "testing/core/raw_client.h"

namespace jsengine::testing::core {

class TlsClient {
 public:
  // Presents `cert` (PEM chain, key in `key`) when given.
  TlsClient(int port, const std::string& ca, const std::string& cert = "",
            const std::string& key = "")
      : raw_(port) {
    timeval timeout{5, 0};
    setsockopt(raw_.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!cert.empty()) {
      SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str());
      SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, raw_.fd());
    connected_ = SSL_connect(ssl_) == 1;
  }
  ~TlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // False when the handshake failed (as the client saw it: in TLS 1.3 a
  // server refuses the client's certificate only after that).
  bool connected() const { return connected_; }
  bool Write(const std::string& data) { return SSL_write(ssl_, data.data(), data.size()) > 0; }
  // Reads until `needle` arrives (empty: until the server closes); false
  // when it did not.
  bool ReadUntil(const std::string& needle) {
    char buf[4096];
    while (needle.empty() || got_.find(needle) == std::string::npos) {
      const int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n <= 0) return needle.empty();
      got_.append(buf, n);
    }
    return true;
  }
  const std::string& got() const { return got_; }
  void Clear() { got_.clear(); }

 private:
  RawClient raw_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  std::string got_;
};

}  // namespace jsengine::testing::core

#endif  // JSENGINE_TESTING_CORE_TLS_CLIENT_H_
