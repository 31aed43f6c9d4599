// The orders /connz's `sort` option offers, as nats-server's: `cid` and
// `start` ascending; `subs`, `pending`, `msgs_to`, `msgs_from`, `bytes_to`,
// `bytes_from`, `last` (latest activity first), `idle` (longest idle first),
// `uptime` (longest first) and `rtt` descending. Ties keep cid order. Pure;
// thread-safe.
#ifndef JSENGINE_GATEWAY_MONITOR_CONNZ_SORT_H_
#define JSENGINE_GATEWAY_MONITOR_CONNZ_SORT_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/core/stats.h"

namespace jsengine::gateway::monitor {

// Sorts `connections` (given in cid order) by `by`; empty is `cid`.
// InvalidArgument with nats-server's text for an unknown option, and for
// `stop` (latest first) and `reason`, which only apply when listing closed
// connections (`closed`).
absl::Status SortConnections(std::string_view by, absl::Time now, bool closed,
                             std::vector<core::ConnectionInfo>* connections);

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_CONNZ_SORT_H_
