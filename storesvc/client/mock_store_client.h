// A gmock StoreClient for tests of code above the store. Test-only.
#ifndef JSENGINE_STORESVC_CLIENT_MOCK_STORE_CLIENT_H_
#define JSENGINE_STORESVC_CLIENT_MOCK_STORE_CLIENT_H_

#include <memory>

#include "gmock/gmock.h"
#include "storesvc/client/store_client.h"

namespace jsengine::storesvc::client {

class MockStoreClient : public StoreClient {
 public:
  MOCK_METHOD(absl::StatusOr<v1::StreamInfo>, CreateStream, (const v1::CreateStreamRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::StreamInfo>, UpdateStream, (const v1::UpdateStreamRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteStream, (const v1::DeleteStreamRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::StreamInfo>, GetStreamInfo, (const v1::StreamInfoRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::ListStreamsResponse>, ListStreams, (const v1::ListStreamsRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::StreamNamesResponse>, StreamNames, (const v1::ListStreamsRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::PurgeStreamResponse>, PurgeStream, (const v1::PurgeStreamRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::StoredMessage>, GetMessage, (const v1::GetMessageRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteMessage, (const v1::DeleteMessageRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::FilteredStateResponse>, FilteredState,
              (const v1::FilteredStateRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::SetConsumerFiltersResponse>, SetConsumerFilters,
              (const v1::SetConsumerFiltersRequest&), (override));
  MOCK_METHOD(void, RemoveMessages, (v1::RemoveMessagesRequest, RemoveCallback), (override));
  MOCK_METHOD(void, Append, (v1::AppendBatch, AppendCallback), (override));
  MOCK_METHOD(std::unique_ptr<Subscription>, Read,
              (const v1::ReadRequest&, BatchCallback, DoneCallback), (override));
  MOCK_METHOD(std::unique_ptr<Subscription>, WatchStreams, (EventCallback), (override));
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_MOCK_STORE_CLIENT_H_
