// A gmock ConsumerClient for tests of code above the consumer service.
// Test-only.
#ifndef JSENGINE_CONSUMERSVC_CLIENT_MOCK_CONSUMER_CLIENT_H_
#define JSENGINE_CONSUMERSVC_CLIENT_MOCK_CONSUMER_CLIENT_H_

#include <memory>

#include "consumersvc/client/consumer_client.h"
#include "gmock/gmock.h"

namespace jsengine::consumersvc::client {

class MockConsumerClient : public ConsumerClient {
 public:
  MOCK_METHOD(absl::StatusOr<v1::ConsumerInfo>, CreateConsumer,
              (const v1::CreateConsumerRequest&), (override));
  MOCK_METHOD(absl::Status, DeleteConsumer, (const v1::ConsumerRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ConsumerInfo>, GetConsumerInfo, (const v1::ConsumerRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::ListConsumersResponse>, ListConsumers,
              (const v1::ListConsumersRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ConsumerNamesResponse>, ConsumerNames,
              (const v1::ListConsumersRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::PurgeStreamResponse>, PurgeStream, (const v1::PurgeStreamRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteMessage, (const v1::DeleteMessageRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ConsumerCountsResponse>, ConsumerCounts,
              (const v1::ConsumerCountsRequest&), (override));
  MOCK_METHOD(std::unique_ptr<ConsumerSession>, OpenSession, (DeliveryCallback), (override));
};

}  // namespace jsengine::consumersvc::client

#endif  // JSENGINE_CONSUMERSVC_CLIENT_MOCK_CONSUMER_CLIENT_H_
