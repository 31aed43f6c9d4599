#include "gateway/monitor/monitor.h"

#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/core/raw_client.h"
#include "testing/core/test_server.h"

namespace jsengine::gateway::monitor {
namespace {

using ::jsengine::testing::core::RawClient;
using Json = nlohmann::json;

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = jsengine::testing::core::StartTestServer({});
    monitor_ = std::make_unique<Monitor>(server_.get(), JetStreamView{});
    monitor_->SetHttpAddress("127.0.0.1", 8222);
  }

  Json Get(const std::string& path, const QueryParams& params = {}) {
    MonitorResponse r = monitor_->Handle(path, params);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  }

  // A client that sent CONNECT with `name`, subscribed to "x" and published
  // one 5-byte message to it (which it receives itself).
  std::unique_ptr<RawClient> Connect(const std::string& name) {
    auto client = std::make_unique<RawClient>(server_->port());
    EXPECT_TRUE(client->connected());
    client->Send("CONNECT {\"verbose\":false,\"name\":\"" + name +
                 "\",\"lang\":\"test\",\"version\":\"9.9\"}\r\nSUB x 1\r\nPUB x 5\r\nhello\r\n"
                 "PING\r\n");
    EXPECT_TRUE(client->ReadUntil("PONG"));
    return client;
  }

  std::unique_ptr<core::Server> server_;
  std::unique_ptr<Monitor> monitor_;
};

