// A core NATS server: accepts client connections, speaks the NATS client
// protocol and routes messages by subject, like nats-server without
// clustering. In-process code (the JetStream layer) subscribes and publishes
// through the internal API below.
//
//   ServerOptions options;  options.port = 0;
//   Server server(options);
//   JSE_RETURN_IF_ERROR(server.Start());
//   server.SubscribeInternal("$JS.API.>", "", [&](const InboundMessage& m) { ... });
//   server.Publish("reply.subject", "", "", "payload");
//   uint64_t w = server.WatchClientInterest("deliver.x", "", [&](bool has_interest) { ... });
//   server.UnwatchClientInterest(w);
//   server.Shutdown();
//
// Each account (options.accounts, and the global account "$G" of everyone
// else) has its own subject space: a client's publishes reach subscribers of
// its own account only. The internal API works in the global account.
//
// Connections are served by a small fixed set of epoll event loops (threads).
// All public methods are thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_SERVER_H_
#define JSENGINE_GATEWAY_CORE_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/account.h"
#include "gateway/core/any_interest.h"
#include "gateway/core/auth.h"
#include "gateway/core/closed_connections.h"
#include "gateway/core/live_options.h"
#include "gateway/core/options.h"
#include "gateway/core/server_events.h"
#include "gateway/core/stats.h"
#include "gateway/core/sublist.h"
#include "gateway/core/subscription.h"
#include "gateway/core/tls.h"

namespace jsengine::gateway::core {

class Client;
class Cluster;
class LeafNodes;
class EventLoop;
struct RoutedMessage;

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // calls Shutdown()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listener and starts the event loops. options.port 0 picks a
  // free port; port() returns the bound one.
  absl::Status Start();
  // Closes every connection and joins the loops. Idempotent.
  void Shutdown();
  int port() const { return port_; }
  // The options the server started with; what a reload changed is in
  // live_options() and authenticator().
  const ServerOptions& options() const { return options_; }
  const LiveOptions& live_options() const { return live_; }
  // The configured accounts as the last reload left them.
  std::vector<AccountOptions> accounts() const ABSL_LOCKS_EXCLUDED(reload_mu_);
  // All the options as the last reload left them (a copy).
  ServerOptions reloaded_options() const ABSL_LOCKS_EXCLUDED(reload_mu_);

  // Applies a reloaded configuration (SIGHUP), as nats-server: users,
  // passwords, permissions, accounts' users and the limits of reload.h.
  // A setting that needs a restart is an error and nothing changes. Each
  // client then checks itself again on its event loop (within a tick):
  // one whose user was removed or moved to another account is closed, one
  // whose password no longer matches gets 'Authorization Violation' and is
  // closed, and subscriptions the new permissions refuse are removed with a
  // permissions violation; the others keep their connections.
  absl::Status Reload(const ServerOptions& options);
  // Counts reloads; clients compare it to the one they applied.
  uint64_t reload_generation() const { return reload_generation_.load(std::memory_order_acquire); }
  const std::string& server_id() const { return server_id_; }

  // Registers an in-process subscriber; it counts as interest (no-responders
  // etc.). Handlers run on the publishing thread (a connection's loop thread
  // for client publishes), must not block, and may call Publish()
  // re-entrantly. No lock is held while a handler runs.
  uint64_t SubscribeInternal(std::string subject, std::string queue, InternalHandler handler);
  // SubscribeInternal() and Publish() in a configured account (by name);
  // 0 / nothing when there is no such account.
  uint64_t SubscribeInternalIn(std::string_view account, std::string subject, std::string queue,
                               InternalHandler handler);
  void PublishIn(std::string_view account, std::string_view subject, std::string_view reply,
                 std::string_view headers, std::string_view payload);
  void UnsubscribeInternal(uint64_t id);

