// The consumer service as one JetStream account sees it: the consumers of
// its own streams, under its clients' names (stream names and deliver
// subjects qualified on the way to the service and back, account_scope.h),
// within the account's max_consumers: as nats-server, a stream takes no
// more consumers than the smaller of its own max_consumers and the
// account's (10026 "maximum consumers limit reached"); an existing
// consumer's create or update is not counted.
//
// The data plane is not scoped here: OpenSession passes through (one
// session serves every account, see ConsumerDataPlane).
//
// Thread-safe. `next` is not owned and must outlive this.
#ifndef JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_CONSUMER_CLIENT_H_
#define JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_CONSUMER_CLIENT_H_

#include <memory>

#include "consumersvc/client/consumer_client.h"
#include "gateway/core/account_options.h"
#include "gateway/jetstream/account_limits.h"
#include "gateway/jetstream/account_scope.h"

namespace jsengine::gateway::jetstream {

class AccountConsumerClient final : public consumersvc::client::ConsumerClient {
 public:
  // `limits` null: unlimited.
  AccountConsumerClient(consumersvc::client::ConsumerClient* next, JsAccountScope scope,
                        std::shared_ptr<AccountLimits> limits);

  absl::StatusOr<v1::ConsumerInfo> CreateConsumer(
      const v1::CreateConsumerRequest& request) override;
  absl::Status DeleteConsumer(const v1::ConsumerRequest& request) override;
  absl::StatusOr<v1::ConsumerInfo> GetConsumerInfo(const v1::ConsumerRequest& request) override;
  absl::StatusOr<v1::ListConsumersResponse> ListConsumers(
      const v1::ListConsumersRequest& request) override;
  absl::StatusOr<v1::ConsumerNamesResponse> ConsumerNames(
      const v1::ListConsumersRequest& request) override;
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override;
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override;
  absl::StatusOr<v1::ConsumerCountsResponse> ConsumerCounts(
      const v1::ConsumerCountsRequest& request) override;
  std::unique_ptr<consumersvc::client::ConsumerSession> OpenSession(
      DeliveryCallback on_deliveries) override {
    return next_->OpenSession(std::move(on_deliveries));
  }

 private:
  // 10026 when the stream has as many consumers as the account allows and
  // `request` would add one.
  absl::Status CheckMaxConsumers(const v1::CreateConsumerRequest& request);
  void FromService(v1::ConsumerInfo* info) const;

  consumersvc::client::ConsumerClient* const next_;
  const JsAccountScope scope_;
  const std::shared_ptr<AccountLimits> limits_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_CONSUMER_CLIENT_H_
