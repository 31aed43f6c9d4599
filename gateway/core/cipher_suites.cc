#include "gateway/core/cipher_suites.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jsengine::gateway::core {
namespace {

struct KnownSuite {
  const char* go_name;   // as nats-server's config takes it
  const char* standard;  // IANA's name, OpenSSL's SSL_CIPHER_standard_name
  bool tls13;            // Go ignores these in cipher_suites
};

// nats-server 2.10's cipherMap; Go drops "_SHA256" from the TLS 1.2
// ChaCha20 names.
constexpr KnownSuite kKnownSuites[] = {
    {"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_RC4_128_SHA", false},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", false},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", false},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", false},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", false},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384", false},
    {"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false},
    {"TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", false},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", false},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", false},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     false},
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", true},
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", true},
    {"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", true},
};

const KnownSuite* Find(absl::string_view name) {
  for (const KnownSuite& suite : kKnownSuites) {
    if (name == suite.go_name) return &suite;
  }
  return nullptr;
}

}  // namespace

absl::Status CheckCipherSuiteName(absl::string_view name) {
  if (Find(name) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("unrecognized cipher ", name));
}

absl::StatusOr<CipherSuiteSelection> SelectCipherSuites(
    const std::vector<std::string>& names, const std::map<std::string, std::string>& offered) {
  CipherSuiteSelection selection;
  bool tls13_named = false;
  for (const std::string& name : names) {
    const KnownSuite* suite = Find(name);
    if (suite == nullptr) return CheckCipherSuiteName(name);
    if (suite->tls13) {
      tls13_named = true;
      continue;
    }
    auto it = offered.find(suite->standard);
    if (it == offered.end()) {
      selection.dropped.push_back(name);
      continue;
    }
    if (!selection.tls12_list.empty()) selection.tls12_list += ':';
    selection.tls12_list += it->second;
  }
  if (selection.tls12_list.empty() && !tls13_named) {
    return absl::InvalidArgumentError(
        absl::StrCat("cipher_suites: none of the suites listed is available in this server's TLS "
                     "library (",
                     absl::StrJoin(selection.dropped, ", "), ")"));
  }
  return selection;
}

}  // namespace jsengine::gateway::core