TEST_F(MonitorTest, ConnzKeepsClosedConnectionsWithWhyAndWhen) {
  auto a = Connect("a");
  {
    auto gone = Connect("gone");
    gone.reset();
    // The close is seen by the server's loop; wait for the list to show it.
    for (int i = 0; i < 500 && Get("/connz", {{"state", "closed"}})["total"] == 0; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  Json closed = Get("/connz", {{"state", "closed"}, {"subs", "1"}});
  ASSERT_EQ(closed["connections"].size(), 1u);
  const Json& c = closed["connections"][0];
  EXPECT_EQ(c["name"], "gone");
  EXPECT_EQ(c["reason"], "Client Closed");
  EXPECT_TRUE(c.contains("stop"));
  EXPECT_EQ(c["subscriptions_list"], Json::array({"x"}));
  EXPECT_EQ(Get("/connz", {{"state", "all"}})["total"], 2);
  Json open = Get("/connz", {{"auth", "true"}});
  ASSERT_EQ(open["connections"].size(), 1u);
  EXPECT_EQ(open["connections"][0]["account"], "$G");
  EXPECT_FALSE(open["connections"][0].contains("reason"));
  EXPECT_EQ(monitor_->Handle("/connz", {{"state", "gone"}}).status, 400);
}

TEST_F(MonitorTest, SubszListsSubscriptionsMatchingATestSubject) {
  auto a = Connect("a");
  a->Clear();
  a->Send("SUB y.* 2\r\nPING\r\n");
  ASSERT_TRUE(a->ReadUntil("PONG"));
  Json stats = Get("/subsz");
  EXPECT_FALSE(stats.contains("subscriptions_list"));
  Json listed = Get("/subsz", {{"subs", "1"}, {"test", "y.z"}});
  ASSERT_EQ(listed["subscriptions_list"].size(), 1u);
  EXPECT_EQ(listed["subscriptions_list"][0]["subject"], "y.*");
  EXPECT_EQ(listed["subscriptions_list"][0]["account"], "$G");
  EXPECT_EQ(listed["total"], 1);
  EXPECT_EQ(Get("/subsz", {{"subs", "1"}})["subscriptions_list"].size(), 2u);
  EXPECT_EQ(monitor_->Handle("/subsz", {{"subs", "1"}, {"test", "y.*"}}).status, 400);
}

TEST_F(MonitorTest, ConnzListsConnectionsByCidWithPaging) {
  auto a = Connect("a");
  auto b = Connect("b");
  auto c = Connect("c");
  Json all = Get("/connz");
  EXPECT_EQ(all["num_connections"], 3);
  EXPECT_EQ(all["total"], 3);
  EXPECT_EQ(all["limit"], 1024);
  ASSERT_EQ(all["connections"].size(), 3u);
  EXPECT_EQ(all["connections"][0]["name"], "a");
  EXPECT_LT(all["connections"][0]["cid"], all["connections"][1]["cid"]);

  Json page = Get("/connz", {{"offset", "1"}, {"limit", "1"}});
  EXPECT_EQ(page["num_connections"], 1);
  EXPECT_EQ(page["total"], 3);
  EXPECT_EQ(page["offset"], 1);
  EXPECT_EQ(page["limit"], 1);
  ASSERT_EQ(page["connections"].size(), 1u);
  const Json& conn = page["connections"][0];
  EXPECT_EQ(conn["name"], "b");
  EXPECT_EQ(conn["lang"], "test");
  EXPECT_EQ(conn["version"], "9.9");
  EXPECT_EQ(conn["ip"], "127.0.0.1");
  EXPECT_GT(conn["port"], 0);
  EXPECT_EQ(conn["subscriptions"], 1);
  EXPECT_EQ(conn["in_msgs"], 1);
  EXPECT_EQ(conn["in_bytes"], 5);
  EXPECT_EQ(conn["out_msgs"], 2) << "its own and c's";
  EXPECT_EQ(conn["out_bytes"], 10);

  EXPECT_EQ(Get("/connz", {{"offset", "5"}})["connections"].size(), 0u);
  EXPECT_EQ(monitor_->Handle("/connz", {{"limit", "many"}}).status, 400);
}

TEST_F(MonitorTest, VarzShowsTheLimitsOfTheLastReload) {
  core::ServerOptions next = server_->options();
  next.max_payload = 4096;
  next.max_connections = 7;
  next.max_pending = 1 << 20;
  next.ping_interval = absl::Seconds(9);
  next.ping_max = 4;
  next.auth_timeout = absl::Seconds(3);
  ASSERT_TRUE(server_->Reload(next).ok());
  Json varz = Get("/varz");
  EXPECT_EQ(varz["max_payload"], 4096);
  EXPECT_EQ(varz["max_connections"], 7);
  EXPECT_EQ(varz["max_pending"], 1 << 20);
  EXPECT_EQ(varz["ping_interval"], 9000000000LL);
  EXPECT_EQ(varz["ping_max"], 4);
  EXPECT_EQ(varz["auth_timeout"], 3);
}

TEST_F(MonitorTest, VarzCountsEveryConnectionEverOpened) {
  auto a = Connect("a");
  Connect("gone");
  for (int i = 0; i < 500 && server_->NumConnections() != 1; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  auto b = Connect("b");
  Json varz = Get("/varz");
  EXPECT_EQ(varz["connections"], 2);
  EXPECT_EQ(varz["total_connections"], 3);
  EXPECT_EQ(varz["in_msgs"], 3);
  EXPECT_EQ(varz["in_bytes"], 15);
  EXPECT_EQ(varz["out_msgs"], 5) << "a gets all 3, gone and b their own";
  EXPECT_EQ(varz["port"], server_->port());
  EXPECT_EQ(varz["http_port"], 8222);
  EXPECT_EQ(varz["server_id"], server_->server_id());
  EXPECT_EQ(varz["jetstream"], Json::object());
  EXPECT_EQ(varz["http_req_stats"]["/varz"], 1);
  EXPECT_EQ(varz["slow_consumer_stats"],
            Json({{"clients", 0}, {"routes", 0}, {"gateways", 0}, {"leafs", 0}}));
}

TEST_F(MonitorTest, SubszJszAndHealthz) {
  auto a = Connect("a");
  EXPECT_GE(Get("/subsz")["num_subscriptions"], 1);
  Json jsz = Get("/jsz");
  EXPECT_EQ(jsz["disabled"], true);
  EXPECT_EQ(Get("/healthz"), Json({{"status", "ok"}}));
  EXPECT_EQ(Get("/healthz", {{"js-enabled-only", "true"}}), Json({{"status", "ok"}}));
  EXPECT_EQ(monitor_->Handle("/healthz", {{"js-enabled-only", "yes"}}).status, 400);
  EXPECT_EQ(monitor_->Handle("/routez", {}).status, 404);
  const Json stats = Get("/varz")["http_req_stats"];
  EXPECT_EQ(stats.count("/routez"), 0u) << stats;
  EXPECT_EQ(stats["/healthz"], 3);
}

TEST_F(MonitorTest, JszReportsJetStreamUsage) {
  JetStreamView js;
  js.enabled = true;
  js.store_dir = "/tmp";
  js.max_memory = 1 << 20;
  js.max_storage = 2 << 20;
  js.sync_interval_ns = 120000000000;
  js.sync_always = true;
  js.usage = [] {
    jetstream::AccountUsage usage;
    usage.storage = 100;
    usage.memory = 20;
    usage.reserved_memory = 4000;
    usage.reserved_storage = 5000;
    usage.messages = 7;
    usage.streams = 2;
    usage.consumers = 3;
    return absl::StatusOr<jetstream::AccountUsage>(usage);
  };
  js.api_stats = [] { return jetstream::JsApiStats{10, 1}; };
  Monitor monitor(server_.get(), js);
  Json jsz = Json::parse(monitor.Handle("/jsz", {}).body);
  EXPECT_EQ(jsz["config"]["store_dir"], "/tmp");
  EXPECT_EQ(jsz["streams"], 2);
  EXPECT_EQ(jsz["consumers"], 3);
  EXPECT_EQ(jsz["messages"], 7);
  EXPECT_EQ(jsz["bytes"], 120);
  EXPECT_EQ(jsz["storage"], 100);
  EXPECT_EQ(jsz["api"]["total"], 10);
  EXPECT_EQ(jsz["api"]["errors"], 1);
  EXPECT_EQ(jsz["config"]["max_memory"], 1 << 20);
  EXPECT_EQ(jsz["config"]["max_storage"], 2 << 20);
  EXPECT_EQ(jsz["reserved_memory"], 4000);
  EXPECT_EQ(jsz["reserved_storage"], 5000);
  Json varz = Json::parse(monitor.Handle("/varz", {}).body);
  EXPECT_EQ(varz["jetstream"]["stats"]["memory"], 20);
  EXPECT_EQ(varz["jetstream"]["stats"]["reserved_memory"], 4000);
  EXPECT_EQ(varz["jetstream"]["stats"]["reserved_storage"], 5000);
  EXPECT_EQ(varz["jetstream"]["config"]["max_memory"], 1 << 20);
  EXPECT_EQ(varz["jetstream"]["config"]["max_storage"], 2 << 20);
  EXPECT_EQ(varz["jetstream"]["config"]["sync_interval"], 120000000000);
  EXPECT_EQ(varz["jetstream"]["config"]["sync_always"], true);
  EXPECT_EQ(jsz["config"]["sync_interval"], 120000000000);
}

TEST_F(MonitorTest, ConnzSortsAndListsSubscriptions) {
  auto a = Connect("a");
  auto b = Connect("b");
  b->Send("SUB y q 2\r\nSUB z 3\r\nUNSUB 3 10\r\nPING\r\n");
  ASSERT_TRUE(b->ReadUntil("PONG\r\nPONG"));
  Json by_subs = Get("/connz", {{"sort", "subs"}, {"subs", "1"}});
  ASSERT_EQ(by_subs["connections"].size(), 2u);
  EXPECT_EQ(by_subs["connections"][0]["name"], "b");
  EXPECT_EQ(by_subs["connections"][0]["subscriptions_list"].size(), 3u);
  EXPECT_FALSE(Get("/connz")["connections"][0].contains("subscriptions_list"));

  Json detail = Get("/connz", {{"sort", "subs"}, {"subs", "detail"}});
  const Json& list = detail["connections"][0]["subscriptions_list_detail"];
  ASSERT_EQ(list.size(), 3u);
  bool saw_queue = false, saw_max = false;
  for (const Json& d : list) {
    EXPECT_EQ(d["cid"], detail["connections"][0]["cid"]);
    if (d["subject"] == "y") saw_queue = d["qgroup"] == "q" && d["sid"] == "2";
    if (d["subject"] == "z") saw_max = d["max"] == 10;
  }
  EXPECT_TRUE(saw_queue);
  EXPECT_TRUE(saw_max);

  MonitorResponse bad = monitor_->Handle("/connz", {{"sort", "bogus"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "invalid sorting option: bogus");
}

TEST_F(MonitorTest, AccountzReportsTheGlobalAccount) {
  auto a = Connect("a");
  Json list = Get("/accountz");
  EXPECT_EQ(list["accounts"], Json::array({"$G", "$SYS"}));
  Json g = Get("/accountz", {{"acc", "$G"}});
  EXPECT_EQ(g["account_detail"]["account_name"], "$G");
  EXPECT_EQ(g["account_detail"]["client_connections"], 1);
  EXPECT_EQ(g["account_detail"]["subscriptions"], 1);
  MonitorResponse other = monitor_->Handle("/accountz", {{"acc", "other"}});
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(other.body, "Account other does not exist");
}

TEST(MonitorHealthzTest, AFailedStreamIsUnhealthy) {
  auto server = jsengine::testing::core::StartTestServer({});
  std::string failed;
  JetStreamView js;
  js.enabled = true;
  js.streams = [&failed]() -> absl::StatusOr<std::vector<StreamStats>> {
    return std::vector<StreamStats>{{"OK", 1, 10, 1, 1, ""}, {"ORDERS", 2, 20, 1, 2, failed}};
  };
  Monitor monitor(server.get(), js);
  EXPECT_EQ(monitor.Handle("/healthz", {}).status, 200);
  failed = "fsync failed: EIO";
  MonitorResponse r = monitor.Handle("/healthz", {});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Json::parse(r.body),
            Json({{"status", "unavailable"},
                  {"status_code", 503},
                  {"error", "JetStream stream '$G > ORDERS' is not current: fsync failed: EIO"}}));
  EXPECT_EQ(monitor.Handle("/healthz", {{"js-enabled-only", "true"}}).status, 200);
  EXPECT_EQ(monitor.Handle("/healthz", {{"js-server-only", "true"}}).status, 200);
}

// Checks every line of a Prometheus text answer (comments, then samples of
// the metric they name) and returns the samples by "name{labels}".
std::map<std::string, double> ParseMetrics(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex kType(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+))");
  std::map<std::string, double> samples;
  std::string current;
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kHelp)) {
      current = m[1];
    } else if (std::regex_match(line, m, kType)) {
      EXPECT_EQ(m[1], current) << line;
    } else if (std::regex_match(line, m, kSample)) {
      EXPECT_EQ(m[1], current) << line;
      samples[line.substr(0, line.rfind(' '))] = std::stod(m[m.size() - 1]);
    } else {
      ADD_FAILURE() << "not a Prometheus text line: " << line;
    }
  }
  return samples;
}

