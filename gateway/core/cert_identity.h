// What a client certificate says about who the client is, for nats-server's
// `tls { verify_and_map: true }`: users are named by a certificate's email,
// DNS or URI subject alternative names, or by its subject's distinguished
// name ("CN=alice,O=Example", attributes in any order). Plain data and pure
// functions; thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CERT_IDENTITY_H_
#define JSENGINE_GATEWAY_CORE_CERT_IDENTITY_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jsengine::gateway::core {

struct CertIdentity {
  // Subject alternative names in the order nats-server tries them: emails,
  // DNS names, URIs.
  std::vector<std::string> alt_names;
  // The DNS names among them.
  std::vector<std::string> dns_names;
  // The subject's attributes as (type, value), e.g. ("CN", "alice"), types
  // as OpenSSL's short names.
  std::vector<std::pair<std::string, std::string>> subject;
};

// Whether `user` (a configured user name) is a distinguished name with
// exactly the certificate subject's attributes, in any order; types compare
// case-insensitively, values exactly. Backslash escapes in `user` are
// honoured.
bool DistinguishedNameMatches(std::string_view user, const CertIdentity& identity);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CERT_IDENTITY_H_