  // Routes a message to all matching subscribers, from any thread. Off the
  // event loops, the output is written at once, or at the end of the
  // thread's common::CallbackBurst (common/callback_burst.h) if one is running.
  void Publish(std::string_view subject, std::string_view reply, std::string_view headers,
               std::string_view payload);
  // Publish() to the subscribers of `to`, who see `subject`: how JetStream
  // delivers a stored message to a consumer's deliver subject (or a pull
  // request's reply) with the subject it was stored under. False when no
  // subscriber took it.
  bool PublishTo(std::string_view to, std::string_view subject, std::string_view reply,
                 std::string_view headers, std::string_view payload);
  // PublishTo() in an account by name (empty: the global one); false when
  // there is no such account.
  bool PublishToIn(std::string_view account, std::string_view to, std::string_view subject,
                   std::string_view reply, std::string_view headers, std::string_view payload);
  // Whether any subscriber, internal ones included, would get a message
  // published to `subject` (what no-responders asks).
  bool HasInterest(std::string_view subject);

  // Client interest: a subscription of a client connection (plain or in a
  // queue group, its pattern possibly with wildcards) matches the literal
  // `subject`; with a nonempty `queue`, a member of that queue group (push
  // consumers' deliver_group, like nats-server's registerQueueNotification).
  // Internal subscriptions never count, so JetStream's own cannot make a
  // deliver subject look alive.
  bool HasClientInterest(std::string_view subject, std::string_view queue = {});
  // Calls `on_change` with the subject's client interest now, then on every
  // change: false->true when the first matching subscription appears,
  // true->false when the last one goes (UNSUB, auto-unsubscribe after max
  // messages, connection close, shutdown). Calls are in order and never
  // concurrent with any other watch callback.
  //
  // A call runs on the thread that made the change, with no lock of the
  // server held: a connection's event loop for SUB, UNSUB and close, the
  // publishing thread for an auto-unsubscribe, the caller of this method for
  // the first call. When another thread is running watch callbacks at that
  // moment, that thread makes the call instead, just after its own (so the
  // first call may come after this returns). Callbacks must not block: hand
  // the work off. They may call any method of the server; interest changes
  // they cause are reported after they return. Whoever calls Publish (an
  // auto-unsubscribe may end interest) or these methods must not hold a lock
  // a callback takes.
  //
  // Returns 0 when `subject` is not a valid literal subject (or `queue` not a
  // valid queue name). Cost: sublist.h; without watches, SUB and UNSUB pay
  // one branch and publishing nothing.
  uint64_t WatchClientInterest(std::string_view subject, std::string_view queue,
                               std::function<void(bool has_interest)> on_change);
  // Once this returns the callback is neither running nor called again
  // (from within a watch callback: the running one is the last).
  void UnwatchClientInterest(uint64_t id);
  // The two above in an account by name (empty: the global one); 0 when
  // there is no such account. Interest in a subject that other accounts
  // import from this one includes their subscribers to it (as mapped by the
  // import), as with nats-server's shadow subscriptions.
  uint64_t WatchClientInterestIn(std::string_view account, std::string_view subject,
                                 std::string_view queue,
                                 std::function<void(bool has_interest)> on_change);
  void UnwatchClientInterestIn(std::string_view account, uint64_t id);

  int NumConnections() const { return num_connections_.load(); }

  // Lame duck mode (lame_duck.h paces it): stops accepting connections and
  // sends every client an INFO with "ldm":true. Returns the ids of the open
  // connections. Idempotent (later calls return nothing).
  std::vector<uint64_t> EnterLameDuckMode();
  bool lame_duck() const { return lame_duck_.load(); }
  // Closes connection `cid` if it is still open, as at shutdown.
  void CloseConnection(uint64_t cid);

  // Monitoring (any thread): counters, and the open connections by id.
  ServerStats Stats() const;
  std::vector<ConnectionInfo> Connections(bool with_subscriptions = false) const;
  // The most recently closed connections, oldest first (ClosedConnections).
  std::vector<ConnectionInfo> ClosedConnectionList() const { return closed_.List(); }

  // The system account's name: options.system_account, else "$SYS", which
  // exists even when not configured (as nats-server's).
  const std::string& system_account() const { return system_account_; }
  // Whether any subscriber of `account` would get a message on `subject`.
  bool HasInterestIn(std::string_view account, std::string_view subject);
  // Reports connection events to `listener` (null: none) from now on. Set
  // it before Start and clear it before the listener goes away; it must
  // outlive the calls in flight, which end with Shutdown.
  void SetEventListener(ServerEventListener* listener) {
    event_listener_.store(listener, std::memory_order_release);
  }

