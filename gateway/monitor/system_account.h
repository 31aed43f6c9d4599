// nats-server's system account for one server: requests over NATS in the
// system account (options.system_account, else "$SYS"), answered from the
// monitoring endpoints, and the events nats-server publishes there, so
// `nats server list/info/report/ping`, nats-surveyor and event consumers read
// the gateway as they read nats-server.
//
// Requests (reply subject required; the body may hold nats-server's filter
// and endpoint options):
//   $SYS.REQ.SERVER.PING                       STATSZ of every server
//   $SYS.REQ.SERVER.PING.<X>, $SYS.REQ.SERVER.<id>.<X>
//       X = VARZ CONNZ SUBSZ JSZ ACCOUNTZ HEALTHZ (enveloped as
//       {"server":...,"data":...}), STATSZ, IDZ
//   $SYS.REQ.ACCOUNT.<acc>.<X>
//       X = CONNZ SUBSZ JSZ INFO STATZ (enveloped), CONNS
//   $SYS.REQ.ACCOUNT.PING.STATZ                every account with connections
// Events:
//   $SYS.ACCOUNT.<acc>.CONNECT / .DISCONNECT   client advisories (not $G)
//   $SYS.ACCOUNT.<acc>.SERVER.CONNS and $SYS.SERVER.ACCOUNT.<acc>.CONNS
//       account connection counts, on each change and every 30s while the
//       account has connections
//   $SYS.SERVER.<id>.STATSZ                    every 10s (first after 250ms,
//                                              the interval doubling)
//   $SYS.SERVER.<id>.CLIENT.AUTH.ERR           failed authentications
//   $SYS.SERVER.<id>.LAMEDUCK, .SHUTDOWN
// An event is built only when someone subscribes to its subject; the server
// reports connection changes only (server_events.h), nothing per message.
//
// Requests and events are handled on one thread of this class, never on the
// server's event loops.
//
//   SystemAccount sys(&server, &monitor);
//   JSE_RETURN_IF_ERROR(sys.Start());
//   ...
//   sys.Stop();  // publishes SHUTDOWN; before server.Shutdown()
//
// `server` and `monitor` must outlive this. Thread-safe.
#ifndef JSENGINE_GATEWAY_MONITOR_SYSTEM_ACCOUNT_H_
#define JSENGINE_GATEWAY_MONITOR_SYSTEM_ACCOUNT_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/core/server.h"
#include "gateway/core/server_events.h"
#include "gateway/monitor/monitor.h"
#include "gateway/monitor/system_json.h"

namespace jsengine::gateway::monitor {

class SystemAccount : public core::ServerEventListener {
 public:
  // nats-server's intervals (events.go).
  static constexpr absl::Duration kStatszInterval = absl::Seconds(10);
  static constexpr absl::Duration kFirstStatsz = absl::Milliseconds(250);
  static constexpr absl::Duration kAccountConnsInterval = absl::Seconds(30);

  SystemAccount(core::Server* server, Monitor* monitor);
  ~SystemAccount() override;
  SystemAccount(const SystemAccount&) = delete;
  SystemAccount& operator=(const SystemAccount&) = delete;

  // Subscribes to the requests and starts reporting events.
  absl::Status Start();
  // Publishes the SHUTDOWN event and stops. Idempotent.
  void Stop();

  // core::ServerEventListener.
  bool WantsConnectEvents(const std::string& account) override;
  void OnClientConnected(const core::ConnectionInfo& info) override;
  void OnClientClosed(const core::ConnectionInfo& info) override;
  void OnAuthenticationError(const core::ConnectionInfo& info) override;
  void OnLameDuckMode() override;

 private:
  struct Request {
    std::string subject;
    std::string reply;
    std::string payload;
  };

  void Enqueue(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  void Handle(const Request& request);
  void HandleServerRequest(const std::string& kind, const Request& request);
  void HandleAccountRequest(const std::string& account, const std::string& kind,
                            const Request& request);
  // Answers with the monitoring endpoint's JSON as data, or an error.
  void AnswerEndpoint(const std::string& path, const QueryParams& params,
                      const std::function<OrderedJson(OrderedJson)>& select,
                      const std::string& reply);
  OrderedJson StatszJson();
  AccountStat StatOf(const std::string& account) ABSL_LOCKS_EXCLUDED(mu_);
  // Accounts with connections, by name.
  std::map<std::string, int> ConnectionsByAccount() const;
  // `conns`: the account's connections when the event happened; -1: now.
  void SendAccountConns(const std::string& account, int conns = -1);
  // The account's connections now.
  int ConnectionsOf(const std::string& account) const;
  // Publishes `json` on `subject` in the system account; `server` fills the
  // ServerInfo of a JSON that carries one.
  void Send(const std::string& subject, const OrderedJson& json);
  OrderedJson ServerInfo();
  bool Interest(const std::string& subject);

  core::Server* const server_;
  Monitor* const monitor_;
  const ServerIdentity identity_;
  const std::string account_;  // the system account's name
  std::atomic<uint64_t> seq_{0};
  std::vector<uint64_t> subscriptions_;
  std::thread thread_;
  std::atomic<bool> started_{false};

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  // Message counts of each account's closed connections.
  std::map<std::string, core::MessageCounts> closed_counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_SYSTEM_ACCOUNT_H_
