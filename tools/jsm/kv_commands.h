// `jsm kv ...`: key-value buckets as the official clients make them (the
// stream KV_<bucket> on $KV.<bucket>.>, one subject per key, a
// KV-Operation header on deletes), managed over the store service's gRPC
// API:
//
//   jsm kv add devices --history 5     the bucket, keeping 5 values a key
//   jsm kv put devices 3F45 online     a new revision of a key
//   jsm kv get devices 3F45            its latest value
//   jsm kv ls devices                  keys with a value
//   jsm kv history devices 3F45        every revision kept
//   jsm kv rm devices 3F45             a delete marker (history stays)
//
// Thread-safety: not thread-safe; the client and stream must outlive it.
#ifndef JSENGINE_TOOLS_JSM_KV_COMMANDS_H_
#define JSENGINE_TOOLS_JSM_KV_COMMANDS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storesvc/client/store_client.h"
#include "tools/jsm/args.h"

namespace jsengine::tools::jsm {

class KvCommands {
 public:
  KvCommands(storesvc::client::StoreClient& store, Endpoints endpoints, std::ostream& out)
      : store_(store), endpoints_(std::move(endpoints)), out_(out) {}

  absl::Status Run(const Args& args);

 private:
  absl::Status Add(const Args& args);
  absl::Status Put(const Args& args);
  absl::Status Get(const Args& args);
  absl::Status List(const Args& args);
  absl::Status History(const Args& args);
  absl::Status Remove(const Args& args);

  // Appends a revision of `key`; `headers` is a NATS/1.0 header block or "".
  absl::StatusOr<uint64_t> Append(const std::string& bucket, const std::string& key,
                                  const std::string& headers, const std::string& value);
  // The latest message of `key`, delete markers included.
  absl::StatusOr<v1::StoredMessage> Latest(const std::string& bucket, const std::string& key);
  absl::Status FromStore(absl::Status status) const;

  storesvc::client::StoreClient& store_;
  const Endpoints endpoints_;
  std::ostream& out_;
};

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_KV_COMMANDS_H_
