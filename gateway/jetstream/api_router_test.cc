#include "gateway/jetstream/api_router.h"

#include <string>

#include "common/status.h"
#include "consumersvc/client/mock_consumer_client.h"
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

class JsApiRouterTest : public ::testing::Test {
 protected:
  JsApiReply Handle(std::string_view subject, std::string_view payload = "") {
    return router_.Handle(subject, payload);
  }

  StrictMock<storesvc::client::MockStoreClient> store_;
  JsApiRouter router_{&store_, JsApiOptions{}};
};

TEST_F(JsApiRouterTest, RoutesEachResourceToItsHandler) {
  EXPECT_CALL(store_, ListStreams(_)).WillOnce(Return(v1::ListStreamsResponse()));
  ExpectGolden(Handle("$JS.API.INFO"), "account_info_empty");
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(OrdersInfo()));
  EXPECT_THAT(Handle("$JS.API.STREAM.INFO.ORDERS").payload, HasSubstr("stream_info_response"));
  EXPECT_CALL(store_, GetMessage(_)).WillOnce(Return(CapturedMessage(2)));
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":2})"), "direct_get_seq");
}

TEST_F(JsApiRouterTest, SubjectsThatAreNoEndpointGetNoReply) {
  ExpectNoReply(Handle("$JS.API.NOPE.X"));
  EXPECT_EQ(Golden("unknown_api.json"), "");
  ExpectNoReply(Handle("$JS.API.STREAM.NAMES.X"));
  ExpectNoReply(Handle("$JS.API.STREAM.CREATE.A.B", R"({"name":"A.B"})"));
  EXPECT_EQ(Golden("stream_create_dotted.json"), "");
  ExpectNoReply(Handle("$JS.API.STREAM.INFO.A.B"));
}

TEST_F(JsApiRouterTest, AccountInfoCountsTheJsonRepliesBeforeIt) {
  EXPECT_CALL(store_, ListStreams(_)).WillRepeatedly(Return(v1::ListStreamsResponse()));
  EXPECT_THAT(Handle("$JS.API.INFO").payload, HasSubstr(R"("api":{"total":0,"errors":0}})"));
  EXPECT_THAT(Handle("$JS.API.INFO").payload, HasSubstr(R"("api":{"total":1,"errors":0}})"));
  Handle("$JS.API.STREAM.INFO.*");
  EXPECT_THAT(Handle("$JS.API.INFO").payload, HasSubstr(R"("api":{"total":3,"errors":1}})"));

  EXPECT_CALL(store_, GetMessage(_)).WillOnce(Return(CapturedMessage(2)));
  EXPECT_TRUE(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":2})").send);
  Handle("$JS.API.NOPE.X");
  Handle("$JS.API.CONSUMER.MSG.NEXT.S.C");
  EXPECT_THAT(Handle("$JS.API.INFO").payload, HasSubstr(R"("api":{"total":4,"errors":1}})"));
}

TEST_F(JsApiRouterTest, ConsumerRequestsGetAnHonestErrorUntilConsumersExist) {
  EXPECT_EQ(Handle("$JS.API.CONSUMER.CREATE.S", "{}").payload,
            R"({"type":"io.nats.jetstream.api.v1.consumer_create_response","error":{"code":503,)"
            R"("description":"consumers not available"}})");
  EXPECT_EQ(Handle("$JS.API.CONSUMER.NAMES.S").payload,
            R"({"type":"io.nats.jetstream.api.v1.consumer_names_response","error":{"code":503,)"
            R"("description":"consumers not available"},"total":0,"offset":0,"limit":0,)"
            R"("consumers":[]})");
  EXPECT_EQ(Handle("$JS.API.CONSUMER.LIST.S").payload,
            R"({"type":"io.nats.jetstream.api.v1.consumer_list_response","error":{"code":503,)"
            R"("description":"consumers not available"},"total":0,"offset":0,"limit":0,)"
            R"("consumers":[]})");
  EXPECT_THAT(Handle("$JS.API.CONSUMER.INFO.S.C").payload, HasSubstr("consumer_info_response"));
  EXPECT_EQ(
      Handle("$JS.API.CONSUMER.LEADER.STEPDOWN.S.C").payload,
      R"({"type":"io.nats.jetstream.api.v1.consumer_leader_stepdown_response","error":)"
      R"({"code":503,"err_code":10010,"description":"JetStream clustering support required"}})");
  ExpectNoReply(Handle("$JS.API.CONSUMER.MSG.NEXT.S.C", "{\"batch\":1}"));
}

TEST_F(JsApiRouterTest, ConsumerRequestsGoToTheConsumerServiceWhenThereIsOne) {
  StrictMock<consumersvc::client::MockConsumerClient> consumers;
  JsApiOptions options;
  options.consumers = &consumers;
  JsApiRouter router(&store_, options);

  v1::ListConsumersRequest seen;
  EXPECT_CALL(consumers, ConsumerNames(_))
      .WillOnce(DoAll(SaveArg<0>(&seen), Return(v1::ConsumerNamesResponse())));
  ExpectGolden(router.Handle("$JS.API.CONSUMER.NAMES.KV_x", ""), "consumer_names");
  EXPECT_EQ(seen.stream(), "KV_x");
  ExpectGolden(router.Handle("$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X", R"({"durable_name":)"),
               "consumer_create_bad_json");
  ExpectGolden(router.Handle("$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.F", ""),
               "capi_leader_stepdown");
  ExpectNoReply(router.Handle("$JS.API.CONSUMER.MSG.NEXT.S.C", R"({"batch":1})"));
  EXPECT_CALL(store_, ListStreams(_)).WillOnce(Return(v1::ListStreamsResponse()));
  EXPECT_THAT(router.Handle("$JS.API.INFO", "").payload,
              HasSubstr(R"("api":{"total":3,"errors":2}})"));
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
