#include "gateway/jetstream/consumer_json.h"

#include <string>
#include <vector>

#include "common/names.h"
#include "common/status.h"
#include "consumersvc/consumer_config.h"
#include "gateway/jetstream/api_reply.h"
#include "gateway/jetstream/api_reply_testing.h"
#include "gateway/jetstream/testdata.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

using E = JsApiEndpoint;

std::string InfoReply(JsApiEndpoint endpoint, const v1::ConsumerInfo& info) {
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(endpoint, &w);
  WriteConsumerInfoFields(info, &w);
  w.EndObject();
  return out;
}

v1::StreamConfig WorkQueueConfig() {
  v1::StreamConfig c = OrdersConfig();
  c.set_name("WQ");
  c.clear_subjects();
  c.add_subjects("wq.>");
  c.set_retention(v1::RETENTION_WORK_QUEUE);
  return c;
}

// A create request of capture.py's consumer run, as nats-server's API handler
// takes it: `subject_name` is the consumer token of a CONSUMER.CREATE subject
// (empty for the legacy ephemeral form and for DURABLE.CREATE).
struct CreateCase {
  const char* golden;
  const char* subject_name;
  const char* config;
};

// The configs of capture.py's CONSUMER_CASES, in its order.
const CreateCase kCreated[] = {
    {"consumer_create_durable", "", R"({"durable_name":"PULL","ack_policy":"explicit"})"},
    {"consumer_create_push", "PUSH",
     R"({"deliver_subject":"out.push","deliver_group":"g","ack_policy":"none",)"
     R"("deliver_policy":"by_start_time","opt_start_time":"2026-11-24T16:00:00.5Z",)"
     R"("replay_policy":"original","rate_limit_bps":1000000,"sample_freq":"50%",)"
     R"("idle_heartbeat":5000000000,"flow_control":true,"headers_only":true,)"
     R"("filter_subject":"orders.*","description":"push & <more>","mem_storage":true,)"
     R"("inactive_threshold":60000000000})"},
    {"consumer_create_ephemeral", "", R"({"deliver_subject":"out.eph"})"},
    {"consumer_create_pull_options", "",
     R"({"durable_name":"FULL","ack_policy":"all","max_waiting":10,"max_ack_pending":20,)"
     R"("max_batch":5,"max_expires":30000000000,"max_bytes":1024,"inactive_threshold":3600000000000,)"
     R"("filter_subject":"ship.>","deliver_policy":"by_start_sequence","opt_start_seq":2,)"
     R"("num_replicas":1,"backoff":[1000000000,2000000000],"max_deliver":3,"unknown":{"x":[1]}})"},
    {"consumer_create_wait", "",
     R"({"durable_name":"WAIT","ack_policy":"explicit","deliver_policy":"new","ACK_WAIT":1000000000})"},
    {"consumer_create_undefined", "",
     R"({"durable_name":"UNDEF","deliver_policy":"undefined","deliver_subject":"out.undef",)"
     R"("filter_subject":"orders.a","max_ack_pending":0})"},
};

std::string Request(const std::string& stream, const std::string& config) {
  return R"({"stream_name":")" + stream + R"(","config":)" + config + "}";
}

// What the capture's server answered `config` with, by this engine's rules.
absl::StatusOr<v1::ConsumerConfig> Create(const CreateCase& c, const v1::StreamConfig& stream) {
  absl::StatusOr<v1::CreateConsumerRequest> request =
      ParseCreateConsumerRequest(Request(stream.name(), c.config));
  if (!request.ok()) return common::JsError(common::JsErrorId::kInvalidJSON);
  v1::ConsumerConfig config = request->config();
  if (*c.subject_name != '\0') config.set_name(c.subject_name);
  JSE_ASSIGN_OR_RETURN(config, consumersvc::CheckConsumerConfig(config, stream, {}));
  return consumersvc::CheckNewConsumer(config, stream, {}, {});
}

