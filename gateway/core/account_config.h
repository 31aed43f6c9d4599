// Reader of nats-server's `accounts {}` block (see docs/CONFIG.md):
//
//   accounts {
//     A: {
//       users: [{user: a, password: a}]
//       exports: [{stream: "a.>"}, {service: "svc.>", accounts: [B]}]
//     }
//     B: {
//       users: [{user: b, password: b}]
//       imports: [{stream: {account: A, subject: "a.>"}, prefix: "from_a"}
//                 {service: {account: A, subject: "svc.>"}}]
//     }
//   }
//
// Users go to ServerOptions::users with their account set; accounts with
// their exports and imports to ServerOptions::accounts. Pure functions,
// thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_ACCOUNT_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_ACCOUNT_CONFIG_H_

#include "absl/status/status.h"
#include "gateway/core/config.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

absl::Status ApplyAccounts(const ConfigValue& v, ServerOptions* options);

// Checks what spans the whole configuration, with nats-server's messages:
// users unique across accounts, no single user or token beside account
// users, no_auth_user naming a user, imports naming accounts that export
// what they import.
absl::Status ValidateAccounts(const ServerOptions& options);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ACCOUNT_CONFIG_H_
