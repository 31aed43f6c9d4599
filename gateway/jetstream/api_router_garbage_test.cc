// Hostile input: mangled subjects and payloads must never crash the router or
// the resource handlers behind it, every JSON reply must be a well-formed
// object with its "type", and every error nats-server's ApiError.
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "consumersvc/client/mock_consumer_client.h"
#include "gateway/jetstream/api_router.h"
#include "gateway/jetstream/testdata.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"

namespace jsengine::gateway::jetstream {
namespace {

using ::testing::_;
using ::testing::NiceMock;
using ::testing::Return;

const std::vector<std::string>& Subjects() {
  static const auto* subjects = new std::vector<std::string>{
      "$JS.API.INFO",
      "$JS.API.STREAM.CREATE.ORDERS",
      "$JS.API.STREAM.UPDATE.ORDERS",
      "$JS.API.STREAM.DELETE.ORDERS",
      "$JS.API.STREAM.INFO.ORDERS",
      "$JS.API.STREAM.NAMES",
      "$JS.API.STREAM.LIST",
      "$JS.API.STREAM.PURGE.ORDERS",
      "$JS.API.STREAM.MSG.GET.ORDERS",
      "$JS.API.STREAM.MSG.DELETE.ORDERS",
      "$JS.API.DIRECT.GET.ORDERS",
      "$JS.API.DIRECT.GET.ORDERS.orders.a",
      "$JS.API.CONSUMER.CREATE.ORDERS",
      "$JS.API.CONSUMER.CREATE.ORDERS.C",
      "$JS.API.CONSUMER.CREATE.ORDERS.C.orders.a",
      "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.C",
      "$JS.API.CONSUMER.DELETE.ORDERS.C",
      "$JS.API.CONSUMER.INFO.ORDERS.C",
      "$JS.API.CONSUMER.NAMES.ORDERS",
      "$JS.API.CONSUMER.LIST.ORDERS",
      "$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.C",
      "$JS.API.CONSUMER.MSG.NEXT.ORDERS.C",
  };
  return *subjects;
}

const std::vector<std::string>& Payloads() {
  static const auto* payloads = new std::vector<std::string>{
      R"({"name":"ORDERS","subjects":["orders.*"],"storage":"memory","max_age":5,)"
      R"("placement":{"tags":["a"]},"sources":[{"name":"X"}],"metadata":{"k":"v"}})",
      R"({"seq":2,"last_by_subj":"orders.a","next_by_subj":"x","no_erase":true})",
      R"({"offset":1,"subject":"orders.*","subjects_filter":">","deleted_details":true})",
      R"({"keep":1,"filter":"orders.a","seq":0})",
      R"({"stream_name":"ORDERS","action":"create","config":{"durable_name":"C","name":"C",)"
      R"("filter_subject":"orders.a","deliver_subject":"out","ack_policy":"explicit",)"
      R"("backoff":[1,2],"num_replicas":1,"opt_start_time":"2026-11-24T16:00:00Z",)"
      R"("metadata":{"k":"v"},"filter_subjects":null,"deliver_policy":"by_start_time"}})",
      R"({"offset":1})",
      "{}",
      "",
  };
  return *payloads;
}

std::string Mangle(std::string s, std::mt19937* rng) {
  std::uniform_int_distribution<int> op(0, 3), byte(0, 255);
  int edits = std::uniform_int_distribution<int>(1, 4)(*rng);
  for (int i = 0; i < edits; ++i) {
    size_t pos = s.empty() ? 0 : std::uniform_int_distribution<size_t>(0, s.size() - 1)(*rng);
    switch (op(*rng)) {
      case 0:
        if (!s.empty()) s[pos] = static_cast<char>(byte(*rng));
        break;
      case 1:
        s.insert(pos, 1, "{}[]\",:.*>\\0-9e"[byte(*rng) % 16]);
        break;
      case 2:
        if (!s.empty()) s.erase(pos, 1);
        break;
      default:
        s = s.substr(0, pos);
        break;
    }
  }
  return s;
}

// {"code":400,"err_code":10025,"description":"invalid JSON"}: err_code only
// when nats-server has one.
void ExpectApiError(const nlohmann::json& reply) {
  const nlohmann::json& error = reply["error"];
  ASSERT_TRUE(error.is_object()) << reply;
  EXPECT_TRUE(error["code"].is_number_integer()) << reply;
  EXPECT_TRUE(error["description"].is_string()) << reply;
  EXPECT_LE(error.size(), error.contains("err_code") ? 3u : 2u) << reply;
  if (error.contains("err_code")) {
    EXPECT_TRUE(error["err_code"].is_number_integer()) << reply;
  }
}

TEST(JsApiRouterGarbageTest, NeverCrashesAndAlwaysRepliesWithValidJson) {
  NiceMock<storesvc::client::MockStoreClient> store;
  v1::StreamInfo info = OrdersInfo();
  v1::ListStreamsResponse list;
  list.set_total(1);
  *list.add_streams() = info;
  ON_CALL(store, CreateStream(_)).WillByDefault(Return(info));
  ON_CALL(store, UpdateStream(_)).WillByDefault(Return(info));
  ON_CALL(store, GetStreamInfo(_)).WillByDefault(Return(info));
  ON_CALL(store, ListStreams(_)).WillByDefault(Return(list));
  ON_CALL(store, StreamNames(_)).WillByDefault(Return(v1::StreamNamesResponse()));
  ON_CALL(store, PurgeStream(_)).WillByDefault(Return(v1::PurgeStreamResponse()));
  ON_CALL(store, GetMessage(_)).WillByDefault(Return(CapturedMessage(2)));
  ON_CALL(store, DeleteStream(_)).WillByDefault(Return(absl::OkStatus()));
  ON_CALL(store, DeleteMessage(_)).WillByDefault(Return(absl::OkStatus()));
  NiceMock<consumersvc::client::MockConsumerClient> consumers;
  v1::ConsumerInfo consumer;
  consumer.set_stream_name("ORDERS");
  consumer.set_name("C");
  consumer.mutable_config()->set_durable_name("C");
  v1::ListConsumersResponse consumer_list;
  *consumer_list.add_consumers() = consumer;
  v1::ConsumerNamesResponse consumer_names;
  consumer_names.add_names("C");
  ON_CALL(consumers, CreateConsumer(_)).WillByDefault(Return(consumer));
  ON_CALL(consumers, GetConsumerInfo(_)).WillByDefault(Return(consumer));
  ON_CALL(consumers, ListConsumers(_)).WillByDefault(Return(consumer_list));
  ON_CALL(consumers, ConsumerNames(_)).WillByDefault(Return(consumer_names));
  ON_CALL(consumers, DeleteConsumer(_)).WillByDefault(Return(absl::OkStatus()));
  ON_CALL(consumers, PurgeStream(_)).WillByDefault(Return(v1::PurgeStreamResponse()));
  ON_CALL(consumers, DeleteMessage(_)).WillByDefault(Return(absl::OkStatus()));
  JsApiOptions with_consumers;
  with_consumers.consumers = &consumers;
  JsApiRouter router(&store, with_consumers);
  JsApiRouter without_consumers(&store, JsApiOptions{});

  std::mt19937 rng(20261124);
  int json_replies = 0, errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string subject = Subjects()[rng() % Subjects().size()];
    std::string payload = Payloads()[rng() % Payloads().size()];
    if (rng() % 4 == 0) subject = Mangle(subject, &rng);
    if (rng() % 2 == 0) payload = Mangle(payload, &rng);
    JsApiReply reply = (i % 8 == 0 ? without_consumers : router).Handle(subject, payload);
    if (!reply.send || !reply.headers.empty()) continue;
    ++json_replies;
    nlohmann::json parsed = nlohmann::json::parse(reply.payload, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << subject << " " << payload << " -> " << reply.payload;
    ASSERT_TRUE(parsed.is_object());
    ASSERT_TRUE(parsed.contains("type")) << reply.payload;
    if (parsed.contains("error")) {
      ++errors;
      ExpectApiError(parsed);
    }
    if (parsed["type"] == "io.nats.jetstream.api.v1.consumer_names_response" ||
        parsed["type"] == "io.nats.jetstream.api.v1.consumer_list_response") {
      EXPECT_TRUE(parsed["consumers"].is_array()) << reply.payload;
      EXPECT_TRUE(parsed["total"].is_number_integer()) << reply.payload;
    }
  }
  EXPECT_GT(errors, 1000);
  EXPECT_GT(json_replies, 10000);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