TEST(ConsumerJsonTest, CreateRepliesMatchNatsServer) {
  for (const CreateCase& c : kCreated) {
    absl::StatusOr<v1::ConsumerConfig> config = Create(c, OrdersConfig());
    ASSERT_TRUE(config.ok()) << c.golden << ": " << config.status();
    std::string golden = Golden(std::string(c.golden) + ".json");
    v1::ConsumerInfo info = ConsumerStateFromGolden(golden);
    *info.mutable_config() = *config;
    EXPECT_EQ(InfoReply(E::kConsumerCreate, info), golden) << c.golden;
  }
}

TEST(ConsumerJsonTest, InfoRepliesMatchNatsServer) {
  struct InfoCase {
    const char* golden;
    const CreateCase& created;
  };
  for (const InfoCase& c :
       {InfoCase{"consumer_info", kCreated[0]}, InfoCase{"consumer_info_waiting", kCreated[4]}}) {
    absl::StatusOr<v1::ConsumerConfig> config = Create(c.created, OrdersConfig());
    ASSERT_TRUE(config.ok()) << config.status();
    std::string golden = Golden(std::string(c.golden) + ".json");
    v1::ConsumerInfo info = ConsumerStateFromGolden(golden);
    *info.mutable_config() = *config;
    EXPECT_EQ(InfoReply(E::kConsumerInfo, info), golden) << c.golden;
  }
  EXPECT_NE(Golden("consumer_info.json").find(R"("last_active":")"), std::string::npos);
  ExpectGolden(ErrorReply(E::kConsumerInfo, common::JsError(common::JsErrorId::kConsumerNotFound)),
               "consumer_info_missing");
}

TEST(ConsumerJsonTest, RefusedCreatesMatchNatsServer) {
  v1::ConsumerConfig pull = *Create(kCreated[0], OrdersConfig());
  const CreateCase refused[] = {
      {"consumer_create_bad_json", "", R"({"durable_name":)"},
      {"consumer_create_wrong_type", "", R"({"durable_name":"X","ack_wait":"30s"})"},
      {"consumer_create_null_enum", "", R"({"durable_name":"X","ack_policy":null})"},
      {"consumer_create_bad_enum", "", R"({"durable_name":"X","ack_policy":"Explicit"})"},
      {"consumer_create_pull_heartbeat", "",
       R"({"durable_name":"X","ack_policy":"explicit","idle_heartbeat":1000000000})"},
      {"consumer_create_push_max_waiting", "",
       R"({"durable_name":"X","deliver_subject":"out.x","max_waiting":5})"},
      {"consumer_create_flow_no_heartbeat", "",
       R"({"durable_name":"X","deliver_subject":"out.x","flow_control":true})"},
      {"consumer_create_start_conflict", "",
       R"({"durable_name":"X","deliver_policy":"last","opt_start_seq":3})"},
      {"consumer_create_bad_sample", "", R"({"durable_name":"X","sample_freq":"5 %"})"},
      {"consumer_create_negative_sample", "", R"({"durable_name":"X","sample_freq":"-5%"})"},
      {"consumer_create_deliver_cycle", "", R"({"durable_name":"X","deliver_subject":"orders.x"})"},
      {"consumer_create_deliver_wildcard", "", R"({"durable_name":"X","deliver_subject":"out.*"})"},
      {"consumer_create_name_mismatch", "", R"({"durable_name":"X","name":"Y"})"},
      {"consumer_create_bad_name", "", R"({"name":"a.b"})"},
  };
  for (const CreateCase& c : refused) {
    absl::StatusOr<v1::ConsumerConfig> config = Create(c, OrdersConfig());
    ASSERT_FALSE(config.ok()) << c.golden;
    ExpectGolden(ErrorReply(E::kConsumerCreate, config.status()), c.golden);
  }
  const CreateCase filter_outside_stream = {"", "",
                                            R"({"durable_name":"X","filter_subject":"nomatch.>"})"};
  EXPECT_TRUE(Create(filter_outside_stream, OrdersConfig()).ok())
      << "nats-server 2.10 accepts a filter outside the stream's subjects";

  std::string long_description =
      R"({"durable_name":"X","description":")" + std::string(4097, 'd') + R"("})";
  CreateCase too_long = {"consumer_create_description_too_long", "", long_description.c_str()};
  ExpectGolden(ErrorReply(E::kConsumerCreate, Create(too_long, OrdersConfig()).status()),
               too_long.golden);

  for (const CreateCase& c :
       {CreateCase{"consumer_create_wq_ack_all", "", R"({"durable_name":"W","ack_policy":"all"})"},
        CreateCase{"consumer_create_wq_ack_none", "",
                   R"({"durable_name":"W","ack_policy":"none"})"}}) {
    ExpectGolden(ErrorReply(E::kConsumerCreate, Create(c, WorkQueueConfig()).status()), c.golden);
  }

  for (const CreateCase& c :
       {CreateCase{"consumer_update_ack_policy", "",
                   R"({"durable_name":"PULL","ack_policy":"all"})"},
        CreateCase{"consumer_update_deliver_policy", "",
                   R"({"durable_name":"PULL","ack_policy":"explicit","deliver_policy":"new"})"}}) {
    absl::StatusOr<v1::CreateConsumerRequest> request =
        ParseCreateConsumerRequest(Request("ORDERS", c.config));
    ASSERT_TRUE(request.ok());
    absl::StatusOr<v1::ConsumerConfig> config =
        consumersvc::CheckConsumerConfig(request->config(), OrdersConfig(), {});
    ASSERT_TRUE(config.ok());
    ExpectGolden(ErrorReply(E::kConsumerCreate,
                            consumersvc::CheckConsumerUpdate(pull, *config, false).status()),
                 c.golden);
  }

  ExpectGolden(ErrorReply(E::kConsumerCreate, common::CheckConsumerNameInSubject("a/b")),
               "consumer_create_path_separator");
}

TEST(ConsumerJsonTest, NamesAndListMatchNatsServer) {
  v1::ConsumerNamesResponse names;
  names.set_total(6);
  for (const char* name : {"FULL", "PULL", "PUSH", "UNDEF", "WAIT", "lkvKTtO0"}) {
    names.add_names(name);
  }
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kConsumerNames, &w);
  WriteConsumerNamesFields(names, &w);
  w.EndObject();
  EXPECT_EQ(out, Golden("consumer_names_orders.json"));

  out.clear();
  common::GoJsonWriter empty(&out);
  BeginReply(E::kConsumerNames, &empty);
  WriteConsumerNamesFields(v1::ConsumerNamesResponse(), &empty);
  empty.EndObject();
  EXPECT_EQ(out, Golden("consumer_names.json"));

  v1::StreamConfig list_stream = OrdersConfig();
  list_stream.set_name("LIST");
  list_stream.clear_subjects();
  list_stream.add_subjects("LIST");
  list_stream.set_storage(v1::STORAGE_MEMORY);
  CreateCase one = {"consumer_create_list_one", "",
                    R"({"durable_name":"ONE","ack_policy":"explicit","description":"only"})"};
  absl::StatusOr<v1::ConsumerConfig> config = Create(one, list_stream);
  ASSERT_TRUE(config.ok()) << config.status();
  std::string created = Golden("consumer_create_list_one.json");
  v1::ConsumerInfo info = ConsumerStateFromGolden(created);
  *info.mutable_config() = *config;
  EXPECT_EQ(InfoReply(E::kConsumerCreate, info), created);

  v1::ListConsumersResponse list;
  list.set_total(1);
  *list.add_consumers() = info;
  out.clear();
  common::GoJsonWriter lw(&out);
  BeginReply(E::kConsumerList, &lw);
  WriteConsumerListFields(list, &lw);
  lw.EndObject();
  EXPECT_EQ(out, Golden("consumer_list.json"));

  out.clear();
  common::GoJsonWriter ew(&out);
  BeginReply(E::kConsumerList, &ew);
  WriteConsumerListFields(v1::ListConsumersResponse(), &ew);
  ew.EndObject();
  EXPECT_EQ(out, Golden("consumer_list_empty.json"));
}

