// The names nats-server accepts in `tls { cipher_suites: [...] }` (Go's
// crypto/tls names) and what this server's OpenSSL makes of them.
//
// nats-server knows 24 names (server/ciphersuites.go) and refuses any other
// with "unrecognized cipher NAME". Go implements all of them: it uses the
// TLS 1.2 suites listed (RC4 and 3DES ones included) and ignores the three
// TLS 1.3 names, its TLS 1.3 suites not being configurable. OpenSSL 3 lacks
// some (RC4; 3DES in Debian's build): those are dropped, and the caller warns.
//
//   JSE_ASSIGN_OR_RETURN(CipherSuiteSelection s, SelectCipherSuites(names, offered));
//   SSL_CTX_set_cipher_list(ctx, s.tls12_list.c_str());
//
// Pure functions; thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CIPHER_SUITES_H_
#define JSENGINE_GATEWAY_CORE_CIPHER_SUITES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::gateway::core {

// InvalidArgument "unrecognized cipher NAME" (nats-server's text) unless
// nats-server knows `name`.
absl::Status CheckCipherSuiteName(absl::string_view name);

// What a cipher_suites list comes to.
struct CipherSuiteSelection {
  // OpenSSL's names of the TLS 1.2 suites kept, in the order given, joined
  // with ':' for SSL_CTX_set_cipher_list. Empty when only TLS 1.3 names
  // are left: TLS 1.2 clients then find no suite (as with nats-server).
  std::string tls12_list;
  // The names given that OpenSSL cannot offer.
  std::vector<std::string> dropped;
};

// `names` as nats-server takes them; `offered`: OpenSSL's name of each suite
// the library offers, by standard (IANA) name. InvalidArgument for an
// unknown name (as CheckCipherSuiteName), or when every name is dropped.
absl::StatusOr<CipherSuiteSelection> SelectCipherSuites(
    const std::vector<std::string>& names, const std::map<std::string, std::string>& offered);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CIPHER_SUITES_H_
