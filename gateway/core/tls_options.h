// TLS settings, as nats-server's `tls {}` blocks read them: the client
// port's (with the --tls* flags; INFO goes out in plaintext with
// tls_required, then the client handshakes) and the cluster port's
// (`cluster { tls {} }`: routes handshake at once, both ways verified).
// Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_TLS_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_TLS_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace jsengine::gateway::core {

struct TlsOptions {
  bool enabled = false;
  std::string cert_file;  // PEM certificate chain, the server's first
  std::string key_file;   // PEM private key
  std::string ca_file;    // PEM CAs that client certificates must chain to
  bool verify = false;    // require a client certificate signed by ca_file
  // A client that has not completed the handshake by then is closed.
  absl::Duration timeout = absl::Seconds(2);
  std::string min_version = "1.2";  // "1.2" or "1.3"
  // nats-server 2.10's handshake_first: the client starts TLS at once and
  // INFO comes over TLS.
  bool handshake_first = false;
  // The top-level allow_non_tls: TLS is offered (INFO's tls_available), not
  // required; a client whose first byte after INFO starts a TLS handshake
  // gets TLS, any other stays in plaintext. Not with handshake_first.
  bool allow_non_tls = false;
  // TLS 1.2 suites allowed, by their IANA names as nats-server takes them
  // (e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"); empty: the defaults.
  std::vector<std::string> cipher_suites;
  // Key exchange groups in preference order, as OpenSSL names ("P-256",
  // "X25519"; the config's Go names are translated); empty: the defaults.
  std::vector<std::string> curves;
  // Lower case hex SHA-256 of the DER SubjectPublicKeyInfo of the client
  // certificates allowed (nats-server's pinned_certs); empty: any. Setting
  // it makes a client certificate required.
  std::vector<std::string> pinned_certs;
  // verify_and_map: verify, and authenticate the client as the configured
  // user its certificate names (cert_identity.h); credentials in CONNECT
  // are not used.
  bool verify_and_map = false;
  // Connections this server makes (routes) do not check the other server's
  // certificate chain and name.
  bool insecure = false;
  // Routes only (verify_cert_and_check_known_urls): verify, and authorize an
  // accepted route whose certificate has a DNS name of a configured route
  // URL's host (its leftmost label may be "*").
  bool check_known_urls = false;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_TLS_OPTIONS_H_
