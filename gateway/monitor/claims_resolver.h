// nats-server's full account resolver over NATS (DirAccResolver) for one
// server in operator mode with `resolver { type: full (or cache), dir }`:
// account JWTs are files `<dir>/<account public key>.jwt`, kept up to date
// by requests in the system account, answered as nats-server answers them:
//
//   $SYS.REQ.CLAIMS.UPDATE, $SYS.REQ.ACCOUNT.<acc>.CLAIMS.UPDATE (and the
//       older $SYS.ACCOUNT.<acc>.CLAIMS.UPDATE)   store an account JWT
//       (unless the stored one is newer), reply {"server":..,"data":{
//       "account","code":200,"message":"jwt updated"}} or an "error"
//   $SYS.REQ.ACCOUNT.<acc>.CLAIMS.LOOKUP      the stored JWT (empty: none);
//       full resolver only
// A cache resolver answers updates with nats-server's "jwt updated cache"
// texts and skips accounts the server does not have ("jwt update cache
// skipped"); it fetches nothing from other servers (there are none).
//   $SYS.REQ.CLAIMS.LIST                      the stored accounts' keys
//   $SYS.REQ.CLAIMS.DELETE                    with allow_delete: a JWT of the
//       operator naming `accounts` to delete (renamed *.jwt.deleted, or
//       removed with hard_delete)
//
// After each change the server is reloaded (`reload`) with the accounts of
// the directory, so new accounts accept users, changed limits and
// revocations apply to connected clients, and a deleted account's users
// are closed. On Start, preloaded JWTs newer than the stored ones are
// written to the directory, as nats-server does. Requests are handled on
// one thread of this class. `server` must outlive it. Thread-safe.
#ifndef JSENGINE_GATEWAY_MONITOR_CLAIMS_RESOLVER_H_
#define JSENGINE_GATEWAY_MONITOR_CLAIMS_RESOLVER_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/server.h"
#include "gateway/monitor/system_json.h"

namespace jsengine::gateway::monitor {

class ClaimsResolver {
 public:
  using ReloadFunction = std::function<absl::Status(const core::ServerOptions&)>;
  ClaimsResolver(core::Server* server, ReloadFunction reload);
  ~ClaimsResolver();
  ClaimsResolver(const ClaimsResolver&) = delete;
  ClaimsResolver& operator=(const ClaimsResolver&) = delete;

  absl::Status Start();
  void Stop();  // idempotent

 private:
  struct Request {
    std::string subject;
    std::string reply;
    std::string payload;
  };
  void Run();
  void Handle(const Request& r);
  void HandleUpdate(const std::string& subject_account, const Request& r);
  void HandleDelete(const Request& r);
  void HandleList(const Request& r);
  void HandleLookup(const std::string& account, const Request& r);
  // Stores `jwt` for `account` unless the stored JWT is the same or newer.
  absl::Status Save(const std::string& account, const std::string& jwt);
  // Reloads the server with the directory's accounts.
  void Apply();
  void Respond(const std::string& reply, const std::string& account, const std::string& message,
               const absl::Status& error);
  std::string PathOf(const std::string& account) const;

  core::Server* const server_;
  const ReloadFunction reload_;
  const core::ResolverOptions resolver_;
  const std::vector<std::string> operator_keys_;  // may sign deletes
  const std::string operator_key_;                // the (first) operator's own key
  const bool strict_;
  ServerIdentity identity_;
  std::vector<uint64_t> subscriptions_;
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<Request> requests_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ = false;
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_CLAIMS_RESOLVER_H_
