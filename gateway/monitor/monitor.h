// nats-server's HTTP monitoring endpoints, answered from the gateway's state
// with nats-server 2.9's JSON field names, so dashboards, exporters and
// health checks written for nats-server read them:
//
//   /varz      server configuration and counters
//   /connz     client connections (offset, limit, sort, subs, acc, cid,
//              user; state=open|closed|any with the most recently closed
//              kept as nats-server keeps them; auth=true adds the user,
//              account and, for open TLS connections with a client
//              certificate, tls_peer_certs)
//   /subsz     subscription index statistics; subs=1 lists subscriptions
//              (offset, limit, acc, and test: those matching a subject)
//   /accountz  the accounts ("$G" and the configured ones); ?acc=NAME one
//              in detail (exports, imports, connections, JetStream)
//   /jsz       JetStream usage ({"disabled":true} without JetStream);
//              ?accounts=true or ?acc=NAME adds account_details, with
//              streams=true, consumers=true and config=true their streams,
//              consumers and configurations
//   /healthz   {"status":"ok"}, or 503 while a stream has failed
//              (?js-enabled-only, ?js-server-only: no stream checks)
//   /metrics   Prometheus text (nats-server has no such endpoint):
//              connections, messages and bytes in and out, per stream and
//              per consumer figures
//
// Fields nats-server has but the gateway has nothing for (clusters, routes,
// sublist cache statistics, round-trip times) are present with zero or empty
// values. Not supported: /routez, /gatewayz, /leafz.
//
// This class knows nothing of HTTP (http_monitor.h serves it).
//
//   Monitor monitor(&server, jetstream_view);
//   MonitorResponse r = monitor.Handle("/connz", {{"limit", "10"}});
//
// Thread-safe. `server` is not owned and must outlive this.
#ifndef JSENGINE_GATEWAY_MONITOR_MONITOR_H_
#define JSENGINE_GATEWAY_MONITOR_MONITOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/account_options.h"
#include "gateway/core/server.h"
#include "gateway/jetstream/account_api.h"

namespace jsengine::gateway::monitor {

// One stream as monitoring shows it.
struct StreamStats {
  std::string name;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  std::string failed;  // why it takes no writes; empty while healthy
  // The account's name once accounts are configured; empty: the global one.
  std::string account;
};

// One consumer as monitoring shows it.
struct ConsumerStats {
  std::string name;
  uint64_t num_pending = 0;
  int64_t num_ack_pending = 0;
  int64_t num_redelivered = 0;
};

// One JetStream account as /jsz's account_details shows it.
struct AccountJetStream {
  std::string name;  // "$G" for the global account
  jetstream::AccountUsage usage;
  jetstream::JsApiStats api;
  core::JetStreamLimits limits;
  // Filled only when asked for: each stream's info as the JetStream API
  // writes it (JSON), with its consumers' infos when asked for too.
  struct Stream {
    std::string info;
    std::vector<std::string> consumers;
  };
  std::vector<Stream> streams;
};

// JetStream as monitoring sees it; the functions are called per request,
// from the HTTP server's threads.
struct JetStreamView {
  bool enabled = false;
  std::string store_dir;
  // The server-wide limits in bytes (nats-server's "Max Memory" and "Max
  // Storage").
  int64_t max_memory = 0;
  int64_t max_storage = 0;
  std::function<absl::StatusOr<jetstream::AccountUsage>()> usage;
  std::function<jetstream::JsApiStats()> api_stats;
  std::function<absl::StatusOr<std::vector<StreamStats>>()> streams;
  // The consumers of one stream.
  std::function<absl::StatusOr<std::vector<ConsumerStats>>(const StreamStats& stream)> consumers;
  // The accounts JetStream serves now ("$G" for the global one); a reload
  // may change them.
  std::function<std::vector<std::string>()> accounts;
  // Those accounts in detail, with their streams and consumers if asked.
  std::function<absl::StatusOr<std::vector<AccountJetStream>>(bool streams, bool consumers)>
      account_details;
  // The store's durability (nats-server 2.10's "sync_interval", nanoseconds,
  // and "sync_always").
  int64_t sync_interval_ns = 0;
  bool sync_always = false;
};

struct MonitorResponse {
  int status = 200;
  std::string body;  // JSON, or a plain-text error
  // Null: JSON for a JSON body, else plain text.
  const char* content_type = nullptr;
};

using QueryParams = std::map<std::string, std::string>;

class Monitor {
 public:
  Monitor(core::Server* server, JetStreamView jetstream);

  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // The answer to GET `path` (one of the endpoints above); 404 otherwise.
  MonitorResponse Handle(const std::string& path, const QueryParams& params);
  // The same answer for a system account request (system_account.h): not
  // counted in /varz's http_req_stats, and /subsz always the whole Subsz
  // object (nats-server's HTTP answer leaves all but the statistics out
  // without a subscription list).
  MonitorResponse Answer(const std::string& path, const QueryParams& params);

  // Where monitoring is served (http_port or https_port), as /varz reports it. HttpMonitor sets it
  // once bound, before serving; not concurrently with Handle.
  void SetHttpAddress(std::string host, int port, bool https = false);

  // The paths Handle answers.
  static constexpr const char* kPaths[] = {"/varz",    "/connz",    "/subsz",   "/jsz",
                                           "/healthz", "/accountz", "/metrics", "/leafz"};

 private:
  MonitorResponse Varz(absl::Time now);
  MonitorResponse Connz(const QueryParams& params, absl::Time now);
  MonitorResponse Answer(const std::string& path, const QueryParams& params, bool full_subsz);
  MonitorResponse Subsz(const QueryParams& params, bool full, absl::Time now);
  MonitorResponse Jsz(const QueryParams& params, absl::Time now);
  MonitorResponse Healthz(const QueryParams& params);
  // nats-server's /leafz: the leaf node connections, with the number of
  // subscriptions each holds (not subs=1's lists).
  MonitorResponse Leafz(absl::Time now);
  MonitorResponse Accountz(const QueryParams& params, absl::Time now);
  MonitorResponse Metrics();

  core::Server* const server_;
  std::string http_host_;
  int http_port_ = 0;
  int https_port_ = 0;
  const JetStreamView jetstream_;
  const absl::Time config_load_time_ = absl::Now();

  common::Mutex mu_;
  std::map<std::string, uint64_t> requests_ ABSL_GUARDED_BY(mu_);  // per path, for /varz
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_MONITOR_H_
