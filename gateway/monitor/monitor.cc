#include "gateway/monitor/monitor.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/subject.h"
#include "gateway/core/cluster.h"
#include "gateway/core/cluster_config.h"
#include "gateway/core/leafnodes.h"
#include "gateway/core/version.h"
#include "gateway/monitor/account_json.h"
#include "gateway/monitor/connz_sort.h"
#include "gateway/monitor/prometheus_text.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::monitor {
namespace {

using Json = nlohmann::ordered_json;

// nats-server's defaults for what the gateway does not configure.
constexpr int kDefaultConnzLimit = 1024;
constexpr int kDefaultSubszLimit = 1024;
constexpr int64_t kWriteDeadlineNanos = 10'000'000'000;
using core::kGlobalAccount;

// Go's time.RFC3339Nano in UTC, as nats-server writes times.
std::string GoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

// nats-server's uptime format: "45s", "3m5s", "2h3m5s", "1d2h3m5s", "1y...".
std::string Uptime(absl::Duration d) {
  const int64_t secs = std::max<int64_t>(0, absl::ToInt64Seconds(d));
  const int64_t mins = secs / 60, hours = mins / 60, days = hours / 24, years = days / 365;
  if (years > 0) {
    return absl::StrCat(years, "y", days % 365, "d", hours % 24, "h", mins % 60, "m", secs % 60,
                        "s");
  }
  if (days > 0) return absl::StrCat(days, "d", hours % 24, "h", mins % 60, "m", secs % 60, "s");
  if (hours > 0) return absl::StrCat(hours, "h", mins % 60, "m", secs % 60, "s");
  if (mins > 0) return absl::StrCat(mins, "m", secs % 60, "s");
  return absl::StrCat(secs, "s");
}

std::string Pretty(const Json& json) { return json.dump(2); }

// Resident memory in bytes, as /varz's "mem".
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// A Go strconv.ParseBool value; absent is false.
bool ParseBoolParam(const QueryParams& params, const std::string& name, bool* value) {
  auto it = params.find(name);
  *value = false;
  if (it == params.end() || it->second.empty()) return true;
  const std::string& v = it->second;
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
    *value = true;
    return true;
  }
  return v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False";
}

// A parameter's value; empty when absent.
std::string Param(const QueryParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

bool ParseIntParam(const QueryParams& params, const std::string& name, int* value) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return true;
  return absl::SimpleAtoi(it->second, value);
}

MonitorResponse BadRequest(std::string text) { return {400, std::move(text)}; }

// nats-server's answer to a query parameter that is not a Go boolean.
MonitorResponse BoolParamError(const std::string& name, const std::string& value) {
  return BadRequest(absl::StrCat("Error decoding boolean for '", name,
                                 "': strconv.ParseBool: parsing \"", value, "\": invalid syntax"));
}

// nats-server's sublist statistics; the gateway keeps no cache or fan-out
// figures.
Json SublistStats(uint64_t subscriptions) {
  Json s;
  s["num_subscriptions"] = subscriptions;
  for (const char* zero : {"num_cache", "num_inserts", "num_removes", "num_matches"}) s[zero] = 0;
  s["cache_hit_rate"] = 0;
  s["max_fanout"] = 0;
  s["avg_fanout"] = 0;
  return s;
}

// nats-server's SubDetail; `account` is left out when empty.
Json SubDetailJson(const core::SubscriptionDetail& sub, uint64_t cid, const std::string& account) {
  Json d;
  if (!account.empty()) d["account"] = account;
  d["subject"] = sub.subject;
  if (!sub.queue.empty()) d["qgroup"] = sub.queue;
  d["sid"] = sub.sid;
  d["msgs"] = sub.msgs;
  if (sub.max != 0) d["max"] = sub.max;
  d["cid"] = cid;
  return d;
}

