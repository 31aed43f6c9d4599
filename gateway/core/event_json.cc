#include "gateway/core/event_json.h"

#include <random>

namespace jsengine::gateway::core {

std::string GoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

nlohmann::ordered_json ClientInfoJson(const ConnectionInfo& info) {
  nlohmann::ordered_json c;
  c["start"] = GoTime(info.start);
  if (!info.ip.empty()) c["host"] = info.ip;
  c["id"] = info.cid;
  if (!info.account.empty()) c["acc"] = info.account;
  if (!info.user.empty()) c["user"] = info.user;
  if (!info.name.empty()) c["name"] = info.name;
  if (!info.lang.empty()) c["lang"] = info.lang;
  if (!info.version.empty()) c["ver"] = info.version;
  if (info.stop != absl::InfinitePast()) c["stop"] = GoTime(info.stop);
  c["kind"] = "Client";
  c["client_type"] = "nats";
  return c;
}

std::string NewEventId() {
  static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string id;
  for (int i = 0; i < 22; ++i) id.push_back(kDigits[rng() % 62]);
  return id;
}

std::string ServiceLatencyJson(const LatencyProbe& probe, const ConnectionInfo* responder,
                               const std::string& server_name, absl::Time now) {
  nlohmann::ordered_json l;
  l["type"] = "io.nats.server.metric.v1.service_latency";
  l["id"] = NewEventId();
  l["timestamp"] = GoTime(now);
  l["status"] = 200;
  // Without an import's `share`, nats-server names only the requestor's
  // account.
  l["requestor"] = {{"acc", probe.requestor.account}};
  if (responder != nullptr) {
    nlohmann::ordered_json r = ClientInfoJson(*responder);
    r["server"] = server_name;
    l["responder"] = std::move(r);
  }
  l["start"] = GoTime(probe.start);
  const int64_t service = absl::ToInt64Nanoseconds(now - probe.start);
  l["service"] = service;
  l["system"] = 0;
  l["total"] = service;
  return l.dump();
}

}  // namespace jsengine::gateway::core
