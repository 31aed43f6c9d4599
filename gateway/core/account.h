// An account at run time: its own subject space (a Sublist), so a message
// published in one account reaches only that account's subscribers, plus
// the routes its exports and imports open to other accounts:
//
// - a stream route, kept by the exporter: what it publishes on `subject`
//   also reaches the importer, on `to`;
// - a service route, kept by the importer: what it publishes on `to` reaches
//   the exporter's responders on `subject`, with a reply subject of the
//   exporter's (`_R_.…`) that leads the first response back to the
//   requester's reply subject in the importer.
//
// The server creates its accounts before it starts, and more on a reload;
// it keeps every account until it is destroyed, so clients and routes hold
// plain pointers to accounts. An account's routes and subject mappings
// (its AccountLinks) are immutable and replaced whole by a reload; every
// version stays valid for the account's lifetime. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_ACCOUNT_H_
#define JSENGINE_GATEWAY_CORE_ACCOUNT_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/account_options.h"
#include "gateway/core/event_json.h"
#include "gateway/core/subject_mapping.h"
#include "gateway/core/sublist.h"

namespace jsengine::gateway::core {

class Account;

struct StreamRoute {
  Account* importer;
  std::string subject;  // the exporter's subjects, possibly with wildcards
  std::string to;       // where the importer sees them
};

struct ServiceRoute {
  Account* exporter;
  std::string subject;  // the exporter's subjects
  std::string to;       // what the importer publishes to
  // The exporter's export that allows it (response type, latency); null
  // when none does. A copy: reloads replace the options it came from.
  std::shared_ptr<const AccountExport> service_export;
};

// What an account's messages reach besides its own subscribers, and how
// its clients' subjects are mapped.
struct AccountLinks {
  std::vector<StreamRoute> stream_routes;    // kept by the exporter
  std::vector<ServiceRoute> service_routes;  // kept by the importer
  SubjectMapper mapper;
};

class Account {
 public:
  // How long a response route waits for its response (nats-server's
  // default response threshold).
  static constexpr absl::Duration kResponseTimeout = absl::Minutes(2);

  explicit Account(std::string name);
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  const std::string& name() const { return name_; }
  Sublist& sublist() { return sublist_; }
  const Sublist& sublist() const { return sublist_; }

  // Replaces the routes and mappings; readers see the old or the new ones.
  void SetLinks(AccountLinks links);
  const AccountLinks& links() const { return *links_.load(std::memory_order_acquire); }
  const std::vector<StreamRoute>& stream_routes() const { return links().stream_routes; }
  const std::vector<ServiceRoute>& service_routes() const { return links().service_routes; }
  bool has_routes() const { return !stream_routes().empty() || !service_routes().empty(); }
  // The account's subject mappings, applied to what its clients publish.
  const SubjectMapper& mapper() const { return links().mapper; }

  // Exporter side of a service request: returns the reply subject the
  // exporter's responder answers to, which leads to `reply` in `importer`.
  // With `multiple` (stream and chunked responses) the route serves every
  // response until it expires, else only the first. `probe`, if any, times
  // the first response (service latency tracking).
  std::string AddResponseRoute(Account* importer, std::string_view reply, absl::Time now,
                               bool multiple = false,
                               std::shared_ptr<LatencyProbe> probe = nullptr);
  // If `subject` is a response route's reply subject, sets where the
  // response goes and its latency probe (taken from the route: null after
  // the first response), and removes a single-response route.
  bool TakeResponseRoute(std::string_view subject, Account** importer, std::string* reply,
                         absl::Time now, std::shared_ptr<LatencyProbe>* probe = nullptr);
  // If `subject` is a live response route's reply subject, sets where the
  // response would go, leaving the route as it is.
  bool FindResponseRoute(std::string_view subject, Account** importer, std::string* reply,
                         absl::Time now) const;
  // Clients bound to the account (from CONNECT to close); any thread.
  int connections() const { return connections_.load(std::memory_order_relaxed); }
  void AddConnection(int delta) { connections_.fetch_add(delta, std::memory_order_relaxed); }

  // The account's `limits {}` (AccountLimits, -1 unlimited); the server sets
  // them at start and on every reload. Any thread.
  void SetLimits(const AccountLimits& limits);
  int64_t max_subscriptions() const { return max_subscriptions_.load(std::memory_order_relaxed); }
  int64_t max_payload() const { return max_payload_.load(std::memory_order_relaxed); }
  int64_t max_leafnodes() const { return max_leafnodes_.load(std::memory_order_relaxed); }
  // Counts a client in (AddConnection(1)) unless the account already has
  // max_connections clients.
  bool TryAddConnection();
  // After a reload: counts one client out (AddConnection(-1)) if the account
  // has more than max_connections clients. Called for each client in turn,
  // it leaves exactly the limit when the account was over it, and drops
  // nobody from an account at its limit.
  bool TryDropConnectionOverLimit();

  static bool IsResponseSubject(std::string_view subject) {
    return subject.size() > 4 && subject.substr(0, 4) == "_R_.";
  }

 private:
  struct Response {
    Account* importer;
    std::string reply;
    absl::Time expires;
    bool multiple = false;
    std::shared_ptr<LatencyProbe> probe;
  };
  void ExpireResponses(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  Sublist sublist_;
  std::atomic<const AccountLinks*> links_;
  common::Mutex links_mu_;
  // Every version of the links (never freed: readers hold no lock).
  std::vector<std::unique_ptr<const AccountLinks>> all_links_ ABSL_GUARDED_BY(links_mu_);

  mutable common::Mutex mu_;
  uint64_t next_response_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Response> responses_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<absl::Time, std::string>> response_order_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> connections_{0};
  std::atomic<int64_t> max_connections_{-1};
  std::atomic<int64_t> max_leafnodes_{-1};
  std::atomic<int64_t> max_subscriptions_{-1};
  std::atomic<int64_t> max_payload_{-1};
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ACCOUNT_H_
