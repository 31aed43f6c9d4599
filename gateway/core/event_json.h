// Pieces of nats-server's event JSON that both the core server (service
// latency results) and the system account (gateway/monitor) write: Go's
// time format, a connection as ClientInfo, nuid-like event ids, and the
// io.nats.server.metric.v1.service_latency result. Pure functions (the ids
// random); thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_EVENT_JSON_H_
#define JSENGINE_GATEWAY_CORE_EVENT_JSON_H_

#include <string>

#include "absl/time/time.h"
#include "gateway/core/stats.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {

// Go's time.RFC3339Nano in UTC.
std::string GoTime(absl::Time t);

// nats-server's ClientInfo of a connection (with stop when closed).
nlohmann::ordered_json ClientInfoJson(const ConnectionInfo& info);

// A 22-character unique id, like nats-server's nuid.
std::string NewEventId();

// A request timed for a service export's latency tracking: when it crossed
// the import, and who sent it (account: the importer).
struct LatencyProbe {
  std::string results_subject;
  absl::Time start;
  ConnectionInfo requestor;
};

// nats-server's ServiceLatency for a request answered at `now` by
// `responder` (null: an in-process one) on server `server_name`: status
// 200, the requestor's account (imports do not share more), service and
// total latency in nanoseconds; system latency is 0 as no round trip is
// measured.
std::string ServiceLatencyJson(const LatencyProbe& probe, const ConnectionInfo* responder,
                               const std::string& server_name, absl::Time now);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_EVENT_JSON_H_