  // Internal to the core package (used by Client and EventLoop).
  // Delivers to every matching subscription except ones owned by `from` when
  // it disabled echo. Returns true if anyone received the message.
  bool Route(Client* from, std::string_view subject, std::string_view reply,
             std::string_view headers, bool has_headers, std::string_view payload);
  // Route() to the subscribers of `to`, showing them `subject`.
  bool RouteTo(Client* from, std::string_view to, std::string_view subject, std::string_view reply,
               std::string_view headers, bool has_headers, std::string_view payload);
  // The global account's subject space.
  Sublist& sublist() { return global_->sublist(); }
  Account* global_account() const { return global_; }
  // Null if there is no such account; an empty name is the global account.
  Account* FindAccount(std::string_view name) const;
  // The current authenticator. It stays valid for the server's lifetime (a
  // reload keeps the old ones), so permissions it handed out do too.
  const Authenticator& authenticator() const {
    return *authenticator_.load(std::memory_order_acquire);
  }
  // Null unless options.tls.enabled; set by Start.
  const TlsContext* tls_context() const { return tls_context_.get(); }
  // allow_non_tls: clients choose TLS or plaintext after INFO.
  bool TlsOptional() const { return options_.tls.allow_non_tls && !options_.tls.handshake_first; }
  // Removes a subscription from the index and its owner's table.
  void RemoveSubscription(const SubscriptionPtr& sub);
  // `nonce` (for nkey users) is left out when empty; `max_payload` is the
  // client's (its account's limit may lower the server's).
  std::string InfoJson(uint64_t client_id, const std::string& client_ip, const std::string& nonce,
                       int64_t max_payload) const;
  void OnAccepted(int fd);
  // A client is listed from Start until it closes.
  void RegisterClient(const std::shared_ptr<Client>& client);
  // `info` is the client's, taken before its subscriptions went.
  void OnClientClosed(ConnectionInfo info, const char* reason);
  void OnClientConnected(const Client& client);
  void OnAuthenticationError(const Client& client);
  void CountSlowConsumer() { slow_consumers_.fetch_add(1, std::memory_order_relaxed); }
  // Null unless options.cluster.enabled; set by Start.
  const Cluster* cluster() const { return cluster_.get(); }
  // Null unless leafnodes accept or have remotes; set by Start.
  const LeafNodes* leafnodes() const { return leafnodes_.get(); }
  // From a route's thread: delivers a message another server forwarded to
  // the local clients (never to internal subscribers, never on to routes):
  // its plain subscribers, and one member of each queue group it names.
  void DeliverRouted(const RoutedMessage& msg);
  // The cluster's client URLs changed: clients that understand async INFO
  // (protocol 1) get one with the new connect_urls.
  void OnClusterUrlsChanged();

 private:
  Sublist& SublistOf(const Client* client) const;
  bool RouteIn(Account* account, Client* from, std::string_view subject, std::string_view reply,
               std::string_view headers, bool has_headers, std::string_view payload);
  // Which deliveries a cluster needs: of a routed message, only client
  // subscriptions and the queue groups it names; of a local one, not the
  // queue groups a route took.
  struct DeliveryScope {
    const std::vector<std::string_view>* only_queues = nullptr;
    bool clients_only = false;
    const std::vector<std::string>* skip_queues = nullptr;
  };
  // Delivers to the subscribers of `to` in `sublist`, showing them `subject`.
  bool DeliverIn(Sublist& sublist, Client* from, std::string_view to, std::string_view subject,
                 std::string_view reply, std::string_view headers, bool has_headers,
                 std::string_view payload, const DeliveryScope* scope = nullptr);
  // Follows `account`'s exports, imports and response routes for a message
  // published in it.
  bool RouteAcross(Account* account, Client* from, std::string_view subject, std::string_view reply,
                   std::string_view headers, bool has_headers, std::string_view payload);
  // Delivers to the accounts importing `to` from `account`, at `to` mapped
  // by each import, showing them `subject` (empty: the mapped `to`).
  bool DeliverToStreamImporters(Account* account, Client* from, std::string_view to,
                                std::string_view subject, std::string_view reply,
                                std::string_view headers, bool has_headers,
                                std::string_view payload);
  // Service latency tracking: a probe when export `e` tracks latency and
  // this request is sampled (null otherwise, the common case); the result
  // published in the exporter's account once the response comes.
  std::shared_ptr<LatencyProbe> SampleLatency(const AccountExport* e, Account* requestor,
                                              std::string_view headers, bool has_headers);
  void ReportLatency(Account* exporter, Client* responder, const LatencyProbe& probe);
  bool Deliver(Client* from, const SubscriptionPtr& sub, std::string_view subject,
               std::string_view reply, std::string_view headers, bool has_headers,
               std::string_view payload);

