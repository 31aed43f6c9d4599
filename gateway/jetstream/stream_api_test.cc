#include "gateway/jetstream/stream_api.h"

#include <string>

#include "absl/time/clock.h"
#include "common/status.h"
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

constexpr char kCreateOrders[] =
    R"({"name":"ORDERS","subjects":["orders.*","ship.>"],"retention":"limits","max_consumers":-1,)"
    R"("max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,)"
    R"("discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,)"
    R"("allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,)"
    R"("deny_purge":false,"allow_rollup_hdrs":false})";

constexpr char kUpdateOrders[] =
    R"({"name":"ORDERS","subjects":["orders.*","ship.>"],"retention":"limits","max_consumers":-1,)"
    R"("max_msgs":1000,"max_bytes":-1,"max_age":3600000000000,"max_msgs_per_subject":-1,)"
    R"("max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,)"
    R"("duplicate_window":120000000000,"allow_direct":true,"description":"orders & <stuff>"})";

// ORDERS holding the capture's three messages.
v1::StreamInfo FullOrdersInfo() {
  v1::StreamInfo info = OrdersInfo();
  v1::StreamState* s = info.mutable_state();
  s->set_messages(3);
  s->set_bytes(178);
  s->set_first_seq(1);
  s->set_first_ts_ns(1795537646953633808);
  s->set_num_subjects(3);
  return info;
}

class StreamApiTest : public ::testing::Test {
 protected:
  // Routes `subject` as the router does, then asks the stream API.
  JsApiReply Handle(std::string_view subject, std::string_view payload = "") {
    return api_.Handle(RouteJsApiSubject(subject), payload);
  }

  StrictMock<storesvc::client::MockStoreClient> store_;
  StreamApi api_{&store_, nullptr, ""};
};

TEST_F(StreamApiTest, StreamCreateSendsConfigAndRepliesAsNatsServer) {
  v1::CreateStreamRequest seen;
  v1::StreamInfo created;
  *created.mutable_config() = OrdersConfig();
  created.set_created_ns(1795537646951038088);
  created.mutable_state();
  EXPECT_CALL(store_, CreateStream(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(created)));
  ExpectGolden(Handle("$JS.API.STREAM.CREATE.ORDERS", kCreateOrders), "stream_create");
  EXPECT_EQ(seen.config().SerializeAsString(), OrdersConfig().SerializeAsString());
}

TEST_F(StreamApiTest, StreamCreateRejectsBadRequestsWithoutTouchingTheStore) {
  ExpectGolden(Handle("$JS.API.STREAM.CREATE.OTHER", R"({"name":"ORDERS","subjects":["x"]})"),
               "stream_create_mismatch");
  ExpectGolden(Handle("$JS.API.STREAM.CREATE.BAD", R"({"name":)"), "stream_create_bad_json");
  ExpectGolden(Handle("$JS.API.STREAM.CREATE.BAD", R"({"name":"BAD","max_msgs":"ten"})"),
               "stream_create_wrong_type");
  ExpectGolden(Handle("$JS.API.STREAM.CREATE.*", R"({"name":"*"})"), "stream_create_wildcard");

  EXPECT_THAT(Handle("$JS.API.STREAM.CREATE.a/b", R"({"name":"a/b"})").payload,
              HasSubstr(R"("error":{"code":400,"err_code":10128,)"));
  EXPECT_THAT(Handle("$JS.API.STREAM.CREATE.S", R"({"name":"S","sealed":true})").payload,
              HasSubstr("stream configuration for create can not be sealed"));
  EXPECT_THAT(Handle("$JS.API.STREAM.CREATE.S", R"({"name":"S","mirror_direct":true})").payload,
              HasSubstr("stream has no mirror but does have mirror direct"));
  std::string long_name(256, 'n');
  EXPECT_THAT(
      Handle("$JS.API.STREAM.CREATE." + long_name, R"({"name":")" + long_name + "\"}").payload,
      HasSubstr("stream name is too long, maximum allowed is 255"));
  EXPECT_EQ(Handle("$JS.API.STREAM.CREATE.S", "").payload, Golden("stream_create_bad_json.json"));
  EXPECT_EQ(Handle("$JS.API.STREAM.CREATE.S", "[]").payload, Golden("stream_create_bad_json.json"));
}

