// The JetStream API's account endpoint, $JS.API.INFO, as nats-server 2.9
// answers it: usage totalled over every stream in the store, the configured
// limits and domain, and the API statistics the router keeps.
//
//   AccountApi account(store_client, limits_cell, "");
//   JsApiReply reply = account.Info(JsApiStats{total, errors});
//
// Info() blocks on the store. Thread-safe; `store` is not owned and must
// outlive this.
#ifndef JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_API_H_
#define JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_API_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/core/account_options.h"
#include "gateway/jetstream/account_limits.h"
#include "gateway/jetstream/api_reply.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

// The account's limits as $JS.API.INFO reports them; -1 is unlimited.
using JsAccountLimits = core::JetStreamLimits;

// What the account's streams hold, totalled over every stream the store
// client shows (an AccountStoreClient: the account's).
struct AccountUsage {
  uint64_t memory = 0;   // bytes in memory streams
  uint64_t storage = 0;  // bytes in file streams
  uint64_t messages = 0;
  int64_t streams = 0;
  int64_t consumers = 0;
  // The max_bytes the streams reserve (those without reserve nothing).
  uint64_t reserved_memory = 0;
  uint64_t reserved_storage = 0;
};

// Pages through the store's streams; blocks on the store.
absl::StatusOr<AccountUsage> TotalAccountUsage(storesvc::client::StoreClient* store);

// JSON replies the API has sent, and how many of them were errors.
struct JsApiStats {
  uint64_t total = 0;
  uint64_t errors = 0;
};

class AccountApi {
 public:
  // `limits` null: unlimited.
  AccountApi(storesvc::client::StoreClient* store, std::shared_ptr<AccountLimits> limits,
             std::string domain);

  AccountApi(const AccountApi&) = delete;
  AccountApi& operator=(const AccountApi&) = delete;

  // The reply to $JS.API.INFO; `stats` are the requests before this one.
  JsApiReply Info(const JsApiStats& stats);

 private:
  storesvc::client::StoreClient* const store_;
  const std::shared_ptr<AccountLimits> limits_;
  const std::string domain_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_API_H_
