// The cluster side of a server: nats-server's routes for core NATS. It
// listens on the cluster port, solicits the configured (explicit) routes and
// those other servers gossip about (implicit ones), and keeps one route per
// remote server (a full mesh). Over each route it sends the local client
// interest (RS+/RS-) and the messages published here that the remote server
// has interest in (RMSG/HMSG); messages arriving from a route go to local
// clients only. JetStream is not clustered: internal subscriptions are not
// announced and routed messages never reach them.
//
//   Cluster cluster(&server, options.cluster, server_id, server_name, "127.0.0.1");
//   JSE_RETURN_IF_ERROR(cluster.Start(client_port));
//   cluster.OnLocalInterest("$G", sub, /*added=*/true);
//   cluster.Forward("$G", "foo", "", "", false, "hello", delivered_queues);
//   cluster.Shutdown();
//
// Each route runs on its own thread (blocking I/O with poll), so a slow
// peer never stalls an event loop: output is queued and written by the
// route's thread. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CLUSTER_H_
#define JSENGINE_GATEWAY_CORE_CLUSTER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/auth.h"
#include "gateway/core/cert_identity.h"
#include "gateway/core/cluster_options.h"
#include "gateway/core/route_host.h"
#include "gateway/core/stoppable_threads.h"
#include "gateway/core/sublist.h"
#include "gateway/core/subscription.h"
#include "gateway/core/tls.h"

namespace jsengine::gateway::core {

class Route;
class Server;
struct RoutedMessage;

class Cluster : public RouteHost {
 public:
  // `server` must outlive the cluster; `client_host` is the client
  // listener's host (0.0.0.0 / :: advertise the interfaces' addresses).
  Cluster(Server* server, ClusterOptions options, std::string server_id, std::string server_name,
          std::string client_host);
  ~Cluster() override;  // calls Shutdown()
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Loads the route TLS certificates, binds the cluster port and starts
  // soliciting the configured routes.
  absl::Status Start(int client_port);
  // Closes every route and joins their threads. Idempotent.
  void Shutdown();
  int port() const { return port_; }
  std::string name() const;

  // A local client subscription was added or removed (any thread).
  void OnLocalInterest(std::string_view account, const Subscription& sub, bool added);
  // Sends a message published here to the routes with interest in it. Each
  // queue group goes to one member across the cluster, picked at random as
  // nats-server does: `local` has the local members of each group matching
  // the subject; the groups given to a route are added to `routed_queues`
  // (not to be delivered locally). True if any route got the message.
  bool Forward(std::string_view account, std::string_view subject, std::string_view reply,
               std::string_view headers, bool has_headers, std::string_view payload,
               const MatchResult& local, std::vector<std::string>* routed_queues);
  // Client URLs ("host:port") of this server and then of the others, as
  // INFO's connect_urls; empty until a route was registered, or with
  // no_advertise.
  std::vector<std::string> ClientUrls() const;
  int NumRoutes() const;
  // What /varz shows of the routes: the remote servers' ids.
  std::vector<std::string> RemoteIds() const;

  // RouteHost, internal to the core package (used by Route, on its thread).
  std::string RouteInfoJson(const Route& route) const override;
  std::string RouteConnectJson(const Route& route) const override;
  std::string CheckConnect(Route* route, std::string_view json, const CertIdentity* cert) override;
  std::string CheckInfo(Route* route, std::string_view json) override;
  // Makes `route` the one to its remote server; false when it is to this
  // server itself or a duplicate that lost to an existing route.
  bool Register(const std::shared_ptr<Route>& route) override;
  void Unregister(Route* route) override;
  void OnGossip(std::string_view json) override;
  void OnRemoteUrlsChanged() override;
  // Routed messages go to local clients only.
  void DeliverRouted(Route* route, const RoutedMessage& msg) override;
  bool stopping() const override { return stop_.load(); }
  absl::Duration tls_timeout() const override { return options_.tls.timeout; }
  const ClusterOptions& options() const { return options_; }
  // Whether a route's interest in `subject` is served (the `export`
  // permission; nats-server's canExport).
  bool CanExport(const Route& route, std::string_view subject) const override {
    return export_.CanSubscribe(subject);
  }
  std::string OnRemoteInterest(Route* route, std::string_view account, const SubscriptionPtr& sub,
                               bool added) override {
    return "";
  }
  const std::string& server_id() const override { return server_id_; }

 private:
  void AcceptLoop();
  // Connects to `url` and serves the route, reconnecting as nats-server does
  // (explicit: forever, every second; implicit: connect_retries more
  // attempts, then gives up).
  void Solicit(std::string url, bool is_explicit, std::string remote_id);
  void SendLocalInterest(Route* route) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildSnapshot() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<std::string> ClientUrlsLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Notifies the server's clients when the set of client URLs changed.
  void MaybeAnnounceUrls();
  bool IsConfiguredRoute(const std::string& host, int port) const;
  // The TLS session for a route on `fd`: a server one for an accepted route
  // (empty `host`), else a client one checking the certificate of `host`;
  // null without route TLS.
  std::unique_ptr<TlsSession> NewTlsSession(int fd, const std::string& host) const;

  Server* const server_;
  const ClusterOptions options_;
  const PermissionChecker export_;
  const std::string server_id_;
  const std::string server_name_;
  const std::string client_host_;
  std::vector<std::string> own_client_urls_;  // set by Start
  std::string own_route_url_;                 // nats-route://host:port/, empty if unknown
  std::unique_ptr<TlsContext> tls_;           // set by Start with route TLS
  // As nats-server's routeTLSName: the first configured route host that is
  // not an IP address; the name checked in certificates of routes dialed
  // by IP address.
  std::string route_tls_name_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};
  StoppableThreads threads_;

  mutable absl::Mutex mu_;
  std::string name_ ABSL_GUARDED_BY(mu_);
  bool dynamic_name_ ABSL_GUARDED_BY(mu_) = false;
  // Every live route, registered or not (for Shutdown).
  std::vector<std::weak_ptr<Route>> all_routes_ ABSL_GUARDED_BY(mu_);
  // The registered route to each remote server, by its id.
  absl::flat_hash_map<std::string, std::shared_ptr<Route>> routes_ ABSL_GUARDED_BY(mu_);
  // Remote servers an implicit route is being solicited to.
  absl::flat_hash_set<std::string> soliciting_ ABSL_GUARDED_BY(mu_);
  // Local client interest: "account subject[ queue]" -> number of subscriptions.
  absl::flat_hash_map<std::string, int> local_interest_ ABSL_GUARDED_BY(mu_);
  // The `import` permission: local interest routes are told of
  // (nats-server's canImport).
  PermissionChecker import_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> announced_urls_ ABSL_GUARDED_BY(mu_);
  // Once a route was registered, clients always get this server's own URLs
  // (as nats-server keeps them after its routes leave).
  bool ever_routed_ ABSL_GUARDED_BY(mu_) = false;
  // The registered routes, for Forward without mu_.
  mutable common::Mutex snapshot_mu_;
  std::shared_ptr<const std::vector<std::shared_ptr<Route>>> published_
      ABSL_GUARDED_BY(snapshot_mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CLUSTER_H_
