// One client connection: reads and parses its input, applies CONNECT, auth
// and permissions, keeps its subscriptions, and buffers its output.
//
// Owned by one EventLoop; everything except the "any thread" methods runs on
// that loop's thread. Output may be appended from any thread (other
// connections' loops, internal publishers) under `out_mu_`, and written to
// the socket by any thread under `write_mu_`.
//
// With TLS, INFO goes out in plaintext and the client then handshakes; until
// the handshake completes no input is parsed and output waits. Every use of
// the TLS session, reads included, happens under `write_mu_`; a plaintext
// connection reads without it.
#ifndef JSENGINE_GATEWAY_CORE_CLIENT_H_
#define JSENGINE_GATEWAY_CORE_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/auth.h"
#include "gateway/core/parser.h"
#include "gateway/core/stats.h"
#include "gateway/core/subscription.h"
#include "gateway/core/tls.h"

namespace jsengine::gateway::core {

class Account;
class EventLoop;
class Server;

class Client : public ParserHandler, public std::enable_shared_from_this<Client> {
 public:
  Client(Server* server, EventLoop* loop, int fd, uint64_t id);
  ~Client() override;

  // Loop thread.
  void Start();
  // Reads and handles input. Returns true if it stopped early (fairness)
  // with input possibly left in the socket; call again next iteration.
  bool OnReadable();
  // Writes pending output; closes the connection if a close was requested.
  void Flush();
  // Any thread: writes pending output like Flush(), or hands the flush to
  // the loop when the connection is to be closed.
  void FlushFromAnyThread();
  void Tick(absl::Time now);
  void Close(const char* reason);
  bool closed() const { return closed_; }
  EventLoop* loop() const { return loop_; }

  // Fast-producer backpressure, after nats-server: a consumer whose pending
  // output passes its stall mark (half of max_pending, at most 2 MiB) is
  // "stalled"; a client publishing to it stops reading its socket (loop
  // thread, via StallOn) until the consumer drains below half of the mark,
  // closes, or a bounded wait passes.
  // Loop thread of this (producing) client.
  void StallOn(Client* consumer);
  bool throttled() const { return throttled_; }
  // Loop thread: ends a stall; the loop then resumes reading.
  void EndThrottle() { throttled_ = false; }
  // Any thread.
  bool stalled() const { return stalled_.load(std::memory_order_relaxed); }

  // Any thread. Queues a MSG/HMSG for subscription `sid`.
  // Any thread: false if the user's subscribe deny list filters `subject`.
  bool AcceptsDelivery(std::string_view subject) const;
  void DeliverMessage(std::string_view subject, std::string_view sid, std::string_view reply,
                      std::string_view headers, bool has_headers, std::string_view payload);
  bool echo() const { return echo_; }
  // Any thread: CONNECT's protocol once connected (1: async INFO), else -1.
  int protocol() const { return protocol_.load(std::memory_order_acquire); }
  // Any thread: the account the client is bound to (the global one until
  // CONNECT authenticates it; set before its first subscription).
  Account* account() const { return account_.load(std::memory_order_acquire); }
  // Any thread: drops the subscription from this client's table.
  void ForgetSubscription(const SubscriptionPtr& sub);
  // Any thread: marks the client for closing by its loop.
  void RequestClose(const char* reason);
  // Any thread: queues INFO again (lame duck mode announces itself so) and
  // writes it out.
  void ResendInfo();

  // Any thread: what monitoring shows of this connection (valid after Start).
  ConnectionInfo Info(bool with_subscriptions = false) const;
  MessageCounts Counts() const;

  // ParserHandler (loop thread).
  bool OnConnect(std::string_view json) override;
  bool OnPub(const PubArgs& pub) override;
  bool OnSub(std::string_view subject, std::string_view queue, std::string_view sid) override;
  bool OnUnsub(std::string_view sid, uint64_t max_msgs) override;
  bool OnPing() override;
  bool OnPong() override;