TEST_F(StreamApiTest, StreamCreatePassesStoreErrorsOn) {
  EXPECT_CALL(store_, CreateStream(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNameExist)));
  EXPECT_EQ(Handle("$JS.API.STREAM.CREATE.S", R"({"name":"S"})").payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,)"
            R"("err_code":10058,"description":"stream name already in use with a different )"
            R"(configuration"}})");
  EXPECT_CALL(store_, CreateStream(_)).WillOnce(Return(absl::UnavailableError("store down")));
  EXPECT_EQ(Handle("$JS.API.STREAM.CREATE.S", R"({"name":"S"})").payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":503,)"
            R"("description":"store down"}})");
}

// nats-server's stream_action advisories: on a create that made the stream
// (not on one answering an identical existing stream), an update, a delete;
// never on a failure.
TEST_F(StreamApiTest, CreateUpdateDeleteCarryStreamActionAdvisories) {
  v1::StreamInfo fresh = OrdersInfo();
  fresh.set_created_ns(absl::GetCurrentTimeNanos() + 1000000000);
  v1::StreamInfo old = OrdersInfo();
  old.set_created_ns(1);
  EXPECT_CALL(store_, CreateStream(_))
      .WillOnce(Return(fresh))
      .WillOnce(Return(old))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNameExist)));
  JsApiReply created = Handle("$JS.API.STREAM.CREATE.ORDERS", kCreateOrders);
  ASSERT_EQ(created.events.size(), 1u);
  EXPECT_EQ(created.events[0].subject, "$JS.EVENT.ADVISORY.STREAM.CREATED.ORDERS");
  EXPECT_THAT(created.events[0].payload, HasSubstr(R"("stream":"ORDERS","action":"create")"));
  EXPECT_TRUE(Handle("$JS.API.STREAM.CREATE.ORDERS", kCreateOrders).events.empty());
  EXPECT_TRUE(Handle("$JS.API.STREAM.CREATE.ORDERS", kCreateOrders).events.empty());

  EXPECT_CALL(store_, UpdateStream(_))
      .WillOnce(Return(OrdersInfo()))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  JsApiReply updated = Handle("$JS.API.STREAM.UPDATE.ORDERS", kUpdateOrders);
  ASSERT_EQ(updated.events.size(), 1u);
  EXPECT_EQ(updated.events[0].subject, "$JS.EVENT.ADVISORY.STREAM.UPDATED.ORDERS");
  EXPECT_THAT(updated.events[0].payload, HasSubstr(R"("action":"modify")"));
  EXPECT_TRUE(Handle("$JS.API.STREAM.UPDATE.ORDERS", kUpdateOrders).events.empty());

  EXPECT_CALL(store_, DeleteStream(_))
      .WillOnce(Return(absl::OkStatus()))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  JsApiReply deleted = Handle("$JS.API.STREAM.DELETE.ORDERS");
  ASSERT_EQ(deleted.events.size(), 1u);
  EXPECT_EQ(deleted.events[0].subject, "$JS.EVENT.ADVISORY.STREAM.DELETED.ORDERS");
  EXPECT_THAT(deleted.events[0].payload, HasSubstr(R"("action":"delete")"));
  EXPECT_TRUE(Handle("$JS.API.STREAM.DELETE.ORDERS").events.empty());
}

