// Settings of the cluster port (nats-server's `cluster {}` block and
// --cluster/--routes flags): routes carry core NATS interest and messages
// between servers. Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_CLUSTER_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_CLUSTER_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/core/permission_options.h"
#include "gateway/core/tls_options.h"

namespace jsengine::gateway::core {

struct ClusterOptions {
  // Whether a route listener runs (a `cluster` block or --cluster).
  bool enabled = false;
  std::string host = "0.0.0.0";
  int port = 0;  // 0 with `enabled`: any free port
  // Empty: the server makes one up, as nats-server's dynamic cluster name.
  std::string name;
  // Explicit routes ("nats-route://[user:pass@]host:port"), retried forever.
  std::vector<std::string> routes;
  // Do not tell clients about the other servers' client URLs.
  bool no_advertise = false;
  // host:port other servers should use to reach this one's route port.
  std::string advertise;
  // Attempts for an implicit (gossiped) route; 0: one attempt.
  int connect_retries = 0;
  // Credentials a route must present (and, for implicit routes, sends).
  std::string username;
  std::string password;
  absl::Duration auth_timeout = absl::Seconds(2);
  // `permissions { import, export }` (nats-server's route permissions, read
  // as a user's publish and subscribe): which subjects this server asks
  // routes for (tells them its interest in) and which of their interest it
  // serves. Unset: all.
  bool has_permissions = false;
  UserPermissions permissions;
  // Accepted for compatibility; routes are never pooled (one connection per
  // pair of servers).
  int pool_size = 0;
  // `tls {}`: every route, accepted or solicited, starts with a TLS
  // handshake (no plaintext INFO first) and both servers present and verify
  // certificates (`verify` is always on). verify_and_map: an accepted
  // route's certificate must name `username`.
  TlsOptions tls;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CLUSTER_OPTIONS_H_
