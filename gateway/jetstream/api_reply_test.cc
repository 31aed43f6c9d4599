#include "gateway/jetstream/api_reply.h"

#include <string>

#include "common/status.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

TEST(ApiReplyTest, SuccessReplyIsCountedJson) {
  JsApiReply reply = SuccessReply(JsApiEndpoint::kStreamDelete);
  EXPECT_TRUE(reply.send);
  EXPECT_EQ(reply.headers, "");
  EXPECT_EQ(reply.payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true})");
  EXPECT_EQ(reply.stat, JsApiReply::Stat::kOk);
}

TEST(ApiReplyTest, ErrorReplyHasTheFieldsNatsServerDoesNotOmit) {
  JsApiReply reply =
      ErrorReply(JsApiEndpoint::kStreamPurge, common::JsError(common::JsErrorId::kStreamNotFound));
  EXPECT_TRUE(reply.send);
  EXPECT_EQ(reply.payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_purge_response","error":{"code":404,)"
            R"("err_code":10059,"description":"stream not found"},"purged":0})");
  EXPECT_EQ(reply.stat, JsApiReply::Stat::kError);
  EXPECT_EQ(ErrorReply(JsApiEndpoint::kStreamList, absl::UnavailableError("down")).payload,
            R"({"type":"io.nats.jetstream.api.v1.stream_list_response","error":{"code":503,)"
            R"("description":"down"},"total":0,"offset":0,"limit":0,"streams":[]})");
  // nats-server starts both consumer responses with an empty list
  // (testdata/capi_names_missing_stream.json), unlike STREAM.NAMES'.
  absl::Status not_found = common::JsError(common::JsErrorId::kStreamNotFound);
  EXPECT_EQ(ErrorReply(JsApiEndpoint::kConsumerNames, not_found).payload,
            R"({"type":"io.nats.jetstream.api.v1.consumer_names_response","error":{"code":404,)"
            R"("err_code":10059,"description":"stream not found"},"total":0,"offset":0,)"
            R"("limit":0,"consumers":[]})");
}

TEST(ApiReplyTest, PagedReplies) {
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(JsApiEndpoint::kStreamNames, &w);
  WritePaging(3, 1, 1024, &w);
  w.EndObject();
  EXPECT_EQ(out, R"({"type":"io.nats.jetstream.api.v1.stream_names_response",)"
                 R"("total":3,"offset":1,"limit":1024})");
  EXPECT_EQ(JsonReply(out).stat, JsApiReply::Stat::kOk);
}

TEST(ApiReplyTest, ListPagingCapsTheOffsetAtTheTotal) {
  std::string out;
  common::GoJsonWriter w(&out);
  w.BeginObject();
  WriteListPaging(270, 400, 256, &w);
  w.EndObject();
  EXPECT_EQ(out, R"({"total":270,"offset":270,"limit":256})");
  out.clear();
  common::GoJsonWriter w2(&out);
  w2.BeginObject();
  WriteListPaging(270, 260, 256, &w2);
  w2.EndObject();
  EXPECT_EQ(out, R"({"total":270,"offset":260,"limit":256})");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