TEST_F(StreamApiTest, StreamUpdate) {
  v1::UpdateStreamRequest seen;
  v1::StreamInfo updated = OrdersInfo();
  v1::StreamConfig* c = updated.mutable_config();
  c->set_description("orders & <stuff>");
  c->set_max_msgs(1000);
  c->set_max_age_ns(3600000000000);
  c->set_discard(v1::DISCARD_NEW);
  EXPECT_CALL(store_, UpdateStream(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(updated)));
  ExpectGolden(Handle("$JS.API.STREAM.UPDATE.ORDERS", kUpdateOrders), "stream_update");
  EXPECT_EQ(seen.config().SerializeAsString(), updated.config().SerializeAsString());

  EXPECT_THAT(Handle("$JS.API.STREAM.UPDATE.X", R"({"name":"ORDERS"})").payload,
              HasSubstr("\"err_code\":10056"));
  EXPECT_THAT(Handle("$JS.API.STREAM.UPDATE.X", R"({"name":"X.Y"})").payload,
              HasSubstr("\"err_code\":10052"));
  EXPECT_THAT(Handle("$JS.API.STREAM.UPDATE.X", R"({"name":1})").payload,
              HasSubstr("\"err_code\":10025"));
  EXPECT_CALL(store_, UpdateStream(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  EXPECT_EQ(Handle("$JS.API.STREAM.UPDATE.X", R"({"name":"X"})").payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_update_response","error":{"code":404,)"
            R"("err_code":10059,"description":"stream not found"}})");
}

TEST_F(StreamApiTest, StreamInfo) {
  v1::StreamInfoRequest seen;
  EXPECT_CALL(store_, GetStreamInfo(_))
      .WillOnce(DoAll(SaveArg<0>(&seen), Return(FullOrdersInfo())));
  ExpectGolden(Handle("$JS.API.STREAM.INFO.ORDERS"), "stream_info");
  EXPECT_EQ(seen.name(), "ORDERS");
  EXPECT_FALSE(seen.deleted_details());
  EXPECT_EQ(seen.subjects_filter(), "");

  EXPECT_CALL(store_, GetStreamInfo(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  ExpectGolden(Handle("$JS.API.STREAM.INFO.NOPE"), "stream_info_not_found");
}

TEST_F(StreamApiTest, StreamInfoWithSubjectsPagesThem) {
  v1::StreamInfoRequest seen;
  v1::StreamInfo info = FullOrdersInfo();
  (*info.mutable_state()->mutable_subjects())["ship.eu.x"] = 1;
  (*info.mutable_state()->mutable_subjects())["orders.b"] = 1;
  (*info.mutable_state()->mutable_subjects())["orders.a"] = 1;
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(info)));
  ExpectGolden(Handle("$JS.API.STREAM.INFO.ORDERS", R"({"subjects_filter":">"})"),
               "stream_info_subjects");
  EXPECT_EQ(seen.subjects_filter(), ">");

  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(info));
  std::string page =
      Handle("$JS.API.STREAM.INFO.ORDERS", R"({"subjects_filter":">","offset":2})").payload;
  EXPECT_THAT(page, HasSubstr(R"("total":3,"offset":2,"limit":100000,)"));
  EXPECT_THAT(page, HasSubstr(R"("subjects":{"ship.eu.x":1},)"));

  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(info));
  page = Handle("$JS.API.STREAM.INFO.ORDERS", R"({"subjects_filter":">","offset":7})").payload;
  EXPECT_THAT(page, HasSubstr(R"("total":3,"offset":3,"limit":100000,)"));
  EXPECT_THAT(page, ::testing::Not(HasSubstr("\"subjects\":{")));
}

TEST_F(StreamApiTest, StreamInfoAsksForDeletedDetails) {
  v1::StreamInfoRequest seen;
  v1::StreamInfo info = OrdersInfo();
  info.mutable_state()->set_num_deleted(1);
  info.mutable_state()->add_deleted(5);
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(info)));
  EXPECT_THAT(Handle("$JS.API.STREAM.INFO.ORDERS", R"({"deleted_details":true})").payload,
              HasSubstr(R"("num_subjects":2,"num_deleted":1,"deleted":[5],"consumer_count":0}})"));
  EXPECT_TRUE(seen.deleted_details());
}

TEST_F(StreamApiTest, StreamInfoErrors) {
  EXPECT_THAT(Handle("$JS.API.STREAM.INFO.ORDERS", R"({"deleted_details":"yes"})").payload,
              HasSubstr(R"("err_code":10025,"description":"invalid JSON"},"total":0)"));
  EXPECT_EQ(Handle("$JS.API.STREAM.INFO.*").payload, Golden("stream_info_not_found.json"));
}

