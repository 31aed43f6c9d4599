// Readers of the cluster settings: the configuration file's `cluster {}`
// block and the --cluster, --cluster_name, --routes, --no_advertise,
// --cluster_advertise and --connect_retries flags, as nats-server reads them.
// Pure functions, thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CLUSTER_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_CLUSTER_CONFIG_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/core/cluster_options.h"
#include "gateway/core/config.h"

namespace jsengine::gateway::core {

// `cluster { listen, port, host, name, routes, no_advertise, advertise,
// connect_retries, authorization {user, password, timeout}, pool_size,
// tls {} }`.
// Unknown keys are errors.
absl::Status ApplyClusterConfig(const ConfigValue& v, ClusterOptions* cluster);

// A route's or gateway's `authorization { user, password, timeout }`; `what`
// ("Cluster", "Gateway") names the block in nats-server's errors for the
// `token` and `users` it refuses.
absl::Status ApplyServerAuthorization(const std::string& what, const ConfigValue& v,
                                      std::string* username, std::string* password,
                                      absl::Duration* timeout);

// A route URL's parts: "nats://[user:pass@]host:port" (any scheme).
struct RouteUrl {
  std::string user;
  std::string password;
  std::string host;
  int port = 0;
};
absl::Status ParseRouteUrl(std::string_view url, RouteUrl* out);

// Whether `name` (without dashes) is a cluster flag, and if it takes a value.
bool IsClusterFlag(std::string_view name, bool* takes_value);
// Applies one cluster flag; `on` is a boolean flag's value.
absl::Status ApplyClusterFlag(std::string_view name, const std::string& value, bool on,
                              ClusterOptions* cluster);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CLUSTER_CONFIG_H_
