// JetStream's answer in accounts it does not serve: with JetStream on, a
// request on $JS.API.> in a configured account gets nats-server's
// "JetStream not enabled for account" (10039) error reply, typed for the
// endpoint asked, instead of no responders: the accounts that do not enable
// JetStream, and the global account once accounts are configured.
//
//   DisabledAccounts disabled(&server);
//   disabled.Start({"A", "B"});
//   disabled.Remove("A");  // a reload enabled JetStream in A
//
// The server must outlive this object. Start, Add, Remove and Stop are not
// thread-safe; the replies run on publishing threads.
#ifndef JSENGINE_GATEWAY_JETSTREAM_DISABLED_ACCOUNTS_H_
#define JSENGINE_GATEWAY_JETSTREAM_DISABLED_ACCOUNTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gateway/core/server.h"

namespace jsengine::gateway::jetstream {

class DisabledAccounts {
 public:
  explicit DisabledAccounts(core::Server* server) : server_(server) {}
  ~DisabledAccounts() { Stop(); }
  DisabledAccounts(const DisabledAccounts&) = delete;
  DisabledAccounts& operator=(const DisabledAccounts&) = delete;

  void Start(const std::vector<std::string>& accounts);
  // Starts (stops) answering in one account; no-op if it already is (not).
  void Add(const std::string& account);
  void Remove(const std::string& account);
  void Stop();

 private:
  core::Server* const server_;
  std::map<std::string, uint64_t> subscriptions_;  // by account
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_DISABLED_ACCOUNTS_H_