// nats-server 2.10's JetStreamConfig as /varz and /jsz show it.
Json JetStreamConfigJson(const JetStreamView& js) {
  Json c = {
      {"max_memory", js.max_memory}, {"max_storage", js.max_storage}, {"store_dir", js.store_dir}};
  if (js.sync_interval_ns != 0) c["sync_interval"] = js.sync_interval_ns;
  if (js.sync_always) c["sync_always"] = true;
  return c;
}

}  // namespace

Monitor::Monitor(core::Server* server, JetStreamView jetstream)
    : server_(server), jetstream_(std::move(jetstream)) {}

void Monitor::SetHttpAddress(std::string host, int port, bool https) {
  http_host_ = std::move(host);
  (https ? https_port_ : http_port_) = port;
}

MonitorResponse Monitor::Handle(const std::string& path, const QueryParams& params) {
  if (std::find(std::begin(kPaths), std::end(kPaths), path) != std::end(kPaths)) {
    common::MutexLock lock(&mu_);
    ++requests_[path];
  }
  return Answer(path, params, /*full_subsz=*/false);
}

MonitorResponse Monitor::Answer(const std::string& path, const QueryParams& params) {
  return Answer(path, params, /*full_subsz=*/true);
}

MonitorResponse Monitor::Answer(const std::string& path, const QueryParams& params,
                                bool full_subsz) {
  const absl::Time now = absl::Now();
  if (path == "/varz") return Varz(now);
  if (path == "/connz") return Connz(params, now);
  if (path == "/subsz") return Subsz(params, full_subsz, now);
  if (path == "/jsz") return Jsz(params, now);
  if (path == "/healthz") return Healthz(params);
  if (path == "/leafz") return Leafz(now);
  if (path == "/accountz") return Accountz(params, now);
  if (path == "/metrics") return Metrics();
  return {404, "404 page not found\n"};
}