TEST(ConsumerJsonTest, ConfigRoundTripsThroughNatsServerJson) {
  for (const char* file : {"consumer_create_durable.json", "consumer_create_push.json",
                           "consumer_create_ephemeral.json", "consumer_create_pull_options.json",
                           "consumer_create_wait.json", "consumer_create_undefined.json",
                           "consumer_info.json", "consumer_list.json"}) {
    std::string config_json = Between(Golden(file), "\"config\":", ",\"delivered\"");
    ASSERT_FALSE(config_json.empty()) << file;
    absl::StatusOr<v1::ConsumerConfig> config = ParseConsumerConfig(config_json);
    ASSERT_TRUE(config.ok()) << file << ": " << config.status();
    EXPECT_EQ(ToJson(*config, &WriteConsumerConfig), config_json) << file;
  }
}

TEST(ConsumerJsonTest, ParsesEveryField) {
  absl::StatusOr<v1::CreateConsumerRequest> request = ParseCreateConsumerRequest(R"({
    "stream_name":"S","action":"update","extra":[1],"config":{
    "durable_name":"D","name":"D","description":"d","deliver_policy":"by_start_time",
    "opt_start_seq":3,"opt_start_time":"2026-11-24T16:00:00.5+01:00","ack_policy":"all",
    "ack_wait":4,"max_deliver":5,"backoff":[6,null,7],"filter_subject":"f",
    "filter_subjects":["a","b"],"replay_policy":"original","rate_limit_bps":8,
    "sample_freq":"9%","max_waiting":10,"max_ack_pending":11,"idle_heartbeat":12,
    "flow_control":true,"headers_only":true,"max_batch":13,"max_expires":14,"max_bytes":15,
    "deliver_subject":"ds","deliver_group":"dg","inactive_threshold":16,"num_replicas":3,
    "mem_storage":true,"direct":true,"metadata":{"z":"1","a":"2"},"pause_until":"x"}})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->stream(), "S");
  EXPECT_EQ(request->action(), "update");
  const v1::ConsumerConfig& c = request->config();
  EXPECT_EQ(c.durable_name(), "D");
  EXPECT_EQ(c.name(), "D");
  EXPECT_EQ(c.description(), "d");
  EXPECT_EQ(c.deliver_policy(), v1::DELIVER_BY_START_TIME);
  EXPECT_EQ(c.opt_start_seq(), 3u);
  EXPECT_EQ(c.opt_start_time_ns(), 1795532400500000000);
  EXPECT_EQ(c.ack_policy(), v1::ACK_ALL);
  EXPECT_EQ(c.ack_wait_ns(), 4);
  EXPECT_EQ(c.max_deliver(), 5);
  ASSERT_EQ(c.backoff_ns_size(), 3);
  EXPECT_EQ(c.backoff_ns(1), 0);
  EXPECT_EQ(c.filter_subject(), "f");
  ASSERT_EQ(c.filter_subjects_size(), 2);
  EXPECT_EQ(c.replay_policy(), v1::REPLAY_ORIGINAL);
  EXPECT_EQ(c.rate_limit_bps(), 8u);
  EXPECT_EQ(c.sample_freq(), "9%");
  EXPECT_EQ(c.max_waiting(), 10);
  EXPECT_EQ(c.max_ack_pending(), 11);
  EXPECT_EQ(c.idle_heartbeat_ns(), 12);
  EXPECT_TRUE(c.flow_control());
  EXPECT_TRUE(c.headers_only());
  EXPECT_EQ(c.max_batch(), 13);
  EXPECT_EQ(c.max_expires_ns(), 14);
  EXPECT_EQ(c.max_bytes(), 15);
  EXPECT_EQ(c.deliver_subject(), "ds");
  EXPECT_EQ(c.deliver_group(), "dg");
  EXPECT_EQ(c.inactive_threshold_ns(), 16);
  EXPECT_EQ(c.num_replicas(), 3);
  EXPECT_TRUE(c.mem_storage());
  EXPECT_TRUE(c.direct());
  EXPECT_EQ(c.metadata().at("a"), "2");

  // The client's UTC offset is not kept: opt_start_time comes back in UTC.
  EXPECT_EQ(ToJson(c, &WriteConsumerConfig),
            R"({"durable_name":"D","name":"D","description":"d","deliver_policy":"by_start_time",)"
            R"("opt_start_seq":3,"opt_start_time":"2026-11-24T15:00:00.5Z","ack_policy":"all",)"
            R"("ack_wait":4,"max_deliver":5,"backoff":[6,0,7],"filter_subject":"f",)"
            R"("filter_subjects":["a","b"],"replay_policy":"original","rate_limit_bps":8,)"
            R"("sample_freq":"9%","max_waiting":10,"max_ack_pending":11,"idle_heartbeat":12,)"
            R"("flow_control":true,"headers_only":true,"max_batch":13,"max_expires":14,)"
            R"("max_bytes":15,"deliver_subject":"ds","deliver_group":"dg",)"
            R"("inactive_threshold":16,"num_replicas":3,"mem_storage":true,"direct":true,)"
            R"("metadata":{"a":"2","z":"1"}})");
}

