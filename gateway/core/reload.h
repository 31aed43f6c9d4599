// What a configuration reload (SIGHUP, `--signal reload`) may change, as
// nats-server's reload: users, passwords, tokens, permissions, the users of
// accounts and their JetStream settings (enabled, limits: the engine applies
// them), the set of accounts with their exports, imports and mappings,
// the global account's mappings, no_auth_user, and the limits max_payload, max_connections,
// max_pending, ping_interval, ping_max, authorization timeout, debug and
// trace. Everything else needs a restart. Pure functions, thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_RELOAD_H_
#define JSENGINE_GATEWAY_CORE_RELOAD_H_

#include "absl/status/status.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

// OK if `next` differs from `current` only in what a reload applies; else
// InvalidArgument naming the first setting that differs, in nats-server's
// words: "config reload not supported for port: old=4222, new=4333".
absl::Status CheckReloadable(const ServerOptions& current, const ServerOptions& next);

// What CheckReloadable allows of the account set (adding, removing and
// changing accounts, their exports, imports and mappings) except, with the
// server's JetStream on (the engine serves JetStream per account as
// configured at start): going between no accounts and some, and JetStream in
// an account that was not configured at start.
absl::Status CheckAccountsReloadable(const ServerOptions& start, const ServerOptions& next);

// `next` with the settings that only the command line gives (flags given
// with -c override the file) taken from `current`, so a reload of the same
// file does not look like a change to them.
ServerOptions KeepCommandLineOnly(const ServerOptions& current, ServerOptions next);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_RELOAD_H_
