// Reader of the configuration file's `leafnodes {}` block, as nats-server
// 2.10 reads it. Pure function, thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_LEAFNODE_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_LEAFNODE_CONFIG_H_

#include "absl/status/status.h"
#include "gateway/core/config.h"
#include "gateway/core/leafnode_options.h"

namespace jsengine::gateway::core {

// `leafnodes { listen, port, host, advertise, no_advertise, authorization
// { user, password, account, users, timeout }, tls {}, reconnect, remotes
// [ { url/urls, account, tls {}, deny_imports, deny_exports, hub,
// no_randomize } ], compression }`. Keys this server cannot honour
// (credentials, nkey, websocket settings, min_version) are refused by name;
// unknown keys are errors.
absl::Status ApplyLeafNodesConfig(const ConfigValue& v, LeafNodeOptions* leaf);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_LEAFNODE_CONFIG_H_
