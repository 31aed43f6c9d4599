#include "gateway/jetstream/account_api.h"

#include <memory>
#include <string>

#include "gateway/jetstream/api_reply_testing.h"
#include "gateway/jetstream/testdata.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"

namespace jsengine::gateway::jetstream {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::StrictMock;

TEST(AccountApiTest, InfoTotalsEveryPageOfStreams) {
  StrictMock<storesvc::client::MockStoreClient> store;
  AccountApi account(&store, nullptr, "");
  EXPECT_CALL(store, ListStreams(_)).WillOnce(Return(v1::ListStreamsResponse()));
  ExpectGolden(account.Info(JsApiStats{}), "account_info_empty");

  v1::ListStreamsResponse first, second;
  first.set_total(3);
  second.set_total(3);
  second.set_offset(2);
  v1::StreamInfo file = OrdersInfo();
  file.mutable_state()->set_consumer_count(2);
  v1::StreamInfo memory = OrdersInfo();
  memory.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  memory.mutable_state()->set_bytes(1000);
  *first.add_streams() = file;
  *first.add_streams() = memory;
  *second.add_streams() = file;
  v1::ListStreamsRequest seen;
  EXPECT_CALL(store, ListStreams(_))
      .WillOnce(Return(first))
      .WillOnce(DoAll(SaveArg<0>(&seen), Return(second)));
  std::string info = account.Info(JsApiStats{1, 0}).payload;
  EXPECT_EQ(seen.offset(), 2);
  EXPECT_THAT(info, HasSubstr(R"("memory":1000,"storage":270,"streams":3,"consumers":4,)"));
  EXPECT_THAT(info, HasSubstr(R"("api":{"total":1,"errors":0}})"));
}

TEST(AccountApiTest, InfoReportsConfiguredLimits) {
  StrictMock<storesvc::client::MockStoreClient> store;
  JsAccountLimits limits;
  limits.max_memory = 1 << 20;
  limits.max_streams = 10;
  AccountApi account(&store, std::make_shared<AccountLimits>(limits), "hub");
  EXPECT_CALL(store, ListStreams(_)).WillOnce(Return(v1::ListStreamsResponse()));
  EXPECT_THAT(account.Info(JsApiStats{}).payload,
              HasSubstr(R"("limits":{"max_memory":1048576,"max_storage":-1,"max_streams":10,)"
                        R"("max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,)"
                        R"("storage_max_stream_bytes":-1,"max_bytes_required":false},)"
                        R"("domain":"hub","api":)"));
}

TEST(AccountApiTest, UsageTotalsTheMaxBytesStreamsReserve) {
  StrictMock<storesvc::client::MockStoreClient> store;
  v1::ListStreamsResponse list;
  list.set_total(4);
  v1::StreamInfo file = OrdersInfo();
  file.mutable_config()->set_max_bytes(300);
  v1::StreamInfo memory = OrdersInfo();
  memory.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  memory.mutable_config()->set_max_bytes(100);
  v1::StreamInfo unlimited = OrdersInfo();
  unlimited.mutable_config()->set_max_bytes(-1);
  *list.add_streams() = file;
  *list.add_streams() = file;
  *list.add_streams() = memory;
  *list.add_streams() = unlimited;
  EXPECT_CALL(store, ListStreams(_)).WillOnce(Return(list));
  absl::StatusOr<AccountUsage> usage = TotalAccountUsage(&store);
  ASSERT_TRUE(usage.ok()) << usage.status();
  EXPECT_EQ(usage->reserved_storage, 600u);
  EXPECT_EQ(usage->reserved_memory, 100u);
}

TEST(AccountApiTest, InfoPassesStoreErrorsOn) {
  StrictMock<storesvc::client::MockStoreClient> store;
  AccountApi account(&store, nullptr, "");
  EXPECT_CALL(store, ListStreams(_)).WillOnce(Return(absl::UnavailableError("store down")));
  JsApiReply reply = account.Info(JsApiStats{});
  EXPECT_EQ(reply.payload,
            R"({"type":"io.nats.jetstream.api.v1.account_info_response","error":{"code":503,)"
            R"("description":"store down"}})");
  EXPECT_EQ(reply.stat, JsApiReply::Stat::kError);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