TEST_F(MonitorTest, MetricsAreParsablePrometheusTextThatCounts) {
  MonitorResponse r = monitor_->Handle("/metrics", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_STREQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  std::map<std::string, double> before = ParseMetrics(r.body);
  EXPECT_EQ(before["jsengine_connections"], 0);
  auto a = Connect("a");
  std::map<std::string, double> after = ParseMetrics(monitor_->Handle("/metrics", {}).body);
  EXPECT_EQ(after["jsengine_connections"], 1);
  EXPECT_EQ(after["jsengine_in_msgs_total"], before["jsengine_in_msgs_total"] + 1);
  EXPECT_EQ(after["jsengine_in_bytes_total"], before["jsengine_in_bytes_total"] + 5);
  EXPECT_EQ(after["jsengine_out_msgs_total"], before["jsengine_out_msgs_total"] + 1);
  EXPECT_EQ(after.count("jsengine_stream_messages{stream=\"S\"}"), 0u);
}

// JetStream in accounts A and B, with nothing stored.
JetStreamView TwoAccounts() {
  JetStreamView js;
  js.enabled = true;
  js.accounts = [] { return std::vector<std::string>{"A", "B"}; };
  js.usage = []() -> absl::StatusOr<jetstream::AccountUsage> { return jetstream::AccountUsage{}; };
  js.api_stats = [] { return jetstream::JsApiStats{}; };
  return js;
}

TEST(MonitorMetricsTest, AccountStreamsAreLabelledWithTheirAccount) {
  auto server = jsengine::testing::core::StartTestServer({});
  JetStreamView js = TwoAccounts();
  js.streams = []() -> absl::StatusOr<std::vector<StreamStats>> {
    return std::vector<StreamStats>{{"S", 1, 10, 1, 1, "", "A"}, {"S", 2, 20, 1, 2, "EIO", "B"}};
  };
  std::vector<std::string> asked;
  js.consumers = [&asked](const StreamStats& s) -> absl::StatusOr<std::vector<ConsumerStats>> {
    asked.push_back(s.account + " " + s.name);
    return std::vector<ConsumerStats>{{"C", 4, 2, 1}};
  };
  Monitor monitor(server.get(), js);
  std::map<std::string, double> m = ParseMetrics(monitor.Handle("/metrics", {}).body);
  EXPECT_EQ(m["jsengine_stream_messages{account=\"A\",stream=\"S\"}"], 1);
  EXPECT_EQ(m["jsengine_stream_messages{account=\"B\",stream=\"S\"}"], 2);
  EXPECT_EQ(m["jsengine_consumer_num_pending{account=\"B\",stream=\"S\",consumer=\"C\"}"], 4);
  EXPECT_EQ(asked, (std::vector<std::string>{"A S", "B S"}));
  EXPECT_EQ(Json::parse(monitor.Handle("/healthz", {}).body)["error"],
            "JetStream stream 'B > S' is not current: EIO");
  EXPECT_EQ(Json::parse(monitor.Handle("/jsz", {}).body)["accounts"], 2);
}

TEST(MonitorJszTest, AccountDetailsForAllOrOneAccount) {
  auto server = jsengine::testing::core::StartTestServer({});
  JetStreamView js = TwoAccounts();
  std::vector<std::pair<bool, bool>> asked;
  js.account_details = [&asked](bool streams,
                                bool consumers) -> absl::StatusOr<std::vector<AccountJetStream>> {
    asked.emplace_back(streams, consumers);
    AccountJetStream a;
    a.name = "A";
    a.usage.storage = 43;
    a.api = {2, 1};
    a.streams.push_back({R"({"config":{"name":"S","subjects":["s"]},"created":"T",)"
                         R"("state":{"messages":1}})",
                         {R"({"stream_name":"S","name":"C","config":{"durable_name":"C"},)"
                          R"("num_pending":1,"cluster":{"leader":"x"}})"}});
    AccountJetStream b;
    b.name = "B";
    b.limits.max_storage = 1000;
    return std::vector<AccountJetStream>{a, b};
  };
  Monitor monitor(server.get(), js);
  Json plain = Json::parse(monitor.Handle("/jsz", {}).body);
  EXPECT_FALSE(plain.contains("account_details"));
  EXPECT_TRUE(asked.empty());

  Json all = Json::parse(monitor.Handle("/jsz", {{"accounts", "true"}}).body);
  ASSERT_EQ(all["account_details"].size(), 2u);
  EXPECT_EQ(all["account_details"][0]["name"], "A");
  EXPECT_EQ(all["account_details"][0]["storage"], 43);
  EXPECT_EQ(all["account_details"][0]["api"]["errors"], 1);
  EXPECT_EQ(all["account_details"][0]["reserved_storage"], UINT64_MAX);
  EXPECT_EQ(all["account_details"][1]["reserved_storage"], 1000);
  EXPECT_FALSE(all["account_details"][0].contains("stream_detail"));

  Json one = Json::parse(
      monitor.Handle("/jsz", {{"acc", "A"}, {"consumers", "1"}, {"config", "true"}}).body);
  ASSERT_EQ(one["account_details"].size(), 1u);
  const Json& stream = one["account_details"][0]["stream_detail"][0];
  EXPECT_EQ(stream["name"], "S");
  EXPECT_EQ(stream["cluster"]["leader"], server->server_id());
  EXPECT_EQ(stream["config"]["subjects"][0], "s");
  EXPECT_EQ(stream["state"]["messages"], 1);
  const Json& consumer = stream["consumer_detail"][0];
  EXPECT_EQ(consumer["config"]["durable_name"], "C");
  EXPECT_FALSE(consumer.contains("cluster"));
  EXPECT_EQ(asked, (std::vector<std::pair<bool, bool>>{{false, false}, {true, true}}));

  Json without_config =
      Json::parse(monitor.Handle("/jsz", {{"acc", "A"}, {"streams", "true"}}).body);
  EXPECT_FALSE(without_config["account_details"][0]["stream_detail"][0].contains("config"));
  EXPECT_FALSE(
      Json::parse(monitor.Handle("/jsz", {{"acc", "Z"}}).body).contains("account_details"));
  EXPECT_EQ(monitor.Handle("/jsz", {{"accounts", "maybe"}}).status, 400);
}

TEST(MonitorMetricsTest, StreamsAndConsumers) {
  auto server = jsengine::testing::core::StartTestServer({});
  uint64_t messages = 1;
  JetStreamView js;
  js.enabled = true;
  js.streams = [&messages]() -> absl::StatusOr<std::vector<StreamStats>> {
    return std::vector<StreamStats>{{"S", messages, 100 * messages, 1, messages, ""}};
  };
  js.consumers = [](const StreamStats& stream) -> absl::StatusOr<std::vector<ConsumerStats>> {
    return std::vector<ConsumerStats>{{"C", 4, 2, 1}};
  };
  Monitor monitor(server.get(), js);
  std::map<std::string, double> m = ParseMetrics(monitor.Handle("/metrics", {}).body);
  EXPECT_EQ(m["jsengine_stream_messages{stream=\"S\"}"], 1);
  EXPECT_EQ(m["jsengine_stream_failed{stream=\"S\"}"], 0);
  EXPECT_EQ(m["jsengine_consumer_num_pending{stream=\"S\",consumer=\"C\"}"], 4);
  EXPECT_EQ(m["jsengine_consumer_num_ack_pending{stream=\"S\",consumer=\"C\"}"], 2);
  EXPECT_EQ(m["jsengine_consumer_num_redelivered{stream=\"S\",consumer=\"C\"}"], 1);
  messages = 3;
  m = ParseMetrics(monitor.Handle("/metrics", {}).body);
  EXPECT_EQ(m["jsengine_stream_messages{stream=\"S\"}"], 3);
  EXPECT_EQ(m["jsengine_stream_bytes{stream=\"S\"}"], 300);
  EXPECT_EQ(m["jsengine_stream_last_seq{stream=\"S\"}"], 3);
}

}  // namespace
}  // namespace jsengine::gateway::monitor
