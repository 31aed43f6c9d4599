// The leaf node side of a server: nats-server 2.10's leaf node connections
// for core NATS. It accepts leaf servers on the leaf port (this server is
// their hub) and connects to the configured remotes as a leaf (the remote
// is its hub), reconnecting after reconnect_interval. Each connection is
// bound to one local account: over it go that account's interest (LS+/LS-,
// queue groups with their weights) and the messages the other side has
// interest in (LMSG/HMSG). Interest of local clients goes to every leaf
// connection of the account; interest a leaf connection told this server
// goes to the account's other leaf connections (to a hub only from
// accepted leafs, as nats-server). A message from a leaf connection goes
// to local clients and to the other leaf connections with interest. Each
// account announces a `$LDS.<id>` subject: getting it back is a loop, and
// the connection is closed (a remote then waits 30 s to reconnect).
//
//   LeafNodes leafs(&server, options.leafnodes, server_id, server_name);
//   JSE_RETURN_IF_ERROR(leafs.Start());
//   leafs.OnLocalInterest("$G", sub, /*added=*/true);
//   leafs.Forward("$G", "foo", "", "", false, "hello", local, &queues);
//   leafs.Shutdown();
//
// Connections are Routes in their leaf dialect (route.h), each on its own
// thread. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_LEAFNODES_H_
#define JSENGINE_GATEWAY_CORE_LEAFNODES_H_

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
#include "gateway/core/leafnode_options.h"
#include "gateway/core/permission_options.h"
#include "gateway/core/route_host.h"
#include "gateway/core/stoppable_threads.h"
#include "gateway/core/sublist.h"
#include "gateway/core/tls.h"

namespace jsengine::gateway::core {

class Route;
class Server;

class LeafNodes : public RouteHost {
 public:
  // `server` must outlive this.
  LeafNodes(Server* server, LeafNodeOptions options, std::string server_id,
            std::string server_name);
  ~LeafNodes() override;  // calls Shutdown()
  LeafNodes(const LeafNodes&) = delete;
  LeafNodes& operator=(const LeafNodes&) = delete;

  // Loads TLS certificates, binds the leaf port (if accepting) and starts
  // connecting to the remotes.
  absl::Status Start();
  // Closes every connection and joins their threads. Idempotent.
  void Shutdown();
  int port() const { return port_; }

  // A local client subscription was added or removed (any thread).
  void OnLocalInterest(std::string_view account, const Subscription& sub, bool added);
  // Sends a message published here to the leaf connections with interest
  // in it, as Cluster::Forward does for routes.
  bool Forward(std::string_view account, std::string_view subject, std::string_view reply,
               std::string_view headers, bool has_headers, std::string_view payload,
               const MatchResult& local, std::vector<std::string>* routed_queues);

  // What /varz and /leafz show of a registered connection.
  struct LeafInfo {
    std::string name;       // the remote server's name or id
    bool is_spoke = false;  // this server is the leaf of that connection
    std::string account;
    std::string ip;
    int port = 0;
    uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
    size_t subscriptions = 0;  // the remote's interest held
    bool tls = false;
  };
  std::vector<LeafInfo> Leafs() const;
  int NumLeafs() const;
  const LeafNodeOptions& options() const { return options_; }

  // RouteHost, internal to the core package (used by Route, on its thread).
  const std::string& server_id() const override { return server_id_; }
  bool stopping() const override { return stop_.load(); }
  absl::Duration tls_timeout() const override { return options_.tls.timeout; }
  std::string RouteInfoJson(const Route& route) const override;
  std::string RouteConnectJson(const Route& route) const override;
  std::string CheckConnect(Route* route, std::string_view json, const CertIdentity* cert) override;
  std::string CheckInfo(Route* route, std::string_view json) override;
  bool Register(const std::shared_ptr<Route>& route) override;
  void Unregister(Route* route) override;
  void OnGossip(std::string_view) override {}
  void OnRemoteUrlsChanged() override {}
  bool CanExport(const Route& route, std::string_view subject) const override;
  std::string OnRemoteInterest(Route* route, std::string_view account, const SubscriptionPtr& sub,
                               bool added) override;
  void DeliverRouted(Route* route, const RoutedMessage& msg) override;

 private:
  // What this server keeps of each connection.
  struct Conn {
    std::shared_ptr<Route> route;
    int remote = -1;     // index in options_.remotes; -1 for accepted
    bool spoke = false;  // the other side is this connection's hub
    bool registered = false;
    bool loop = false;  // closed for a loop: its remote waits to reconnect
    // The interest told to the other side: key -> count (weight).
    absl::flat_hash_map<std::string, int> smap;
    // The interest the other side told: key -> weight.
    absl::flat_hash_map<std::string, int> remote_interest;
  };

  void AcceptLoop();
  // Connects to remote `index` and serves it, forever.
  void Solicit(size_t index);
  Conn* Find(const Route* route) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Changes what `conn` was told of `key` by `delta`, sending LS+/LS-.
  void Update(Conn* conn, const std::string& key, int delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether interest of `from` goes to `to` (a hub hears only of accepted
  // leafs' interest, besides loop detection).
  static bool Propagates(const Conn& from, const Conn& to, const std::string& key);
  // Whether `conn` asks for `subject` (a remote's deny_imports).
  bool Imports(const Conn& conn, std::string_view subject) const;
  const std::string& LoopSubject(const std::string& account) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildSnapshot() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string AcceptedAccount(std::string_view json, std::string* refused) const;

  Server* const server_;
  const LeafNodeOptions options_;
  const std::string server_id_;
  const std::string server_name_;
  // Per remote: deny_imports and deny_exports as subscribe denials.
  std::vector<UserPermissions> deny_imports_;
  std::vector<UserPermissions> deny_exports_;
  std::unique_ptr<TlsContext> accept_tls_;
  std::vector<std::unique_ptr<TlsContext>> remote_tls_;
  std::vector<std::string> own_urls_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};
  StoppableThreads threads_;
  mutable std::atomic<uint64_t> next_cid_{1};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<const Route*, Conn> conns_ ABSL_GUARDED_BY(mu_);
  // Local client interest: account -> "subject[ queue]" -> subscriptions.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, int>> local_
      ABSL_GUARDED_BY(mu_);
  // Each account's loop detection subject.
  absl::flat_hash_map<std::string, std::string> lds_ ABSL_GUARDED_BY(mu_);
  // The registered connections, for Forward without mu_.
  struct Snapshot {
    std::vector<std::shared_ptr<Route>> routes;
    std::vector<int> remotes;  // each one's index in options_.remotes, or -1
  };
  // The snapshot's connections whose deny_exports let `subject` out.
  std::vector<std::shared_ptr<Route>> ExportingPeers(const Snapshot& snapshot,
                                                     std::string_view subject) const;
  mutable common::Mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> published_ ABSL_GUARDED_BY(snapshot_mu_);
  // Whether any remote has deny_exports (Forward filters then).
  bool filters_exports_ = false;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_LEAFNODES_H_
