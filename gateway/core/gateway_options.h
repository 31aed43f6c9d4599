// Settings of the super-cluster gateway port (nats-server's `gateway {}`
// block), as read from the configuration. Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_GATEWAY_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_GATEWAY_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/core/tls_options.h"

namespace jsengine::gateway::core {

// One entry of `gateways [ {name, url/urls, tls} ]`: a remote cluster.
struct RemoteGatewayOptions {
  std::string name;
  // "nats://[user:pass@]host:port" of the remote cluster's gateway ports.
  std::vector<std::string> urls;
  // `tls {}` for connections to this cluster (certificates always verified).
  TlsOptions tls;
};

struct GatewayOptions {
  // This cluster's name in the super-cluster. A gateway runs when `name` or
  // `port` is set (ValidateGatewayOptions then wants both).
  std::string name;
  std::string host = "0.0.0.0";
  // nats-server's -1 (any free port) is kept as -1 so that "no port" (0)
  // stays distinguishable.
  int port = 0;
  // `authorization { user, password, timeout }`: what an inbound gateway
  // must present.
  std::string username;
  std::string password;
  absl::Duration auth_timeout = absl::Seconds(2);
  // `tls {}`: gateway connections start with TLS, both sides verifying
  // certificates; verify_and_map maps the peer certificate to `username`.
  TlsOptions tls;
  std::string advertise;
  int connect_retries = 0;
  // reject_unknown(_cluster): refuse inbound gateways not in `gateways`.
  bool reject_unknown = false;
  std::vector<RemoteGatewayOptions> gateways;

  bool configured() const { return !name.empty() || port != 0; }
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_GATEWAY_OPTIONS_H_