MonitorResponse Monitor::Varz(absl::Time now) {
  const core::ServerOptions& o = server_->options();
  // Limits as the last reload left them.
  const core::LiveOptions& live = server_->live_options();
  const core::ServerStats stats = server_->Stats();
  Json v;
  v["server_id"] = server_->server_id();
  v["server_name"] = o.server_name.empty() ? server_->server_id() : o.server_name;
  v["version"] = core::kServerVersion;
  v["proto"] = 1;
  v["go"] = core::kGoVersion;
  v["host"] = o.host;
  v["port"] = server_->port();
  if (server_->authenticator().required()) v["auth_required"] = true;
  if (o.tls.enabled) {
    if (!server_->TlsOptional()) v["tls_required"] = true;
    if (o.tls.verify) v["tls_verify"] = true;
  }
  v["max_connections"] = live.max_connections();
  v["ping_interval"] = absl::ToInt64Nanoseconds(live.ping_interval());
  v["ping_max"] = live.ping_max();
  v["http_host"] = http_host_;
  v["http_port"] = http_port_;
  v["http_base_path"] = o.http_base_path;
  v["https_port"] = https_port_;
  // A Go float64: whole seconds print without a fraction.
  const double auth_timeout = absl::ToDoubleSeconds(live.auth_timeout());
  if (auth_timeout == static_cast<int64_t>(auth_timeout)) {
    v["auth_timeout"] = static_cast<int64_t>(auth_timeout);
  } else {
    v["auth_timeout"] = auth_timeout;
  }
  v["max_control_line"] = o.max_control_line;
  v["max_payload"] = live.max_payload();
  v["max_pending"] = live.max_pending();
  for (const char* empty : {"cluster", "gateway", "leaf", "mqtt", "websocket"}) {
    v[empty] = Json::object();
  }
  if (const core::Cluster* cluster = server_->cluster()) {
    Json urls = Json::array();
    for (const std::string& url : o.cluster.routes) {
      core::RouteUrl parsed;
      if (core::ParseRouteUrl(url, &parsed).ok()) {
        urls.push_back(parsed.host + ":" + std::to_string(parsed.port));
      }
    }
    v["cluster"] = {{"name", cluster->name()},
                    {"addr", o.cluster.host},
                    {"cluster_port", cluster->port()},
                    {"auth_timeout", absl::ToInt64Seconds(o.cluster.auth_timeout)},
                    {"urls", urls}};
  }
  if (const core::LeafNodes* leafs = server_->leafnodes()) {
    const core::LeafNodeOptions& lo = leafs->options();
    Json leaf = Json::object();
    if (lo.accept) {
      leaf["host"] = lo.host;
      leaf["port"] = leafs->port();
      leaf["auth_timeout"] = absl::ToDoubleSeconds(lo.auth_timeout);
      if (lo.tls.enabled) {
        leaf["tls_timeout"] = absl::ToDoubleSeconds(lo.tls.timeout);
        leaf["tls_required"] = true;
        if (lo.tls.verify) leaf["tls_verify"] = true;
      }
    }
    Json remotes = Json::array();
    for (const core::RemoteLeafOptions& r : lo.remotes) {
      Json remote = Json::object();
      remote["local_account"] = r.account.empty() ? core::kGlobalAccount : r.account;
      if (r.tls.enabled) remote["tls_timeout"] = absl::ToDoubleSeconds(r.tls.timeout);
      Json urls = Json::array();
      for (const std::string& url : r.urls) {
        core::RouteUrl parsed;
        if (core::ParseRouteUrl(url, &parsed).ok()) {
          urls.push_back(parsed.host + ":" + std::to_string(parsed.port));
        }
      }
      remote["urls"] = urls;
      if (!r.deny_exports.empty() || !r.deny_imports.empty()) {
        Json deny = Json::object();
        if (!r.deny_exports.empty()) deny["exports"] = r.deny_exports;
        if (!r.deny_imports.empty()) deny["imports"] = r.deny_imports;
        remote["deny"] = deny;
      }
      remotes.push_back(remote);
    }
    if (!remotes.empty()) leaf["remotes"] = remotes;
    v["leaf"] = leaf;
  }
  Json js = Json::object();
  if (jetstream_.enabled) {
    js["config"] = JetStreamConfigJson(jetstream_);
    absl::StatusOr<jetstream::AccountUsage> usage = jetstream_.usage();
    const jetstream::JsApiStats api = jetstream_.api_stats();
    js["stats"] = {{"memory", usage.ok() ? usage->memory : 0},
                   {"storage", usage.ok() ? usage->storage : 0},
                   {"reserved_memory", usage.ok() ? usage->reserved_memory : 0},
                   {"reserved_storage", usage.ok() ? usage->reserved_storage : 0},
                   {"accounts", 1},
                   {"ha_assets", 0},
                   {"api", {{"total", api.total}, {"errors", api.errors}}}};
  }
  v["jetstream"] = js;
  // Seconds, as nats-server's float: 2, not 2.0, when whole.
  const double tls_timeout = absl::ToDoubleSeconds(o.tls.timeout);
  if (tls_timeout == static_cast<int64_t>(tls_timeout)) {
    v["tls_timeout"] = static_cast<int64_t>(tls_timeout);
  } else {
    v["tls_timeout"] = tls_timeout;
  }
  v["write_deadline"] = kWriteDeadlineNanos;
  v["start"] = GoTime(stats.start);
  v["now"] = GoTime(now);
  v["uptime"] = Uptime(now - stats.start);
  v["mem"] = ResidentBytes();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  v["cores"] = cores;
  v["gomaxprocs"] = cores;
  v["cpu"] = 0;
  v["connections"] = stats.connections;
  v["total_connections"] = stats.total_connections;
  v["routes"] = server_->cluster() != nullptr ? server_->cluster()->NumRoutes() : 0;
  v["remotes"] = 0;
  v["leafnodes"] = server_->leafnodes() != nullptr ? server_->leafnodes()->NumLeafs() : 0;
  v["in_msgs"] = stats.counts.in_msgs;
  v["out_msgs"] = stats.counts.out_msgs;
  v["in_bytes"] = stats.counts.in_bytes;
  v["out_bytes"] = stats.counts.out_bytes;
  v["slow_consumers"] = stats.slow_consumers;
  v["subscriptions"] = stats.subscriptions;
  {
    common::MutexLock lock(&mu_);
    Json requests = Json::object();
    for (const auto& [path, count] : requests_) requests[path] = count;
    v["http_req_stats"] = requests;
  }
  v["config_load_time"] = GoTime(config_load_time_);
  v["system_account"] = server_->system_account();
  // nats-server 2.10's breakdown; slow routes are not counted here.
  v["slow_consumer_stats"] = {
      {"clients", stats.slow_consumers}, {"routes", 0}, {"gateways", 0}, {"leafs", 0}};
  return {200, Pretty(v)};
}

