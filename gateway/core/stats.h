// What the core server tells monitoring (gateway/monitor): a snapshot of one
// connection, as nats-server's /connz lists it, and server-wide counters, as
// its /varz reports them. Plain data.
#ifndef JSENGINE_GATEWAY_CORE_STATS_H_
#define JSENGINE_GATEWAY_CORE_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/core/peer_cert.h"

namespace jsengine::gateway::core {

// Message counts of a connection or a server. "in" is what clients
// published, "out" what was delivered to them; bytes count payloads and
// headers, not protocol lines.
struct MessageCounts {
  uint64_t in_msgs = 0;
  uint64_t in_bytes = 0;
  uint64_t out_msgs = 0;
  uint64_t out_bytes = 0;

  MessageCounts& operator+=(const MessageCounts& other) {
    in_msgs += other.in_msgs;
    in_bytes += other.in_bytes;
    out_msgs += other.out_msgs;
    out_bytes += other.out_bytes;
    return *this;
  }
};

// One subscription of a connection, as /connz?subs=detail lists it.
struct SubscriptionDetail {
  std::string subject;
  std::string queue;  // empty: not in a queue group
  std::string sid;
  uint64_t msgs = 0;  // delivered
  uint64_t max = 0;   // auto-unsubscribe limit; 0: none
};

struct ConnectionInfo {
  uint64_t cid = 0;
  std::string account;  // its name; "$G" for the global account
  // The user CONNECT authenticated as (nkey users: the public key); empty
  // without one.
  std::string user;
  std::string ip;
  int port = 0;
  absl::Time start;
  absl::Time last_activity;
  // From CONNECT; empty until then.
  std::string name;
  std::string lang;
  std::string version;
  // Of a TLS connection, once the handshake completed.
  std::string tls_version;
  std::string tls_cipher_suite;
  // The certificates the client sent, leaf first (empty without).
  std::vector<TlsPeerCert> tls_peer_certs;
  MessageCounts counts;
  uint64_t subscriptions = 0;
  uint64_t pending_bytes = 0;
  // Filled only when asked for (Server::Connections).
  std::vector<SubscriptionDetail> subscription_list;
  // Of a closed connection: when, and nats-server's name for why
  // (ClosedReasonText).
  absl::Time stop = absl::InfinitePast();
  std::string reason;
};

struct ServerStats {
  absl::Time start;
  int connections = 0;
  uint64_t total_connections = 0;
  uint64_t subscriptions = 0;  // client ones, as in the subject index
  uint64_t slow_consumers = 0;
  MessageCounts counts;  // of every connection, open or closed
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_STATS_H_