TEST_F(StreamApiTest, StreamNames) {
  v1::ListStreamsRequest seen;
  v1::StreamNamesResponse names;
  names.set_total(1);
  names.set_limit(1024);
  names.add_names("ORDERS");
  EXPECT_CALL(store_, StreamNames(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(names)));
  ExpectGolden(Handle("$JS.API.STREAM.NAMES"), "stream_names");
  EXPECT_EQ(seen.limit(), 1024);
  EXPECT_EQ(seen.offset(), 0);

  v1::StreamNamesResponse none;
  none.set_limit(1024);
  EXPECT_CALL(store_, StreamNames(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(none)));
  ExpectGolden(Handle("$JS.API.STREAM.NAMES", R"({"subject":"nomatch","offset":3})"),
               "stream_names_filter");
  EXPECT_EQ(seen.subject(), "nomatch");
  EXPECT_EQ(seen.offset(), 3);

  EXPECT_EQ(Handle("$JS.API.STREAM.NAMES", R"({"offset":"x"})").payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_names_response","error":{"code":400,)"
            R"("err_code":10025,"description":"invalid JSON"},"total":0,"offset":0,"limit":0,)"
            R"("streams":null})");
}

TEST_F(StreamApiTest, StreamList) {
  v1::ListStreamsRequest seen;
  v1::ListStreamsResponse list;
  list.set_total(1);
  list.set_limit(256);
  *list.add_streams() = OrdersInfo();
  EXPECT_CALL(store_, ListStreams(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(list)));
  ExpectGolden(Handle("$JS.API.STREAM.LIST", "{}"), "stream_list");
  EXPECT_EQ(seen.limit(), 256);

  EXPECT_CALL(store_, ListStreams(_)).WillOnce(Return(v1::ListStreamsResponse()));
  ExpectGolden(Handle("$JS.API.STREAM.LIST"), "stream_list_empty");

  EXPECT_THAT(Handle("$JS.API.STREAM.LIST", "{").payload,
              HasSubstr(R"("total":0,"offset":0,"limit":0,"streams":[]})"));
}