MonitorResponse Monitor::Connz(const QueryParams& params, absl::Time now) {
  int offset = 0, limit = kDefaultConnzLimit;
  if (!ParseIntParam(params, "offset", &offset) || offset < 0) {
    return BadRequest("Error decoding offset");
  }
  if (!ParseIntParam(params, "limit", &limit) || limit < 0) {
    return BadRequest("Error decoding limit");
  }
  if (limit == 0) limit = kDefaultConnzLimit;
  const std::string subs = params.count("subs") ? params.at("subs") : "";
  const bool subs_detail = subs == "detail";
  bool subs_list = false;
  if (!subs_detail && !ParseBoolParam(params, "subs", &subs_list)) {
    return BoolParamError("subs", subs);
  }
  bool auth = false;
  if (!ParseBoolParam(params, "auth", &auth)) return BoolParamError("auth", params.at("auth"));
  const std::string state = absl::AsciiStrToLower(Param(params, "state"));
  if (!state.empty() && state != "open" && state != "closed" && state != "any" && state != "all") {
    return BadRequest(absl::StrCat("Error decoding state for ", Param(params, "state")));
  }
  std::vector<core::ConnectionInfo> all;
  if (state.empty() || state != "closed") all = server_->Connections(subs_list || subs_detail);
  if (!state.empty() && state != "open") {
    std::vector<core::ConnectionInfo> closed = server_->ClosedConnectionList();
    all.insert(all.end(), std::make_move_iterator(closed.begin()),
               std::make_move_iterator(closed.end()));
    std::sort(
        all.begin(), all.end(),
        [](const core::ConnectionInfo& a, const core::ConnectionInfo& b) { return a.cid < b.cid; });
  }
  const std::string account = Param(params, "acc");
  const std::string user = Param(params, "user");
  uint64_t cid = 0;
  if (!Param(params, "cid").empty() && !absl::SimpleAtoi(Param(params, "cid"), &cid)) {
    return BadRequest("Error decoding cid");
  }
  all.erase(std::remove_if(all.begin(), all.end(),
                           [&](const core::ConnectionInfo& c) {
                             return (!account.empty() && c.account != account) ||
                                    (!user.empty() && c.user != user) || (cid != 0 && c.cid != cid);
                           }),
            all.end());
  const std::string sort = params.count("sort") ? params.at("sort") : "";
  if (absl::Status s = SortConnections(sort, now, state == "closed", &all); !s.ok()) {
    return BadRequest(std::string(s.message()));
  }
  Json c;
  c["server_id"] = server_->server_id();
  c["now"] = GoTime(now);
  c["num_connections"] = 0;
  c["total"] = all.size();
  c["offset"] = offset;
  c["limit"] = limit;
  Json list = Json::array();
  for (size_t i = offset; i < all.size() && list.size() < static_cast<size_t>(limit); ++i) {
    const core::ConnectionInfo& info = all[i];
    Json conn;
    conn["cid"] = info.cid;
    conn["kind"] = "Client";
    conn["type"] = "nats";
    conn["ip"] = info.ip;
    conn["port"] = info.port;
    const bool closed = info.stop != absl::InfinitePast();
    const absl::Time end = closed ? info.stop : now;
    conn["start"] = GoTime(info.start);
    conn["last_activity"] = GoTime(info.last_activity);
    if (closed) conn["stop"] = GoTime(info.stop);
    conn["rtt"] = "0s";
    conn["uptime"] = Uptime(end - info.start);
    conn["idle"] = Uptime(end - info.last_activity);
    conn["pending_bytes"] = info.pending_bytes;
    conn["in_msgs"] = info.counts.in_msgs;
    conn["out_msgs"] = info.counts.out_msgs;
    conn["in_bytes"] = info.counts.in_bytes;
    conn["out_bytes"] = info.counts.out_bytes;
    conn["subscriptions"] = info.subscriptions;
    if (!info.name.empty()) conn["name"] = info.name;
    if (!info.lang.empty()) conn["lang"] = info.lang;
    if (!info.version.empty()) conn["version"] = info.version;
    if (!info.tls_version.empty()) conn["tls_version"] = info.tls_version;
    if (!info.tls_cipher_suite.empty()) conn["tls_cipher_suite"] = info.tls_cipher_suite;
    // As nats-server: only of open connections (closed ones keep no TLS state).
    if (auth && !closed && !info.tls_peer_certs.empty()) {
      Json certs = Json::array();
      for (const core::TlsPeerCert& cert : info.tls_peer_certs) {
        Json c;
        if (!cert.subject.empty()) c["subject"] = cert.subject;
        if (!cert.spki_sha256.empty()) c["spki_sha256"] = cert.spki_sha256;
        if (!cert.cert_sha256.empty()) c["cert_sha256"] = cert.cert_sha256;
        certs.push_back(std::move(c));
      }
      conn["tls_peer_certs"] = std::move(certs);
    }
    if (auth && !info.user.empty()) conn["authorized_user"] = info.user;
    if (auth) conn["account"] = info.account;
    if (closed) conn["reason"] = info.reason;
    if (!info.subscription_list.empty()) {
      Json names = Json::array(), details = Json::array();
      for (const core::SubscriptionDetail& sub : info.subscription_list) {
        names.push_back(sub.subject);
        details.push_back(SubDetailJson(sub, info.cid, ""));
      }
      if (subs_detail) {
        conn["subscriptions_list_detail"] = std::move(details);
      } else {
        conn["subscriptions_list"] = std::move(names);
      }
    }
    list.push_back(std::move(conn));
  }
  c["num_connections"] = list.size();
  c["connections"] = std::move(list);
  return {200, Pretty(c)};
}

