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
//   server.Shutdown();
//
// Connections are served by a small fixed set of epoll event loops (threads).
// All public methods are thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_SERVER_H_
#define JSENGINE_GATEWAY_CORE_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/mutex.h"
#include "gateway/core/auth.h"
#include "gateway/core/options.h"
#include "gateway/core/sublist.h"
#include "gateway/core/subscription.h"

namespace jsengine::gateway::core {

class Client;
class EventLoop;

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
  const ServerOptions& options() const { return options_; }
  const std::string& server_id() const { return server_id_; }

  // Registers an in-process subscriber; it counts as interest (no-responders
  // etc.). Handlers run on the publishing thread (a connection's loop thread
  // for client publishes), must not block, and may call Publish()
  // re-entrantly. No lock is held while a handler runs.
  uint64_t SubscribeInternal(std::string subject, std::string queue, InternalHandler handler);
  void UnsubscribeInternal(uint64_t id);

  // Routes a message to all matching subscribers, from any thread. Off the
  // event loops, the output is written at once, or at the end of the
  // thread's common::CallbackBurst (common/callback_burst.h) if one is running.
  void Publish(std::string_view subject, std::string_view reply, std::string_view headers,
               std::string_view payload);
  bool HasInterest(std::string_view subject);

  int NumConnections() const { return num_connections_.load(); }

  // Internal to the core package (used by Client and EventLoop).
  // Delivers to every matching subscription except ones owned by `from` when
  // it disabled echo. Returns true if anyone received the message.
  bool Route(Client* from, std::string_view subject, std::string_view reply,
             std::string_view headers, bool has_headers, std::string_view payload);
  Sublist& sublist() { return sublist_; }
  const Authenticator& authenticator() const { return authenticator_; }
  // Removes a subscription from the index and its owner's table.
  void RemoveSubscription(const SubscriptionPtr& sub);
  std::string InfoJson(uint64_t client_id, const std::string& client_ip) const;
  void OnAccepted(int fd);
  void OnClientClosed() { num_connections_.fetch_sub(1); }

 private:
  bool Deliver(Client* from, const SubscriptionPtr& sub, std::string_view subject,
               std::string_view reply, std::string_view headers, bool has_headers,
               std::string_view payload);

  const ServerOptions options_;
  const std::string server_id_;
  Sublist sublist_;
  Authenticator authenticator_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> next_client_id_{1};
  std::atomic<uint64_t> next_loop_{0};
  std::atomic<int> num_connections_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> shut_down_{false};

  common::Mutex internal_mu_;
  uint64_t next_internal_id_ ABSL_GUARDED_BY(internal_mu_) = 1;
  absl::flat_hash_map<uint64_t, SubscriptionPtr> internal_subs_ ABSL_GUARDED_BY(internal_mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SERVER_H_
