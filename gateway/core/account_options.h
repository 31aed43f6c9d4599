// Accounts as configured (nats-server's `accounts {}` block): each account is
// its own subject space; users are bound to one account; exports and imports
// share subjects between accounts. Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_ACCOUNT_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_ACCOUNT_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace jsengine::gateway::core {

// The account of users configured outside `accounts {}`, and of every client
// when no account is configured.
inline constexpr char kGlobalAccount[] = "$G";
// The system account when `system_account` names none.
inline constexpr char kSystemAccount[] = "$SYS";

// A subject (stream) or a subject space of requests (service) an account
// offers. An empty `accounts` list makes the export public.
struct AccountExport {
  std::string subject;
  std::vector<std::string> accounts;

  // Services only. How many responses a request gets: one (singleton), or
  // any number until the response threshold (stream, chunked).
  enum class ResponseType { kSingleton, kStream, kChunked };
  ResponseType response_type = ResponseType::kSingleton;
  // Service latency tracking (nats-server's `latency`): a sample of the
  // requests, `sampling` percent (or those carrying tracing headers), are
  // timed and the io.nats.server.metric.v1.service_latency result published
  // on `latency_subject` in the exporting account. Empty subject: none.
  std::string latency_subject;
  int latency_sampling = 100;
  bool latency_headers = false;
};

// What an account takes from another one's exports. For a stream, messages
// published in `account` on `subject` reach this account's subscribers on
// `to` (the subject itself when empty; `prefix.subject` with `prefix`). For a
// service, requests published here on `to` (or `subject`) reach `account`'s
// responders on `subject`, and their replies come back.
struct AccountImport {
  std::string account;
  std::string subject;
  std::string to;
};

// An account's JetStream limits, nats-server's JetStreamAccountLimits (what
// `jetstream: {max_mem: 1G, max_streams: 10}` sets); -1 is unlimited, as
// `jetstream: enabled` leaves every one.
struct JetStreamLimits {
  int64_t max_memory = -1;
  int64_t max_storage = -1;
  int64_t max_streams = -1;
  int64_t max_consumers = -1;
  int64_t max_ack_pending = -1;
  int64_t memory_max_stream_bytes = -1;
  int64_t storage_max_stream_bytes = -1;
  bool max_bytes_required = false;
};

// An account's `limits {}` (nats-server's account limits mconns, msubs, mpay
// and mleafs); -1 is unlimited, any other value is the limit as written (0
// allows nothing).
struct AccountLimits {
  // Clients bound to the account on this server at once.
  int64_t max_connections = -1;
  // Subscriptions of each client of the account (per connection, as in
  // nats-server, not summed over the account).
  int64_t max_subscriptions = -1;
  // Caps the server's max_payload for the account's clients.
  int64_t max_payload = -1;
  // Leaf node connections bound to the account on this server at once.
  int64_t max_leafnodes = -1;
};

// One destination of a subject mapping (nats-server's MapDest): a subject
// that may use the source's wildcards (`$1`, `{{wildcard(1)}}`) and mapping
// functions (`{{partition(4,1)}}`, ...), picked for `weight` percent of the
// messages. `cluster` limits it to servers of that cluster.
struct MappingDestination {
  std::string subject;
  int weight = 100;
  std::string cluster;
};

// `mappings { "src.*": "dst.$1" }`: messages published on `source` go to one
// of `destinations` instead (the remainder of 100 percent keeps `source`).
struct SubjectMappingOptions {
  std::string source;
  std::vector<MappingDestination> destinations;
  int line = 0;  // where the config gave it, for errors
};

struct AccountOptions {
  std::string name;
  // Whether the account has JetStream (with the server's on), and its limits.
  bool jetstream = false;
  JetStreamLimits jetstream_limits;
  AccountLimits limits;
  std::vector<AccountExport> stream_exports;
  std::vector<AccountExport> service_exports;
  std::vector<AccountImport> stream_imports;
  std::vector<AccountImport> service_imports;
  std::vector<SubjectMappingOptions> mappings;
  // The account's public nkey ("A..."), as nats-server keeps it from the
  // config; empty without one.
  std::string nkey;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ACCOUNT_OPTIONS_H_
