// Reader of nats-server's operator-mode keys (see docs/CONFIG.md, "Operator
// mode"): `operator` (and its aliases), `trusted_keys`, `resolver`,
// `resolver_preload`, `resolver_pinned_accounts`; and the checks and account
// loading that follow once the whole file is read. Pure functions but for
// reading JWT files and the resolver directory (created if missing, as
// nats-server does); thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_OPERATOR_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_OPERATOR_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/core/config.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

// True if `key` (lower case) is one of the keys ApplyOperatorKey reads.
bool IsOperatorKey(const std::string& key);
absl::Status ApplyOperatorKey(const std::string& key, const ConfigValue& v, ServerOptions* o);

// After the whole configuration is read: nats-server's checks of operator
// mode (validateTrustedOperators, with its messages), then the accounts of
// the preloaded and stored account JWTs added to `o->accounts` (named by
// their public keys) and `o->operator_mode.accounts`. Nothing without
// operators or trusted keys.
absl::Status FinishOperatorMode(ServerOptions* o, absl::Time now);

// Reads the account JWTs again (the resolver directory's, then the
// preloaded ones, the newer of two for one account winning), keeps the
// valid and trusted ones in `o->operator_mode.accounts` and rebuilds
// `o->accounts` (BuildOperatorAccounts). Creates the directory if missing.
absl::Status LoadOperatorAccounts(ServerOptions* o, absl::Time now);

// An account JWT's account as AccountOptions: limits, JetStream limits,
// exports. Imports are added by FinishOperatorMode, which knows the
// exporters.
AccountOptions AccountFromClaims(const AccountClaims& claims);

// Replaces `o->accounts` with the accounts of `o->operator_mode.accounts`
// (and the system account, without a JWT if it has none): each account's
// options, its imports that an export allows (token-required exports only
// with a valid activation token), dropping the others as nats-server does.
void BuildOperatorAccounts(ServerOptions* o, absl::Time now);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_OPERATOR_CONFIG_H_