namespace {

// A stream's labels: its account's too once accounts are configured.
PrometheusLabels StreamLabels(const StreamStats& s) {
  if (s.account.empty()) return {{"stream", s.name}};
  return {{"account", s.account}, {"stream", s.name}};
}

}  // namespace

MonitorResponse Monitor::Subsz(const QueryParams& params, bool full, absl::Time now) {
  bool list = false;
  if (!ParseBoolParam(params, "subs", &list)) return BoolParamError("subs", params.at("subs"));
  int offset = 0, limit = kDefaultSubszLimit;
  if (!ParseIntParam(params, "offset", &offset)) return BadRequest("Error decoding offset");
  if (!ParseIntParam(params, "limit", &limit)) return BadRequest("Error decoding limit");
  offset = std::max(offset, 0);
  if (limit <= 0) limit = kDefaultSubszLimit;
  const std::string test = Param(params, "test");
  if (!test.empty() && !common::IsValidLiteralSubject(test)) {
    return BadRequest("invalid test subject, must be valid publish subject: " + test);
  }
  const std::string account = Param(params, "acc");
  uint64_t count = 0;
  Json details = Json::array();
  const std::vector<core::ConnectionInfo> connections = server_->Connections(list);
  for (const core::ConnectionInfo& c : connections) {
    if (!account.empty() && c.account != account) continue;
    count += c.subscriptions;
    for (const core::SubscriptionDetail& sub : c.subscription_list) {
      if (!test.empty() && !common::SubjectMatches(sub.subject, test)) continue;
      details.push_back(SubDetailJson(sub, c.cid, c.account));
    }
  }
  if (account.empty()) count = server_->Stats().subscriptions;
  const Json stats = SublistStats(count);
  if (!full && details.empty()) return {200, Pretty(stats)};
  Json z;
  z["server_id"] = server_->server_id();
  z["now"] = GoTime(now);
  z.update(stats);
  Json page = Json::array();
  for (size_t i = offset; i < details.size() && page.size() < static_cast<size_t>(limit); ++i) {
    page.push_back(std::move(details[i]));
  }
  z["total"] = page.size();
  z["offset"] = offset;
  z["limit"] = limit;
  if (!page.empty()) z["subscriptions_list"] = std::move(page);
  return {200, Pretty(z)};
}

