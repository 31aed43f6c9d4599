// One route connection to another server of the cluster (cluster.h), or
// (leaf) one leaf node connection (leafnodes.h): its handshake (TLS when
// configured, then INFO/CONNECT), the remote server's interest (RS+/RS-,
// LS+/LS-), and the queue of output written by the connection's own thread.
// A leaf connection is bound to one local account: its interest and
// messages carry none on the wire.
//
// Run() serves the connection on the calling thread until it closes; every
// other method may be called from any thread. Owned by shared_ptr (the
// cluster's route table and Forward's snapshot).
#ifndef JSENGINE_GATEWAY_CORE_ROUTE_H_
#define JSENGINE_GATEWAY_CORE_ROUTE_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/cert_identity.h"
#include "gateway/core/route_host.h"
#include "gateway/core/route_parser.h"
#include "gateway/core/sublist.h"
#include "gateway/core/tls.h"

namespace jsengine::gateway::core {

class Route : public RouteParserHandler, public std::enable_shared_from_this<Route> {
 public:
  // Takes `fd` (a connected socket). `solicited`: this server connected.
  // `tls` (on `fd`; null for plaintext) handshakes first thing in Run() on
  // a route; on a leaf connection after the accepting side's INFO.
  // `account`: a solicited leaf connection's local account.
  Route(RouteHost* host, int fd, bool solicited, std::string url,
        std::unique_ptr<TlsSession> tls = nullptr, bool leaf = false, std::string account = "");
  ~Route() override;

  void Run();
  // Closes the connection (Run returns soon).
  void Stop();
  // Queues protocol text for the remote server.
  void Send(std::string_view text);
  void SendMessage(std::string_view account, std::string_view subject, std::string_view reply,
                   const std::vector<std::string_view>& queues, std::string_view headers,
                   bool has_headers, std::string_view payload);
  // The remote server's subscriptions matching `subject` in `account`.
  std::shared_ptr<const MatchResult> Match(std::string_view account, std::string_view subject);

  bool solicited() const { return solicited_; }
  bool leaf() const { return leaf_; }
  const std::string& url() const { return url_; }
  // A leaf connection's local account (fixed once registered).
  const std::string& account() const { return account_; }
  void set_account(std::string account) { account_ = std::move(account); }
  // The remote's address.
  const std::string& peer_ip() const { return peer_ip_; }
  int peer_port() const { return peer_port_; }
  bool tls() const { return tls_ != nullptr; }
  // Messages and bytes in and out (payloads with headers).
  uint64_t in_msgs() const { return in_msgs_.load(); }
  uint64_t out_msgs() const { return out_msgs_.load(); }
  uint64_t in_bytes() const { return in_bytes_.load(); }
  uint64_t out_bytes() const { return out_bytes_.load(); }
  // The number of the remote's subscriptions held.
  size_t NumRemoteSubs();
  absl::Time start() const { return start_; }
  // The remote server (valid once registered).
  const std::string& remote_id() const { return remote_id_; }
  // The server that opened this connection.
  const std::string& solicitor_id() const { return solicitor_id_; }
  std::vector<std::string> remote_client_urls() const;
  // The remote server's route URL ("nats-route://host:port/"), its own
  // or made of its address and cluster port (valid once registered).
  const std::string& remote_route_url() const { return remote_route_url_; }
  // Set when this connection lost to another route to the same server, or
  // went to this server itself: its solicitor must not reconnect.
  bool no_reconnect() const { return no_reconnect_.load(); }
  void set_no_reconnect() { no_reconnect_.store(true); }
  // Sets the remote's id (the host, from a leaf CONNECT or INFO).
  void set_remote_id(std::string id) { remote_id_ = std::move(id); }
  // The last -ERR the remote sent.
  std::string last_error() const;

  // RouteParserHandler (route thread).
  bool OnRouteInfo(std::string_view json) override;
  bool OnRouteConnect(std::string_view json) override;
  bool OnRoutePing() override;
  bool OnRoutePong() override;
  bool OnRouteErr(std::string_view text) override;
  bool OnRemoteSub(std::string_view account, std::string_view subject, std::string_view queue,
                   int weight) override;
  bool OnRemoteUnsub(std::string_view account, std::string_view subject,
                     std::string_view queue) override;
  bool OnRoutedMessage(const RoutedMessage& msg) override;

 private:
  void Wake();
  // Runs the TLS handshake within the cluster's TLS timeout; false (logged)
  // when it failed.
  bool Handshake();
  // Like ::read/::send, through TLS when the route has it.
  ssize_t ReadSome(char* buf, size_t len);
  ssize_t WriteSome(const char* buf, size_t len);
  // Writes queued output; false when the connection failed.
  bool WriteOut();
  Sublist* RemoteSublist(std::string_view account) ABSL_EXCLUSIVE_LOCKS_REQUIRED(interest_mu_);

  // Sends CONNECT and registers a solicited connection; false if refused.
  bool Connect();
  const char* kind() const { return leaf_ ? "Leafnode" : "Route"; }

  RouteHost* const host_;
  const int fd_;
  int event_fd_ = -1;
  const bool solicited_;
  const std::string url_;
  const bool leaf_;
  std::string account_;
  const absl::Time start_;
  int peer_port_ = 0;
  // A solicited leaf connection got INFO: it handshakes TLS and connects.
  bool upgrade_ = false;
  std::atomic<uint64_t> in_msgs_{0}, out_msgs_{0}, in_bytes_{0}, out_bytes_{0};
  mutable common::Mutex error_mu_;
  std::string last_error_ ABSL_GUARDED_BY(error_mu_);
  const std::unique_ptr<TlsSession> tls_;
  bool tls_on_ = false;  // the handshake is done: I/O goes through tls_
  // What the remote server's certificate names (accepted TLS routes).
  CertIdentity peer_identity_;
  std::atomic<bool> no_reconnect_{false};
  std::atomic<bool> stop_{false};

  // Route-thread state; remote_id_ and solicitor_id_ are fixed before the
  // route is registered (which publishes them).
  std::string remote_id_;
  std::string solicitor_id_;
  std::string remote_route_url_;
  std::string peer_ip_;
  bool connect_received_ = false;
  bool registered_ = false;
  int pings_out_ = 0;
  std::string in_;

  mutable common::Mutex urls_mu_;
  std::vector<std::string> remote_client_urls_ ABSL_GUARDED_BY(urls_mu_);

  common::Mutex interest_mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Sublist>> remote_ ABSL_GUARDED_BY(interest_mu_);
  // "account subject[ queue]" -> the subscription standing for it.
  absl::flat_hash_map<std::string, SubscriptionPtr> remote_subs_ ABSL_GUARDED_BY(interest_mu_);

  common::Mutex out_mu_;
  std::string out_ ABSL_GUARDED_BY(out_mu_);
  std::string wbuf_;  // route thread: being written
  size_t woff_ = 0;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ROUTE_H_
