// Decentralized JWT authentication ("operator mode") as configured: trusted
// operators (their JWTs) or bare trusted keys, the account resolver, and the
// account JWTs known at start (resolver_preload and a full/cache resolver's
// directory), already verified. Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_OPERATOR_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_OPERATOR_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gateway/core/jwt.h"

namespace jsengine::gateway::core {

// nats-server's `resolver`: MEMORY (the preloaded JWTs only), a directory of
// JWTs kept up to date by claim updates (full) or filled by lookups (cache),
// or an HTTP account server (URL, not implemented).
struct ResolverOptions {
  enum class Type { kNone, kMemory, kFull, kCache, kUrl };
  Type type = Type::kNone;
  std::string dir;
  bool allow_delete = false;
  bool hard_delete = false;
  int64_t limit = 0;
  absl::Duration ttl = absl::ZeroDuration();
  absl::Duration interval = absl::ZeroDuration();
  absl::Duration timeout = absl::ZeroDuration();
  std::string url;
};

struct OperatorOptions {
  // The operator JWTs as given (file contents or inline), and their claims.
  std::vector<std::string> jwts;
  std::vector<OperatorClaims> operators;
  // Keys trusted to sign account JWTs: `trusted_keys`, or the operators'
  // own keys (unless strict_signing_key_usage) and signing keys.
  std::vector<std::string> trusted_keys;
  ResolverOptions resolver;
  // resolver_preload, in file order: account public key, account JWT.
  std::vector<std::pair<std::string, std::string>> preload;
  // resolver_pinned_accounts: when nonempty, only users of these accounts
  // (and the system account) may connect.
  std::vector<std::string> pinned_accounts;
  // The account JWTs known at start, verified and trusted, with their text.
  std::vector<std::pair<AccountClaims, std::string>> accounts;

  bool enabled() const { return !operators.empty() || !trusted_keys.empty(); }
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_OPERATOR_OPTIONS_H_