TEST(ConsumerJsonTest, AbsentFieldsStayZeroAndEnumsParseAsSpelled) {
  absl::StatusOr<v1::ConsumerConfig> c = ParseConsumerConfig("{}");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_opt_start_time_ns());
  EXPECT_EQ(c->max_deliver(), 0);
  EXPECT_EQ(ToJson(*c, &WriteConsumerConfig),
            R"({"deliver_policy":"all","ack_policy":"none","replay_policy":"instant",)"
            R"("num_replicas":0})");

  struct Spelling {
    const char* json;
    v1::DeliverPolicy deliver;
  };
  for (const Spelling& s :
       {Spelling{R"({"deliver_policy":"all"})", v1::DELIVER_ALL},
        Spelling{R"({"deliver_policy":"undefined"})", v1::DELIVER_ALL},
        Spelling{R"({"deliver_policy":"last"})", v1::DELIVER_LAST},
        Spelling{R"({"deliver_policy":"new"})", v1::DELIVER_NEW},
        Spelling{R"({"deliver_policy":"last_per_subject"})", v1::DELIVER_LAST_PER_SUBJECT},
        Spelling{R"({"deliver_policy":"by_start_sequence"})", v1::DELIVER_BY_START_SEQUENCE},
        Spelling{R"({"Deliver_Policy":"by_start_time"})", v1::DELIVER_BY_START_TIME}}) {
    c = ParseConsumerConfig(s.json);
    ASSERT_TRUE(c.ok()) << s.json;
    EXPECT_EQ(c->deliver_policy(), s.deliver) << s.json;
  }
  c = ParseConsumerConfig(R"({"ack_policy":"explicit","replay_policy":"original"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->ack_policy(), v1::ACK_EXPLICIT);
  EXPECT_EQ(c->replay_policy(), v1::REPLAY_ORIGINAL);
}

