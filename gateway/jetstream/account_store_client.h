// The store as one JetStream account sees it: its own streams only, under
// the names its clients gave them (account_scope.h qualifies them on the way
// to the store and back), within the account's limits.
//
// Stream creates and updates are checked against the limits first, with
// nats-server's errors in its order: max_streams (10027), a stream
// max_consumers above the account's (10026), the bytes the account's streams
// reserve (max_bytes, or 1 byte for a stream without) against max_memory
// (10028) or max_storage (10047), then max_bytes_required (10113) and the
// largest stream max_bytes (10122). Lists, names, watch events and usage
// show the account's streams only. A global scope passes everything as is
// (limits still apply).
//
// Publishes: with max_memory or max_storage set, a message that would take
// the account's streams of its storage past the limit is refused with
// nats-server's 10002 "resource limits exceeded for account", sizes counted
// as nats-server counts them. The usage is the store's as last read (when
// the account's streams are listed, and again before a publish is refused:
// removals lower it) plus what was appended since.
//
// Thread-safe; the JetStream API serves one account's requests in order, so
// two creates cannot both take the last stream of a limit. `next` is not
// owned and must outlive this.
#ifndef JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_STORE_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/account_options.h"
#include "gateway/jetstream/account_limits.h"
#include "gateway/jetstream/account_scope.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

class AccountStoreClient final : public storesvc::client::StoreClient {
 public:
  // `limits` null: unlimited.
  AccountStoreClient(storesvc::client::StoreClient* next, JsAccountScope scope,
                     std::shared_ptr<AccountLimits> limits);

  const JsAccountScope& scope() const { return scope_; }

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override;
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override;
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override;
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override;
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) override;
  absl::StatusOr<v1::StreamNamesResponse> StreamNames(
      const v1::ListStreamsRequest& request) override;
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override;
  absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request) override;
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override;
  absl::StatusOr<v1::FilteredStateResponse> FilteredState(
      const v1::FilteredStateRequest& request) override;
  absl::StatusOr<v1::SetConsumerFiltersResponse> SetConsumerFilters(
      const v1::SetConsumerFiltersRequest& request) override;
  void Append(v1::AppendBatch batch, AppendCallback done) override;
  void RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) override;
  std::unique_ptr<storesvc::client::Subscription> Read(const v1::ReadRequest& request,
                                                       BatchCallback on_batch,
                                                       DoneCallback done) override;
  std::unique_ptr<storesvc::client::Subscription> WatchStreams(EventCallback on_event) override;

 private:
  // The account's streams matching `request.subject`, in the store's order,
  // with their names unqualified.
  absl::StatusOr<std::vector<v1::StreamInfo>> AccountStreams(const std::string& subject);
  // nats-server's limit checks for a create (or update) of `config`.
  absl::Status CheckLimits(const v1::StreamConfig& config, bool create);
  // Whether the store's account usage, re-read, leaves room for `size`
  // more bytes of `storage`; counts them as used if so.
  bool Reserve(v1::StorageType storage, int64_t size, bool reread) ABSL_LOCKS_EXCLUDED(mu_);
  void Learn(const std::vector<v1::StreamInfo>& streams) ABSL_LOCKS_EXCLUDED(mu_);
  v1::StreamConfig ToStore(v1::StreamConfig config) const;
  void FromStore(v1::StreamConfig* config) const;
  void FromStore(v1::StreamInfo* info) const;

  storesvc::client::StoreClient* const next_;
  const JsAccountScope scope_;
  const std::shared_ptr<AccountLimits> limits_;

  absl::Mutex mu_;
  // The storage of each of the account's streams, by the account's name.
  absl::flat_hash_map<std::string, v1::StorageType> storage_ ABSL_GUARDED_BY(mu_);
  // By storage (memory, file): what the account's streams hold, and what
  // of that is appends not yet done (which a fresh read may not show).
  int64_t used_[2] ABSL_GUARDED_BY(mu_) = {0, 0};
  int64_t in_flight_[2] ABSL_GUARDED_BY(mu_) = {0, 0};
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_STORE_CLIENT_H_