TEST_F(StreamApiTest, StreamPurge) {
  v1::PurgeStreamRequest seen;
  v1::PurgeStreamResponse one;
  one.set_purged(1);
  EXPECT_CALL(store_, PurgeStream(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(one)));
  ExpectGolden(Handle("$JS.API.STREAM.PURGE.ORDERS", R"({"keep":1})"), "stream_purge_keep");
  EXPECT_EQ(seen.name(), "ORDERS");
  EXPECT_EQ(seen.keep(), 1u);

  ExpectGolden(Handle("$JS.API.STREAM.PURGE.ORDERS", R"({"keep":1,"seq":3})"), "stream_purge_bad");

  EXPECT_CALL(store_, PurgeStream(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(one)));
  ExpectGolden(Handle("$JS.API.STREAM.PURGE.ORDERS"), "stream_purge");
  EXPECT_EQ(seen.keep(), 0u);
  EXPECT_EQ(seen.seq(), 0u);
  EXPECT_EQ(seen.filter(), "");

  EXPECT_CALL(store_, PurgeStream(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(one)));
  Handle("$JS.API.STREAM.PURGE.ORDERS", R"({"filter":"orders.*","seq":9})");
  EXPECT_EQ(seen.filter(), "orders.*");
  EXPECT_EQ(seen.seq(), 9u);

  EXPECT_CALL(store_, PurgeStream(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  ExpectGolden(Handle("$JS.API.STREAM.PURGE.NOPE"), "stream_purge_missing");
  EXPECT_THAT(Handle("$JS.API.STREAM.PURGE.ORDERS", R"({"seq":-1})").payload,
              HasSubstr(R"("err_code":10025,"description":"invalid JSON"},"purged":0})"));
}

TEST_F(StreamApiTest, StreamDelete) {
  v1::DeleteStreamRequest seen;
  EXPECT_CALL(store_, DeleteStream(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(absl::OkStatus())));
  ExpectGolden(Handle("$JS.API.STREAM.DELETE.ORDERS"), "stream_delete");
  EXPECT_EQ(seen.name(), "ORDERS");
  ExpectGolden(Handle("$JS.API.STREAM.DELETE.ORDERS", R"({"x":1})"), "stream_delete_not_empty");
  EXPECT_CALL(store_, DeleteStream(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  ExpectGolden(Handle("$JS.API.STREAM.DELETE.ORDERS"), "stream_delete_missing");
}

TEST_F(StreamApiTest, MsgGetBySequenceLastAndNext) {
  v1::GetMessageRequest seen;
  EXPECT_CALL(store_, GetMessage(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(CapturedMessage(2))));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"seq":2})"), "msg_get_seq");
  EXPECT_EQ(seen.stream(), "ORDERS");
  EXPECT_EQ(seen.seq(), 2u);

  EXPECT_CALL(store_, GetMessage(_)).WillOnce(Return(CapturedMessage(1)));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"seq":1})"), "msg_get_no_hdr");

  EXPECT_CALL(store_, GetMessage(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(CapturedMessage(1))));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"last_by_subj":"orders.a"})"),
               "msg_get_last");
  EXPECT_EQ(seen.last_by_subject(), "orders.a");
  EXPECT_EQ(seen.seq(), 0u);

  EXPECT_CALL(store_, GetMessage(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(CapturedMessage(3))));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"next_by_subj":"ship.>","seq":2})"),
               "msg_get_next");
  EXPECT_EQ(seen.next_by_subject(), "ship.>");
  EXPECT_EQ(seen.seq(), 2u);
}

TEST_F(StreamApiTest, MsgGetErrors) {
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kNoMessageFound)));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"seq":99})"), "msg_get_missing");
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", ""), "msg_get_empty");
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", "{}"), "msg_get_empty");
  ExpectGolden(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"seq":1,"last_by_subj":"orders.a"})"),
               "msg_get_both");
  EXPECT_EQ(
      Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"last_by_subj":"a","next_by_subj":"b"})").payload,
      Golden("msg_get_both.json"));
  EXPECT_EQ(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"x":1})").payload,
            Golden("msg_get_both.json"));
  EXPECT_THAT(Handle("$JS.API.STREAM.MSG.GET.ORDERS", R"({"seq":"1"})").payload,
              HasSubstr("\"err_code\":10025"));
  EXPECT_THAT(Handle("$JS.API.STREAM.MSG.GET.*", R"({"seq":1})").payload,
              HasSubstr("\"err_code\":10059"));
}

TEST_F(StreamApiTest, MsgDelete) {
  v1::DeleteMessageRequest seen;
  EXPECT_CALL(store_, DeleteMessage(_))
      .WillOnce(DoAll(SaveArg<0>(&seen), Return(absl::OkStatus())));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.DELETE.ORDERS", R"({"seq":1})"), "msg_delete");
  EXPECT_EQ(seen.stream(), "ORDERS");
  EXPECT_EQ(seen.seq(), 1u);
  EXPECT_FALSE(seen.no_erase());

  EXPECT_CALL(store_, DeleteMessage(_))
      .WillOnce(DoAll(SaveArg<0>(&seen),
                      Return(common::JsErrorF(common::JsErrorId::kStreamMsgDeleteFailed,
                                              {{"err", "no message found"}}))));
  ExpectGolden(Handle("$JS.API.STREAM.MSG.DELETE.ORDERS", R"({"seq":1,"no_erase":true})"),
               "msg_delete_missing");
  EXPECT_TRUE(seen.no_erase());

  EXPECT_THAT(Handle("$JS.API.STREAM.MSG.DELETE.ORDERS", "").payload,
              HasSubstr("\"err_code\":10003"));
  EXPECT_THAT(Handle("$JS.API.STREAM.MSG.DELETE.ORDERS", R"({"seq":true})").payload,
              HasSubstr("\"err_code\":10025"));
}