TEST(ConsumerJsonTest, StartTimeAtTheEpochIsStillPresent) {
  absl::StatusOr<v1::ConsumerConfig> c =
      ParseConsumerConfig(R"({"opt_start_time":"1970-01-01T00:00:00Z"})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->has_opt_start_time_ns());
  EXPECT_EQ(c->opt_start_time_ns(), 0);
  EXPECT_NE(ToJson(*c, &WriteConsumerConfig).find(R"("opt_start_time":"1970-01-01T00:00:00Z")"),
            std::string::npos);
  c = ParseConsumerConfig(R"({"opt_start_time":null})");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_opt_start_time_ns());
}

TEST(ConsumerJsonTest, ReplicasBeyond32BitsKeepTheirSign) {
  absl::StatusOr<v1::ConsumerConfig> c = ParseConsumerConfig(R"({"num_replicas":4294967297})");
  ASSERT_TRUE(c.ok());
  EXPECT_GT(c->num_replicas(), 1);
  c = ParseConsumerConfig(R"({"num_replicas":-4294967297})");
  ASSERT_TRUE(c.ok());
  EXPECT_LT(c->num_replicas(), 0);
}

TEST(ConsumerJsonTest, RejectsWhatGoRejects) {
  for (const char* bad : {R"({"durable_name":1})",
                          R"({"ack_wait":"30s"})",
                          R"({"ack_wait":1.5})",
                          R"({"max_deliver":9223372036854775808})",
                          R"({"opt_start_seq":-1})",
                          R"({"rate_limit_bps":-1})",
                          R"({"ack_policy":"Explicit"})",
                          R"({"ack_policy":null})",
                          R"({"deliver_policy":null})",
                          R"({"replay_policy":"fast"})",
                          R"({"ack_policy":2})",
                          R"({"backoff":"1s"})",
                          R"({"backoff":[1.5]})",
                          R"({"filter_subjects":"a"})",
                          R"({"filter_subjects":[1]})",
                          R"({"metadata":{"a":1}})",
                          R"({"metadata":[]})",
                          R"({"opt_start_time":"yesterday"})",
                          R"({"opt_start_time":0})",
                          R"({"flow_control":"true"})",
                          R"({"num_replicas":1.0})",
                          R"([])",
                          R"({"name":)"}) {
    absl::StatusOr<v1::ConsumerConfig> c = ParseConsumerConfig(bad);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(ParseCreateConsumerRequest(Request("S", bad)).ok()) << bad;
  }
}