MonitorResponse Monitor::Jsz(const QueryParams& params, absl::Time now) {
  bool all_accounts = false;
  JszDetail detail;
  for (auto [name, value] : {std::pair<const char*, bool*>{"accounts", &all_accounts},
                             {"streams", &detail.streams},
                             {"consumers", &detail.consumers},
                             {"config", &detail.config}}) {
    if (!ParseBoolParam(params, name, value)) return BoolParamError(name, params.at(name));
  }
  auto acc = params.find("acc");
  const std::string only = acc == params.end() ? "" : acc->second;
  jetstream::AccountUsage usage;
  jetstream::JsApiStats api;
  Json j;
  j["server_id"] = server_->server_id();
  j["now"] = GoTime(now);
  if (jetstream_.enabled) {
    absl::StatusOr<jetstream::AccountUsage> current = jetstream_.usage();
    if (!current.ok()) return {500, absl::StrCat("JetStream usage: ", current.status().message())};
    usage = *current;
    api = jetstream_.api_stats();
    j["config"] = JetStreamConfigJson(jetstream_);
  } else {
    // As nats-server without JetStream: every field, zero.
    j["disabled"] = true;
    j["config"] = {{"max_memory", 0}, {"max_storage", 0}};
  }
  j["memory"] = usage.memory;
  j["storage"] = usage.storage;
  j["reserved_memory"] = usage.reserved_memory;
  j["reserved_storage"] = usage.reserved_storage;
  j["accounts"] = jetstream_.enabled && jetstream_.accounts
                      ? static_cast<int>(jetstream_.accounts().size())
                      : 0;
  j["ha_assets"] = 0;
  j["api"] = {{"total", api.total}, {"errors", api.errors}};
  j["streams"] = usage.streams;
  j["consumers"] = usage.consumers;
  j["messages"] = usage.messages;
  j["bytes"] = usage.memory + usage.storage;
  if (jetstream_.enabled && jetstream_.account_details && (all_accounts || !only.empty())) {
    absl::StatusOr<std::vector<AccountJetStream>> accounts =
        jetstream_.account_details(detail.streams || detail.consumers, detail.consumers);
    if (!accounts.ok()) {
      return {500, absl::StrCat("JetStream accounts: ", accounts.status().message())};
    }
    Json details = Json::array();
    for (const AccountJetStream& account : *accounts) {
      if (!only.empty() && account.name != only) continue;
      details.push_back(JszAccountJson(account, detail, server_->server_id()));
    }
    if (!details.empty()) j["account_details"] = std::move(details);
  }
  return {200, Pretty(j)};
}

