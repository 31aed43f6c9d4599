#include "gateway/jetstream/consumer_aware_store_client.h"

#include <string>
#include <string_view>
#include <vector>

#include "consumersvc/client/mock_consumer_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"

namespace jsengine::gateway::jetstream {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

class MockDataPlane : public DataPlane {
 public:
  MOCK_METHOD(void, PullRequest,
              (std::string_view, std::string_view, std::string_view, std::string_view, uint64_t),
              (override));
  MOCK_METHOD(bool, Settle, (std::string_view), (override));
};

v1::StreamInfo Info(const std::string& name, v1::RetentionPolicy retention, uint64_t messages) {
  v1::StreamInfo info;
  info.mutable_config()->set_name(name);
  info.mutable_config()->set_retention(retention);
  info.mutable_state()->set_messages(messages);
  return info;
}

v1::ConsumerCountsResponse Counts(std::vector<int32_t> counts) {
  v1::ConsumerCountsResponse response;
  for (int32_t n : counts) response.add_counts(n);
  return response;
}

v1::StreamInfoRequest Named(const std::string& name) {
  v1::StreamInfoRequest request;
  request.set_name(name);
  return request;
}

class ConsumerAwareStoreClientTest : public ::testing::Test {
 protected:
  StrictMock<storesvc::client::MockStoreClient> store_;
  StrictMock<consumersvc::client::MockConsumerClient> consumers_;
  StrictMock<MockDataPlane> data_plane_;
  ConsumerAwareStoreClient client_{&store_, &consumers_, &data_plane_};
};

TEST_F(ConsumerAwareStoreClientTest, InterestStreamInfoSettlesAcksThenAsksAgainAndCounts) {
  InSequence in_order;
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Info("I", v1::RETENTION_INTEREST, 3)));
  EXPECT_CALL(data_plane_, Settle(std::string_view("I"))).WillOnce(Return(true));
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Info("I", v1::RETENTION_INTEREST, 1)));
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce([](const v1::ConsumerCountsRequest& request) {
    EXPECT_THAT(request.streams(), ElementsAre("I"));
    return Counts({2});
  });
  absl::StatusOr<v1::StreamInfo> info = client_.GetStreamInfo(Named("I"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state().messages(), 1u);
  EXPECT_EQ(info->state().consumer_count(), 2);
}

TEST_F(ConsumerAwareStoreClientTest, WorkQueueSettlesTooLimitsDoNot) {
  EXPECT_CALL(store_, GetStreamInfo(_))
      .WillOnce(Return(Info("W", v1::RETENTION_WORK_QUEUE, 1)))
      .WillOnce(Return(Info("W", v1::RETENTION_WORK_QUEUE, 0)))
      .WillOnce(Return(Info("L", v1::RETENTION_LIMITS, 5)));
  EXPECT_CALL(data_plane_, Settle(std::string_view("W"))).WillOnce(Return(false));
  EXPECT_CALL(consumers_, ConsumerCounts(_)).Times(2).WillRepeatedly(Return(Counts({0})));
  EXPECT_EQ(client_.GetStreamInfo(Named("W"))->state().messages(), 0u)
      << "an unsettled wait still asks again";
  EXPECT_EQ(client_.GetStreamInfo(Named("L"))->state().messages(), 5u);
}

TEST_F(ConsumerAwareStoreClientTest, ListCountsEveryStreamInOneCall) {
  v1::ListStreamsResponse list;
  *list.add_streams() = Info("A", v1::RETENTION_LIMITS, 0);
  *list.add_streams() = Info("B", v1::RETENTION_INTEREST, 0);
  EXPECT_CALL(store_, ListStreams(_)).WillOnce(Return(list));
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce([](const v1::ConsumerCountsRequest& request) {
    EXPECT_THAT(request.streams(), ElementsAre("A", "B"));
    return Counts({4, 1});
  });
  absl::StatusOr<v1::ListStreamsResponse> got = client_.ListStreams(v1::ListStreamsRequest());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->streams(0).state().consumer_count(), 4);
  EXPECT_EQ(got->streams(1).state().consumer_count(), 1);
}

TEST_F(ConsumerAwareStoreClientTest, CreateAndUpdateAreCountedErrorsPassThrough) {
  v1::StreamInfo limits = Info("L", v1::RETENTION_LIMITS, 0);
  EXPECT_CALL(store_, CreateStream(_)).WillOnce(Return(limits));
  EXPECT_CALL(store_, UpdateStream(_)).WillOnce(Return(absl::NotFoundError("gone")));
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce(Return(absl::UnavailableError("down")));
  absl::StatusOr<v1::StreamInfo> created = client_.CreateStream(v1::CreateStreamRequest());
  ASSERT_TRUE(created.ok()) << "a consumer service that does not answer costs the count only";
  EXPECT_EQ(created->state().consumer_count(), 0);
  EXPECT_EQ(client_.UpdateStream(v1::UpdateStreamRequest()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ConsumerAwareStoreClientAloneTest, WithoutConsumersItOnlyForwards) {
  StrictMock<storesvc::client::MockStoreClient> store;
  ConsumerAwareStoreClient client(&store, nullptr, nullptr);
  EXPECT_CALL(store, GetStreamInfo(_)).WillOnce(Return(Info("I", v1::RETENTION_INTEREST, 3)));
  EXPECT_EQ(client.GetStreamInfo(Named("I"))->state().messages(), 3u);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