 private:
  void Send(std::string_view proto);
  void SendErr(std::string_view text);
  void SendErrAndClose(std::string_view text, const char* reason);
  void ScheduleFlush();
  void OnOutputAppended(size_t pending) ABSL_EXCLUSIVE_LOCKS_REQUIRED(out_mu_);
  // Any thread: registers `producer` to be resumed when this consumer drains.
  // False when there is no stall worth waiting for; else sets *wait to the
  // longest the producer should wait.
  bool AddStallWaiter(const std::shared_ptr<Client>& producer, absl::Duration* wait);
  // Loop thread: clears the stall once output drained below the low-water
  // mark (or always when `force`), resuming the waiting producers.
  void MaybeEndStall(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void SendNoResponders(std::string_view reply);
  // Writes wbuf_, then out_, until drained or the socket is full (EPOLLOUT
  // resumes). A failed write sets close_reason_.
  void WriteOut() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  bool Authorized();
  // Loop thread: sets the payload and subscription limits from the server's
  // and the account's (the lower of the two, nats-server's minLimit).
  void ApplyAccountLimits();
  // Any thread: the payload limit INFO announces to this client.
  int64_t MaxPayload() const;
  // Loop thread: applies a configuration reload (Server::Reload) to this
  // connection.
  void ApplyReload();
  // Checks CONNECT's credentials, or with verify_and_map the certificate
  // (then sets credentials->user to the user it names).
  bool Authenticate(Credentials* credentials, const UserPermissions** permissions,
                    const std::string** account_name, UserSession* session = nullptr);
  // allow_responses (any thread): remembers `reply` of a message delivered
  // to this client, which it may then publish a response to.
  void RecordReply(std::string_view reply) ABSL_LOCKS_EXCLUDED(replies_mu_);
  // Loop thread: whether a publish to `subject` is a response the user's
  // allow_responses permits; counts it.
  bool TakeResponsePermission(std::string_view subject) ABSL_LOCKS_EXCLUDED(replies_mu_);
  // Loop thread: like ::read, from the socket or the TLS session.
  ssize_t ReadInput(char* buf, size_t len);
  // Loop thread: advances the TLS handshake; true once it completed and the
  // connection may be read. Closes the connection when it failed.
  bool ContinueHandshake();
  // allow_non_tls: peeks at the client's first byte and starts TLS if it
  // begins a handshake. False while nothing has arrived (or closed).
  bool DecideTls();

  Server* const server_;
  EventLoop* const loop_;
  int fd_;  // closed (and -1) once the connection is closed
  const uint64_t id_;
  // Set by Start, before the server lists the client.
  std::string ip_;
  int port_ = 0;
  std::string nonce_;  // sent in INFO for nkey users to sign; empty if none

  // Loop-thread state.
  std::vector<char> in_;
  size_t in_len_ = 0;
  ParserLimits limits_;
  bool connected_ = false;
  // What the user JWT said: at `expires` the client is closed with 'User
  // Authentication Expired', as by nats-server; its limits lower the
  // account's.
  UserSession session_;
  // Counted in its account's connections (Account::TryAddConnection).
  bool counted_ = false;
  // Subscriptions the client may have, -1 unlimited (ApplyAccountLimits).
  int64_t max_subscriptions_ = -1;
  // The first PING after CONNECT was answered (nats-server's firstPongSent).
  bool first_pong_sent_ = false;
  bool verbose_ = true;
  bool pedantic_ = true;
  std::atomic<bool> echo_{true};
  std::atomic<int> protocol_{-1};
  std::atomic<bool> headers_{false};
  bool no_responders_ = false;
  bool closed_ = false;
  bool tls_ = false;              // the connection uses TLS
  bool tls_handshaking_ = false;  // and has not completed the handshake
  // allow_non_tls: the client's first byte has not yet said TLS or not.
  bool tls_undecided_ = false;
  PermissionChecker permissions_{nullptr};
  // What CONNECT authenticated with, checked again after a reload.
  Credentials credentials_;
  // verify_and_map: what the client's certificate names (set when the
  // handshake completes), and whether the client was authenticated by it.
  CertIdentity cert_identity_;
  bool cert_mapped_ = false;
  uint64_t reload_generation_ = 0;
  // The user's permissions, for AcceptsDelivery on any thread (owned by the
  // server's authenticators, which live as long as the server).
  std::atomic<const UserPermissions*> delivery_permissions_{nullptr};
  std::atomic<Account*> account_;
  // Set at CONNECT (and by a reload); read by publishers.
  std::atomic<bool> filter_deliveries_{false};
  // Whether the user has allow_responses (set like filter_deliveries_), and
  // the reply subjects it was given: when, and how many responses went.
  std::atomic<bool> track_replies_{false};
  struct Reply {
    absl::Time received;
    int sent = 0;
  };
  common::Mutex replies_mu_;
  absl::flat_hash_map<std::string, Reply> replies_ ABSL_GUARDED_BY(replies_mu_);
  absl::Time accepted_at_;
  // The auth timeout counts from here: accept, or the end of the TLS
  // handshake (as nats-server).
  absl::Time auth_clock_start_;
  absl::Time last_read_;
  // For monitoring: the last read, and what was published (loop thread
  // writes, any thread reads).
  std::atomic<int64_t> last_read_ns_{0};
  std::atomic<uint64_t> in_msgs_{0};
  std::atomic<uint64_t> in_bytes_{0};
  // CONNECT's name, lang and version.
  mutable common::Mutex info_mu_;
  std::string user_ ABSL_GUARDED_BY(info_mu_);  // what CONNECT authenticated as
  std::string name_ ABSL_GUARDED_BY(info_mu_);
  std::string lang_ ABSL_GUARDED_BY(info_mu_);
  std::string version_ ABSL_GUARDED_BY(info_mu_);
  std::string tls_version_ ABSL_GUARDED_BY(info_mu_);
  std::string tls_cipher_suite_ ABSL_GUARDED_BY(info_mu_);
  std::vector<TlsPeerCert> tls_peer_certs_ ABSL_GUARDED_BY(info_mu_);
  absl::Time last_ping_sent_;
  int pings_out_ = 0;

  mutable common::Mutex subs_mu_;
  absl::flat_hash_map<std::string, SubscriptionPtr> subs_ ABSL_GUARDED_BY(subs_mu_);

  // A plain mutex: taken once per delivered message, where absl::Mutex's
  // debug-build deadlock detection (on in Debian's build) costs too much.
  mutable common::Mutex out_mu_ ABSL_ACQUIRED_AFTER(write_mu_);
  std::string out_ ABSL_GUARDED_BY(out_mu_);
  uint64_t out_msgs_ ABSL_GUARDED_BY(out_mu_) = 0;
  uint64_t out_bytes_ ABSL_GUARDED_BY(out_mu_) = 0;
  bool out_closed_ ABSL_GUARDED_BY(out_mu_) = false;
  std::atomic<bool> flush_scheduled_{false};
  std::atomic<size_t> inflight_{0};
  std::atomic<const char*> close_reason_{nullptr};

  // Writing to the socket: the loop thread, or a foreign thread whose output
  // would otherwise wait for an idle loop to wake up (FlushFromAnyThread).
  // Closing the socket also happens under it. Taken before out_mu_.
  common::Mutex write_mu_;
  std::string wbuf_ ABSL_GUARDED_BY(write_mu_);  // Being written.
  size_t woff_ ABSL_GUARDED_BY(write_mu_) = 0;
  std::unique_ptr<TlsSession> tls_session_ ABSL_GUARDED_BY(write_mu_);

  // Backpressure as a consumer (see StallOn).
  std::atomic<bool> stalled_{false};
  // When the stalled consumer last drained an eighth of its stall mark.
  std::atomic<int64_t> last_progress_ns_{0};
  size_t stall_written_ ABSL_GUARDED_BY(write_mu_) = 0;  // Bytes written since then.
  std::vector<std::weak_ptr<Client>> stall_waiters_ ABSL_GUARDED_BY(out_mu_);
  // Backpressure as a producer (loop thread).
  bool throttled_ = false;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CLIENT_H_