  const ServerOptions options_;
  const std::string server_id_;
  using AccountTable = absl::flat_hash_map<std::string, Account*>;
  // Makes the accounts of `o` current: creates those not known yet and
  // replaces every account's routes and mappings.
  void InstallAccounts(const ServerOptions& o) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // The account named `name`, made (and its interest sent to routes) the
  // first time it is asked for.
  Account* KnownAccount(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);

  // The configured accounts by name (and "$G"), replaced whole by a reload.
  std::atomic<const AccountTable*> accounts_{nullptr};
  Account* global_ = nullptr;
  LiveOptions live_;
  std::atomic<const Authenticator*> authenticator_;
  std::atomic<uint64_t> reload_generation_{0};
  mutable common::Mutex reload_mu_;
  // The reloaded settings, and every authenticator made (never freed).
  ServerOptions reloaded_options_ ABSL_GUARDED_BY(reload_mu_);
  std::vector<std::unique_ptr<const Authenticator>> authenticators_ ABSL_GUARDED_BY(reload_mu_);
  // Every account ever configured and every account table (never freed:
  // clients and readers hold plain pointers).
  std::vector<std::unique_ptr<Account>> all_accounts_ ABSL_GUARDED_BY(reload_mu_);
  std::vector<std::unique_ptr<const AccountTable>> account_tables_ ABSL_GUARDED_BY(reload_mu_);
  std::unique_ptr<TlsContext> tls_context_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<LeafNodes> leafnodes_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> next_client_id_{1};
  std::atomic<uint64_t> next_loop_{0};
  std::atomic<int> num_connections_{0};
  std::atomic<bool> started_{false};
  const absl::Time start_time_ = absl::Now();
  std::atomic<uint64_t> slow_consumers_{0};
  mutable common::Mutex clients_mu_;
  absl::flat_hash_map<uint64_t, std::weak_ptr<Client>> clients_ ABSL_GUARDED_BY(clients_mu_);
  // Of the connections no longer listed.
  MessageCounts closed_counts_ ABSL_GUARDED_BY(clients_mu_);
  ClosedConnections closed_;
  std::string system_account_;
  std::atomic<ServerEventListener*> event_listener_{nullptr};
  std::atomic<bool> shut_down_{false};
  std::atomic<bool> lame_duck_{false};

  // Watches of interest across stream imports (WatchClientInterestIn): one
  // per sublist involved, combined. Their ids have kImportWatchBit set.
  struct ImportWatch {
    std::shared_ptr<AnyInterest> any;
    std::vector<std::pair<Sublist*, uint64_t>> legs;
  };
  static constexpr uint64_t kImportWatchBit = uint64_t{1} << 63;
  common::Mutex import_watches_mu_;
  uint64_t next_import_watch_ ABSL_GUARDED_BY(import_watches_mu_) = 1;
  absl::flat_hash_map<uint64_t, ImportWatch> import_watches_ ABSL_GUARDED_BY(import_watches_mu_);

  common::Mutex internal_mu_;
  uint64_t next_internal_id_ ABSL_GUARDED_BY(internal_mu_) = 1;
  absl::flat_hash_map<uint64_t, SubscriptionPtr> internal_subs_ ABSL_GUARDED_BY(internal_mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SERVER_H_
