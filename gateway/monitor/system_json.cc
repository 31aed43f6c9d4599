#include "gateway/monitor/system_json.h"

#include <utility>

#include "absl/strings/match.h"
#include "gateway/core/version.h"

namespace jsengine::gateway::monitor {
namespace {

using core::ClientInfoJson;
using core::GoTime;

OrderedJson DataStats(uint64_t msgs, uint64_t bytes) { return {{"msgs", msgs}, {"bytes", bytes}}; }

OrderedJson TypedEvent(const char* type, const std::string& id, absl::Time now) {
  OrderedJson e;
  e["type"] = type;
  e["id"] = id;
  e["timestamp"] = GoTime(now);
  return e;
}

// A request option as a query value: strings as they are, booleans and
// numbers as Go's strconv would read them.
std::string OptionValue(const OrderedJson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return "";
}

}  // namespace

OrderedJson ServerInfoJson(const ServerIdentity& server, uint64_t seq, absl::Time now) {
  OrderedJson s;
  s["name"] = server.name;
  s["host"] = server.host;
  s["id"] = server.id;
  if (!server.domain.empty()) s["domain"] = server.domain;
  s["ver"] = core::kServerVersion;
  s["jetstream"] = server.jetstream;
  // nats-server 2.10's capability flags: JetStream, binary stream snapshots.
  s["flags"] = server.jetstream ? 3 : 0;
  s["seq"] = seq;
  s["time"] = GoTime(now);
  return s;
}

OrderedJson ConnectEventJson(const std::string& event_id, absl::Time now, OrderedJson server,
                             const core::ConnectionInfo& info) {
  OrderedJson e = TypedEvent("io.nats.server.advisory.v1.client_connect", event_id, now);
  e["server"] = std::move(server);
  e["client"] = ClientInfoJson(info);
  return e;
}

OrderedJson DisconnectEventJson(const std::string& event_id, absl::Time now, OrderedJson server,
                                const core::ConnectionInfo& info, const std::string& reason) {
  OrderedJson e = TypedEvent("io.nats.server.advisory.v1.client_disconnect", event_id, now);
  e["server"] = std::move(server);
  core::ConnectionInfo stopped = info;
  if (stopped.stop == absl::InfinitePast()) stopped.stop = now;
  e["client"] = ClientInfoJson(stopped);
  // As nats-server: "sent" is what the client sent, "received" what it got.
  e["sent"] = DataStats(info.counts.in_msgs, info.counts.in_bytes);
  e["received"] = DataStats(info.counts.out_msgs, info.counts.out_bytes);
  e["reason"] = reason;
  return e;
}

OrderedJson AccountStatJson(const AccountStat& stat) {
  OrderedJson a;
  a["acc"] = stat.account;
  a["conns"] = stat.conns;
  a["leafnodes"] = 0;
  a["total_conns"] = stat.conns;
  a["num_subscriptions"] = stat.subscriptions;
  a["sent"] = DataStats(stat.counts.out_msgs, stat.counts.out_bytes);
  a["received"] = DataStats(stat.counts.in_msgs, stat.counts.in_bytes);
  a["slow_consumers"] = 0;
  return a;
}

OrderedJson AccountConnsEventJson(const std::string& event_id, absl::Time now, OrderedJson server,
                                  const AccountStat& stat) {
  OrderedJson e = TypedEvent("io.nats.server.advisory.v1.account_connections", event_id, now);
  e["server"] = std::move(server);
  e.update(AccountStatJson(stat));
  return e;
}

absl::StatusOr<SystemRequest> ParseSystemRequest(std::string_view payload) {
  SystemRequest request;
  if (payload.empty()) return request;
  request.body = OrderedJson::parse(payload.begin(), payload.end(), nullptr, false);
  if (request.body.is_discarded()) {
    return absl::InvalidArgumentError("invalid character in request body");
  }
  if (!request.body.is_object()) {
    return absl::InvalidArgumentError("json: cannot unmarshal " +
                                      std::string(request.body.type_name()) +
                                      " into Go value of type server.EventFilterOptions");
  }
  return request;
}

bool FilteredOut(const SystemRequest& request, const ServerIdentity& server) {
  const OrderedJson& b = request.body;
  auto text = [&b](const char* key) {
    auto it = b.find(key);
    return it != b.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!text("server_name").empty() && !absl::StrContains(server.name, text("server_name"))) {
    return true;
  }
  if (!text("host").empty() && !absl::StrContains(server.host, text("host"))) return true;
  // A single server is in no cluster and has no tags.
  if (!text("cluster").empty()) return true;
  if (auto tags = b.find("tags"); tags != b.end() && tags->is_array() && !tags->empty()) {
    return true;
  }
  if (!text("domain").empty() && text("domain") != server.domain) return true;
  return false;
}

QueryParams RequestQuery(std::string_view kind, const SystemRequest& request) {
  struct Option {
    std::string_view kind;
    const char* json;
    const char* query;
  };
  static constexpr Option kOptions[] = {
      {"CONNZ", "sort", "sort"},
      {"CONNZ", "auth", "auth"},
      {"CONNZ", "offset", "offset"},
      {"CONNZ", "limit", "limit"},
      {"CONNZ", "cid", "cid"},
      {"CONNZ", "state", "state"},
      {"CONNZ", "user", "user"},
      {"CONNZ", "acc", "acc"},
      {"SUBSZ", "offset", "offset"},
      {"SUBSZ", "limit", "limit"},
      {"SUBSZ", "subscriptions", "subs"},
      {"SUBSZ", "account", "acc"},
      {"SUBSZ", "test", "test"},
      {"JSZ", "account", "acc"},
      {"JSZ", "accounts", "accounts"},
      {"JSZ", "streams", "streams"},
      {"JSZ", "consumer", "consumers"},
      {"JSZ", "config", "config"},
      {"ACCOUNTZ", "account", "acc"},
      {"HEALTHZ", "js-enabled-only", "js-enabled-only"},
      {"HEALTHZ", "js-server-only", "js-server-only"},
  };
  QueryParams params;
  const OrderedJson& b = request.body;
  for (const Option& o : kOptions) {
    if (o.kind != kind) continue;
    auto it = b.find(o.json);
    if (it == b.end()) continue;
    std::string value = OptionValue(*it);
    if (!value.empty() && value != "false" && value != "0") params[o.query] = std::move(value);
  }
  if (kind == "CONNZ") {
    auto detail = b.find("subscriptions_detail");
    auto list = b.find("subscriptions");
    if (detail != b.end() && detail->is_boolean() && detail->get<bool>()) {
      params["subs"] = "detail";
    } else if (list != b.end() && list->is_boolean() && list->get<bool>()) {
      params["subs"] = "true";
    }
  }
  return params;
}

OrderedJson ApiResponseJson(OrderedJson server, OrderedJson data) {
  OrderedJson r;
  r["server"] = std::move(server);
  r["data"] = std::move(data);
  return r;
}

OrderedJson ApiErrorJson(OrderedJson server, int code, const std::string& description) {
  OrderedJson r;
  r["server"] = std::move(server);
  r["error"] = {{"code", code}, {"description", description}};
  return r;
}

}  // namespace jsengine::gateway::monitor
