// Reader of the configuration file's `gateway {}` block (super-cluster
// gateways) with nats-server 2.10's checks: those its parser makes (also
// under -t) in ApplyGatewayConfig, those it makes when the server starts in
// ValidateGatewayOptions. Pure functions, thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_GATEWAY_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_GATEWAY_CONFIG_H_

#include <vector>

#include "absl/status/status.h"
#include "gateway/core/config.h"
#include "gateway/core/gateway_options.h"

namespace jsengine::gateway::core {

// `gateway { name, listen, port, host, authorization {user, password,
// timeout}, tls {}, advertise, connect_retries, reject_unknown(_cluster),
// gateways [ {name, url, urls, tls {}} ] }`. Unknown keys are errors.
absl::Status ApplyGatewayConfig(const ConfigValue& v, GatewayOptions* gateway);

// nats-server's start-up checks: a name and a port together, and a name and
// at least one URL for every entry of `gateways`.
absl::Status ValidateGatewayOptions(const GatewayOptions& gateway);

// The TLS settings a configured gateway would use (its own, then each
// remote's), for -t to load their certificates as nats-server's parser does.
std::vector<const TlsOptions*> GatewayTlsOptions(const GatewayOptions& gateway);

// Whether the server may start with these settings: ValidateGatewayOptions,
// then Unimplemented when a gateway is configured (a name or a port), since
// super-cluster connections are not implemented.
absl::Status CheckGatewayCanRun(const GatewayOptions& gateway);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_GATEWAY_CONFIG_H_