TEST_F(StreamApiTest, DirectGetRepliesWithTheMessage) {
  v1::GetMessageRequest seen;
  EXPECT_CALL(store_, GetMessage(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(CapturedMessage(2))));
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":2})"), "direct_get_seq");
  EXPECT_EQ(seen.seq(), 2u);
  EXPECT_TRUE(seen.direct());

  EXPECT_CALL(store_, GetMessage(_)).WillOnce(Return(CapturedMessage(1)));
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":1})"), "direct_get_no_hdr");

  EXPECT_CALL(store_, GetMessage(_)).WillOnce(DoAll(SaveArg<0>(&seen), Return(CapturedMessage(3))));
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS.ship.eu.x"), "direct_get_last_subject");
  EXPECT_EQ(seen.last_by_subject(), "ship.eu.x");
}

TEST_F(StreamApiTest, DirectGetStatuses) {
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kNoMessageFound)));
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":99})"), "direct_get_missing");
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", ""), "direct_get_empty");
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", "{}"), "direct_get_empty");
  ExpectDirectGolden(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":)"), "direct_get_bad_json");
  JsApiReply both = Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":1,"last_by_subj":"a"})");
  EXPECT_EQ(both.headers, "NATS/1.0 408 Bad Request\r\n\r\n");
  JsApiReply body = Handle("$JS.API.DIRECT.GET.ORDERS.ship.eu.x", "{}");
  EXPECT_EQ(body.headers, "NATS/1.0 408 Bad Request\r\n\r\n");
}

TEST_F(StreamApiTest, DirectGetIsSilentWithoutADirectStream) {
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  ExpectNoReply(Handle("$JS.API.DIRECT.GET.NOPE", R"({"seq":1})"));
  EXPECT_EQ(Golden("direct_get_unknown_stream.json"), "");
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce(Return(absl::FailedPreconditionError("stream does not allow direct gets")));
  ExpectNoReply(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":1})"));
  ExpectNoReply(Handle("$JS.API.DIRECT.GET.*", R"({"seq":1})"));
  EXPECT_CALL(store_, GetMessage(_)).WillOnce(Return(absl::UnavailableError("down")));
  ExpectNoReply(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":1})"));
}

TEST_F(StreamApiTest, EndpointsThisEngineDoesNotHaveAsNatsServer) {
  EXPECT_EQ(
      Handle("$JS.API.STREAM.LEADER.STEPDOWN.S").payload,
      R"({"type":"io.nats.jetstream.api.v1.stream_leader_stepdown_response","error":)"
      R"({"code":503,"err_code":10010,"description":"JetStream clustering support required"}})");
  EXPECT_THAT(Handle("$JS.API.STREAM.SNAPSHOT.S", "{}").payload,
              HasSubstr("stream_snapshot_response\",\"error\":{\"code\":500"));
  EXPECT_THAT(Handle("$JS.API.STREAM.TEMPLATE.NAMES").payload,
              HasSubstr(R"("total":0,"offset":0,"limit":0,"streams":null})"));
}

TEST_F(StreamApiTest, RepliesSayHowTheyCountInTheApiStatistics) {
  EXPECT_CALL(store_, DeleteStream(_)).WillOnce(Return(absl::OkStatus()));
  EXPECT_EQ(Handle("$JS.API.STREAM.DELETE.ORDERS").stat, JsApiReply::Stat::kOk);
  EXPECT_EQ(Handle("$JS.API.STREAM.INFO.*").stat, JsApiReply::Stat::kError);
  EXPECT_CALL(store_, GetMessage(_)).WillOnce(Return(CapturedMessage(2)));
  EXPECT_EQ(Handle("$JS.API.DIRECT.GET.ORDERS", R"({"seq":2})").stat,
            JsApiReply::Stat::kNotCounted);
  EXPECT_EQ(Handle("$JS.API.DIRECT.GET.ORDERS", "").stat, JsApiReply::Stat::kNotCounted);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
