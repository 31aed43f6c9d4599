#include "gateway/jetstream/api_subject.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

using E = JsApiEndpoint;

TEST(RouteJsApiSubjectTest, MatchesNatsServerPatterns) {
  struct Case {
    const char* subject;
    JsApiEndpoint endpoint;
    const char* stream;
    const char* rest;
  } cases[] = {
      {"$JS.API.INFO", E::kAccountInfo, "", ""},
      {"$JS.API.STREAM.CREATE.ORDERS", E::kStreamCreate, "ORDERS", ""},
      {"$JS.API.STREAM.UPDATE.ORDERS", E::kStreamUpdate, "ORDERS", ""},
      {"$JS.API.STREAM.DELETE.ORDERS", E::kStreamDelete, "ORDERS", ""},
      {"$JS.API.STREAM.INFO.ORDERS", E::kStreamInfo, "ORDERS", ""},
      {"$JS.API.STREAM.LIST", E::kStreamList, "", ""},
      {"$JS.API.STREAM.NAMES", E::kStreamNames, "", ""},
      {"$JS.API.STREAM.PURGE.ORDERS", E::kStreamPurge, "ORDERS", ""},
      {"$JS.API.STREAM.MSG.GET.ORDERS", E::kStreamMsgGet, "ORDERS", ""},
      {"$JS.API.STREAM.MSG.DELETE.ORDERS", E::kStreamMsgDelete, "ORDERS", ""},
      {"$JS.API.STREAM.LEADER.STEPDOWN.ORDERS", E::kStreamLeaderStepDown, "ORDERS", ""},
      {"$JS.API.STREAM.TEMPLATE.NAMES", E::kTemplateNames, "", ""},
      {"$JS.API.DIRECT.GET.KV_x", E::kDirectGet, "KV_x", ""},
      {"$JS.API.DIRECT.GET.KV_x.$KV.x.key", E::kDirectGetLastBySubject, "KV_x", "$KV.x.key"},
      {"$JS.API.CONSUMER.CREATE.S", E::kConsumerCreate, "S", ""},
      {"$JS.API.CONSUMER.CREATE.S.C.foo.>", E::kConsumerCreate, "S", "C.foo.>"},
      {"$JS.API.CONSUMER.CREATE.S.C", E::kConsumerCreate, "S", "C"},
      {"$JS.API.CONSUMER.DURABLE.CREATE.S.C", E::kConsumerDurableCreate, "S", "C"},
      {"$JS.API.CONSUMER.INFO.S.C", E::kConsumerInfo, "S", "C"},
      {"$JS.API.CONSUMER.DELETE.S.C", E::kConsumerDelete, "S", "C"},
      {"$JS.API.CONSUMER.NAMES.S", E::kConsumerNames, "S", ""},
      {"$JS.API.CONSUMER.LIST.S", E::kConsumerList, "S", ""},
      {"$JS.API.CONSUMER.LEADER.STEPDOWN.S.C", E::kConsumerLeaderStepDown, "S", "C"},
      {"$JS.API.CONSUMER.MSG.NEXT.S.C", E::kConsumerMsgNext, "S", "C"},
      {"$JS.API.CONSUMER.DURABLE.CREATE.S.C.X", E::kUnknown, "", ""},
      {"$JS.API.CONSUMER.DURABLE.CREATE.S", E::kUnknown, "", ""},
      {"$JS.API.CONSUMER.INFO.S", E::kUnknown, "", ""},
      {"$JS.API.CONSUMER.NAMES.S.X", E::kUnknown, "", ""},
      {"$JS.API.CONSUMER.CREATE", E::kUnknown, "", ""},
      {"$JS.API.STREAM.INFO.A.B", E::kUnknown, "", ""},
      {"$JS.API.STREAM.INFO", E::kUnknown, "", ""},
      {"$JS.API.STREAM.NAMES.X", E::kUnknown, "", ""},
      {"$JS.API.NOPE.X", E::kUnknown, "", ""},
      {"$JS.API.STREAM.INFO..X", E::kUnknown, "", ""},
      {"$JS.API.STREAM.INFO.", E::kUnknown, "", ""},
      {"$JS.APIX.INFO", E::kUnknown, "", ""},
      {"orders.a", E::kUnknown, "", ""},
  };
  for (const Case& c : cases) {
    JsApiRoute route = RouteJsApiSubject(c.subject);
    EXPECT_EQ(route.endpoint, c.endpoint) << c.subject;
    EXPECT_EQ(route.stream, c.stream) << c.subject;
    EXPECT_EQ(route.rest, c.rest) << c.subject;
  }
}

TEST(JsApiResponseTypeTest, NamesEveryJsonEndpoint) {
  EXPECT_EQ(JsApiResponseType(E::kStreamCreate), "io.nats.jetstream.api.v1.stream_create_response");
  EXPECT_EQ(JsApiResponseType(E::kStreamMsgDelete),
            "io.nats.jetstream.api.v1.stream_msg_delete_response");
  EXPECT_EQ(JsApiResponseType(E::kConsumerDurableCreate),
            "io.nats.jetstream.api.v1.consumer_create_response");
  EXPECT_EQ(JsApiResponseType(E::kDirectGet), "");
  EXPECT_TRUE(IsConsumerEndpoint(E::kConsumerMsgNext));
  EXPECT_FALSE(IsConsumerEndpoint(E::kStreamInfo));
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