TEST(ConsumerJsonTest, CreateRequestShapes) {
  absl::StatusOr<v1::CreateConsumerRequest> r = ParseCreateConsumerRequest("null");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stream(), "");
  EXPECT_FALSE(r->has_config());
  r = ParseCreateConsumerRequest(R"({"stream_name":"S","config":null,"action":""})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->action(), "");
  r = ParseCreateConsumerRequest(R"({"stream_name":"S","action":"create"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->action(), "create");
  for (const char* bad : {"", R"({"stream_name":5})", R"({"config":[]})", R"({"config":"x"})",
                          R"({"action":"CREATE"})", R"({"action":"upsert"})", R"({"action":null})",
                          R"({"action":1})", "[]"}) {
    EXPECT_FALSE(ParseCreateConsumerRequest(bad).ok()) << bad;
  }
}

TEST(ConsumerJsonTest, InfoWritesClusterTimestampAndPushBoundWhenSet) {
  v1::ConsumerInfo info;
  info.set_stream_name("S");
  info.set_name("C");
  info.set_created_ns(1);
  info.mutable_delivered()->set_consumer_seq(2);
  info.mutable_delivered()->set_stream_seq(3);
  info.mutable_delivered()->set_last_active_ns(1000);
  info.set_num_pending(4);
  info.mutable_cluster()->set_leader("n1");
  info.set_push_bound(true);
  info.set_ts_ns(2000);
  EXPECT_EQ(ToJson(info, &WriteConsumerInfo),
            R"({"stream_name":"S","name":"C","created":"1970-01-01T00:00:00.000000001Z",)"
            R"("delivered":{"consumer_seq":2,"stream_seq":3,)"
            R"("last_active":"1970-01-01T00:00:00.000001Z"},)"
            R"("ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,)"
            R"("num_redelivered":0,"num_waiting":0,"num_pending":4,"cluster":{"leader":"n1"},)"
            R"("push_bound":true,"ts":"1970-01-01T00:00:00.000002Z"})");
}

TEST(ConsumerJsonTest, EnumNames) {
  EXPECT_EQ(DeliverPolicyName(v1::DELIVER_LAST_PER_SUBJECT), "last_per_subject");
  EXPECT_EQ(DeliverPolicyName(v1::DELIVER_BY_START_SEQUENCE), "by_start_sequence");
  EXPECT_EQ(AckPolicyName(v1::ACK_EXPLICIT), "explicit");
  EXPECT_EQ(AckPolicyName(v1::ACK_NONE), "none");
  EXPECT_EQ(ReplayPolicyName(v1::REPLAY_ORIGINAL), "original");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
