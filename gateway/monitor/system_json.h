// The JSON of nats-server's system account messages, with its field names:
// the ServerInfo every event and answer carries, the client connect and
// disconnect advisories, account connection counts, and the envelope of
// answers to $SYS.REQ requests; and the reading of those requests' bodies
// (filters and endpoint options) into monitoring queries. Pure functions;
// thread-safe.
#ifndef JSENGINE_GATEWAY_MONITOR_SYSTEM_JSON_H_
#define JSENGINE_GATEWAY_MONITOR_SYSTEM_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/core/event_json.h"
#include "gateway/core/stats.h"
#include "gateway/monitor/monitor.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::monitor {

using OrderedJson = nlohmann::ordered_json;

// What identifies this server in system messages.
struct ServerIdentity {
  std::string name;
  std::string host;
  std::string id;
  std::string domain;  // JetStream domain; empty: none
  bool jetstream = false;
};

// nats-server's ServerInfo, with the message's sequence number and time.
OrderedJson ServerInfoJson(const ServerIdentity& server, uint64_t seq, absl::Time now);

// io.nats.server.advisory.v1.client_connect, for $SYS.ACCOUNT.<acc>.CONNECT.
OrderedJson ConnectEventJson(const std::string& event_id, absl::Time now, OrderedJson server,
                             const core::ConnectionInfo& info);
// io.nats.server.advisory.v1.client_disconnect, for
// $SYS.ACCOUNT.<acc>.DISCONNECT and $SYS.SERVER.<id>.CLIENT.AUTH.ERR.
OrderedJson DisconnectEventJson(const std::string& event_id, absl::Time now, OrderedJson server,
                                const core::ConnectionInfo& info, const std::string& reason);

// An account's connections and traffic, nats-server's AccountStat.
struct AccountStat {
  std::string account;
  int conns = 0;
  uint64_t subscriptions = 0;
  core::MessageCounts counts;  // in: received from its clients; out: sent to them
};
OrderedJson AccountStatJson(const AccountStat& stat);
// io.nats.server.advisory.v1.account_connections, for
// $SYS.ACCOUNT.<acc>.SERVER.CONNS.
OrderedJson AccountConnsEventJson(const std::string& event_id, absl::Time now, OrderedJson server,
                                  const AccountStat& stat);

using core::NewEventId;

// What a $SYS.REQ request's body asks: the server filter (server_name,
// host, cluster, tags, domain) and the endpoint's own options.
struct SystemRequest {
  OrderedJson body = OrderedJson::object();
};
// InvalidArgument (Go's decoding error) when `payload` is not a JSON object.
absl::StatusOr<SystemRequest> ParseSystemRequest(std::string_view payload);
// Whether the request's filter leaves this server out (nats-server's
// filterRequest: name, host and cluster are substrings, tags must all be
// present, the domain equal).
bool FilteredOut(const SystemRequest& request, const ServerIdentity& server);
// The monitoring query for endpoint `kind` ("CONNZ", "SUBSZ", "JSZ",
// "ACCOUNTZ", "HEALTHZ", "VARZ") with the request's options, as nats-server's
// ConnzOptions, SubszOptions, JSzOptions, AccountzOptions and HealthzOptions
// name them.
QueryParams RequestQuery(std::string_view kind, const SystemRequest& request);

// The envelope of an answer: {"server":..., "data":...} or
// {"server":..., "error":{"code":..., "description":...}}.
OrderedJson ApiResponseJson(OrderedJson server, OrderedJson data);
OrderedJson ApiErrorJson(OrderedJson server, int code, const std::string& description);

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_SYSTEM_JSON_H_
