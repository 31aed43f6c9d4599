// Settings of leaf node connections (nats-server's `leafnodes {}` block):
// a port accepting leaf servers (this server is their hub) and remotes this
// server connects to as a leaf. Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_LEAFNODE_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_LEAFNODE_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/core/tls_options.h"

namespace jsengine::gateway::core {

// One entry of `remotes`: a hub this server connects to as a leaf.
struct RemoteLeafOptions {
  // "nats-leaf://[user:pass@]host:port" (any scheme), tried in turn.
  std::vector<std::string> urls;
  // The local account the connection binds; empty: the global account.
  std::string account;
  // `tls {}`: the connection handshakes TLS after the hub's INFO and checks
  // the hub's certificate against ca_file (cert_file/key_file: presented).
  TlsOptions tls;
  // Subjects not asked of the hub (no interest sent) and whose messages
  // from it are dropped.
  std::vector<std::string> deny_imports;
  // Subjects not sent to the hub (its interest in them is ignored).
  std::vector<std::string> deny_exports;
  // `hub: true`: this server is the hub of that connection.
  bool hub = false;
  bool no_randomize = false;
};

// One of `authorization { users [...] }`.
struct LeafUser {
  std::string user;
  std::string password;
  std::string account;  // empty: the global account
};

struct LeafNodeOptions {
  // Whether leaf servers are accepted (`listen` or `port` given).
  bool accept = false;
  std::string host = "0.0.0.0";
  int port = 0;  // 0 with `accept`: any free port
  // host:port leaf servers should use to reach this one.
  std::string advertise;
  bool no_advertise = false;
  // `authorization { user, password, account, timeout }`: what an accepted
  // leaf's CONNECT must carry and the account it binds. Without them (and
  // without `users`) a leaf authenticates as a client would when clients
  // need credentials, else binds `account` (the global account if empty).
  std::string username;
  std::string password;
  std::string account;
  std::vector<LeafUser> users;
  absl::Duration auth_timeout = absl::Seconds(1);
  // `tls {}` of the leaf port: INFO goes out in plaintext with
  // tls_required, then the leaf handshakes.
  TlsOptions tls;
  std::vector<RemoteLeafOptions> remotes;
  // Delay between attempts to connect to a remote.
  absl::Duration reconnect_interval = absl::Seconds(1);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_LEAFNODE_OPTIONS_H_