MonitorResponse Monitor::Leafz(absl::Time now) {
  Json z;
  z["server_id"] = server_->server_id();
  z["now"] = GoTime(now);
  Json list = Json::array();
  if (const core::LeafNodes* leafs = server_->leafnodes()) {
    for (const core::LeafNodes::LeafInfo& l : leafs->Leafs()) {
      list.push_back({{"name", l.name},
                      {"is_spoke", l.is_spoke},
                      {"account", l.account},
                      {"ip", l.ip},
                      {"port", l.port},
                      {"in_msgs", l.in_msgs},
                      {"out_msgs", l.out_msgs},
                      {"in_bytes", l.in_bytes},
                      {"out_bytes", l.out_bytes},
                      {"subscriptions", l.subscriptions}});
    }
  }
  z["leafnodes"] = list.size();
  z["leafs"] = list;
  return {200, Pretty(z)};
}

MonitorResponse Monitor::Healthz(const QueryParams& params) {
  for (const char* name : {"js-enabled", "js-enabled-only", "js-server-only"}) {
    bool value;
    if (!ParseBoolParam(params, name, &value)) {
      return BoolParamError(name, params.at(name));
    }
  }
  bool js_enabled_only = false, js_server_only = false;
  ParseBoolParam(params, "js-enabled-only", &js_enabled_only);
  ParseBoolParam(params, "js-server-only", &js_server_only);
  if (jetstream_.enabled && jetstream_.streams && !js_enabled_only && !js_server_only) {
    absl::StatusOr<std::vector<StreamStats>> streams = jetstream_.streams();
    std::string error;
    if (!streams.ok()) {
      error = absl::StrCat("JetStream is not current: ", streams.status().message());
    } else {
      for (const StreamStats& s : *streams) {
        if (s.failed.empty()) continue;
        error = absl::StrCat("JetStream stream '", s.account.empty() ? kGlobalAccount : s.account,
                             " > ", s.name, "' is not current: ", s.failed);
        break;
      }
    }
    if (!error.empty()) {
      return {503,
              Json({{"status", "unavailable"}, {"status_code", 503}, {"error", error}}).dump()};
    }
  }
  return {200, Json({{"status", "ok"}}).dump()};
}

MonitorResponse Monitor::Accountz(const QueryParams& params, absl::Time now) {
  const std::vector<core::AccountOptions> configured = server_->accounts();
  Json a;
  a["server_id"] = server_->server_id();
  a["now"] = GoTime(now);
  a["system_account"] = server_->system_account();
  auto acc = params.find("acc");
  if (acc == params.end() || acc->second.empty()) {
    Json names = Json::array({kGlobalAccount});
    for (const core::AccountOptions& account : configured) names.push_back(account.name);
    if (std::find(names.begin(), names.end(), server_->system_account()) == names.end()) {
      names.push_back(server_->system_account());
    }
    a["accounts"] = std::move(names);
    return {200, Pretty(a)};
  }
  const std::string& name = acc->second;
  const core::AccountOptions* options = nullptr;
  for (const core::AccountOptions& account : configured) {
    if (account.name == name) options = &account;
  }
  if (options == nullptr && name != kGlobalAccount && name != server_->system_account()) {
    return BadRequest(absl::StrCat("Account ", name, " does not exist"));
  }
  int connections = 0;
  uint64_t subscriptions = 0;
  for (const core::ConnectionInfo& c : server_->Connections()) {
    if (c.account != name) continue;
    ++connections;
    subscriptions += c.subscriptions;
  }
  bool jetstream = false;
  if (jetstream_.enabled && jetstream_.accounts) {
    for (const std::string& js : jetstream_.accounts()) jetstream = jetstream || js == name;
  }
  Json d;
  d["account_name"] = name;
  d["update_time"] = GoTime(server_->Stats().start);
  d["expired"] = false;
  d["complete"] = true;
  d["jetstream_enabled"] = jetstream;
  d["leafnode_connections"] = 0;
  d["client_connections"] = connections;
  d["subscriptions"] = subscriptions;
  if (options != nullptr) {
    Json exports = AccountExportsJson(*options);
    Json imports = AccountImportsJson(*options);
    if (!exports.empty()) d["exports"] = std::move(exports);
    if (!imports.empty()) d["imports"] = std::move(imports);
  }
  d["sublist_stats"] = SublistStats(subscriptions);
  a["account_detail"] = std::move(d);
  return {200, Pretty(a)};
}

MonitorResponse Monitor::Metrics() {
  const core::ServerStats stats = server_->Stats();
  PrometheusText out;
  auto one = [&out](const char* name, const char* type, const char* help, double value) {
    out.Metric(name, type, help);
    out.Sample({}, value);
  };
  one("jsengine_connections", "gauge", "Open client connections.", stats.connections);
  one("jsengine_connections_total", "counter", "Client connections accepted.",
      stats.total_connections);
  one("jsengine_subscriptions", "gauge", "Client subscriptions.", stats.subscriptions);
  one("jsengine_slow_consumers_total", "counter", "Clients closed as slow consumers.",
      stats.slow_consumers);
  one("jsengine_in_msgs_total", "counter", "Messages published by clients.", stats.counts.in_msgs);
  one("jsengine_in_bytes_total", "counter", "Bytes published by clients.", stats.counts.in_bytes);
  one("jsengine_out_msgs_total", "counter", "Messages delivered to clients.",
      stats.counts.out_msgs);
  one("jsengine_out_bytes_total", "counter", "Bytes delivered to clients.", stats.counts.out_bytes);
  if (!jetstream_.enabled || !jetstream_.streams)
    return {200, out.text(), PrometheusText::kContentType};

  absl::StatusOr<std::vector<StreamStats>> streams = jetstream_.streams();
  one("jsengine_jetstream_up", "gauge", "1 if the store answered this scrape.", streams.ok());
  if (!streams.ok()) return {200, out.text(), PrometheusText::kContentType};
  struct Series {
    const char* name;
    const char* help;
    uint64_t StreamStats::*field;
  };
  const Series stream_series[] = {
      {"jsengine_stream_messages", "Messages in the stream.", &StreamStats::messages},
      {"jsengine_stream_bytes", "Bytes in the stream.", &StreamStats::bytes},
      {"jsengine_stream_first_seq", "Sequence of the stream's first message.",
       &StreamStats::first_seq},
      {"jsengine_stream_last_seq", "Sequence of the stream's last message.",
       &StreamStats::last_seq},
  };
  for (const Series& series : stream_series) {
    out.Metric(series.name, "gauge", series.help);
    for (const StreamStats& s : *streams) out.Sample(StreamLabels(s), s.*series.field);
  }
  out.Metric("jsengine_stream_failed", "gauge", "1 while the stream takes no writes.");
  for (const StreamStats& s : *streams) out.Sample(StreamLabels(s), !s.failed.empty());
  if (!jetstream_.consumers) return {200, out.text(), PrometheusText::kContentType};

  std::vector<std::pair<PrometheusLabels, ConsumerStats>> consumers;
  for (const StreamStats& s : *streams) {
    absl::StatusOr<std::vector<ConsumerStats>> of_stream = jetstream_.consumers(s);
    if (!of_stream.ok()) continue;
    for (ConsumerStats& c : *of_stream) {
      PrometheusLabels labels = StreamLabels(s);
      labels.emplace_back("consumer", c.name);
      consumers.emplace_back(std::move(labels), std::move(c));
    }
  }
  out.Metric("jsengine_consumer_num_pending", "gauge",
             "Stored messages the consumer has yet to deliver.");
  for (const auto& [labels, c] : consumers) out.Sample(labels, c.num_pending);
  out.Metric("jsengine_consumer_num_ack_pending", "gauge", "Delivered messages awaiting an ack.");
  for (const auto& [labels, c] : consumers) out.Sample(labels, c.num_ack_pending);
  out.Metric("jsengine_consumer_num_redelivered", "gauge",
             "Messages awaiting an ack that were delivered more than once.");
  for (const auto& [labels, c] : consumers) out.Sample(labels, c.num_redelivered);
  return {200, out.text(), PrometheusText::kContentType};
}

}  // namespace jsengine::gateway::monitor
