// HTTP monitoring (-m) as tools written for nats-server read it: the same
// raw HTTP requests go to nats-server and to the gateway (both with -js, then
// both without), each with one client connected, and the JSON answers must have the same fields
// (recursively: keys of objects, and of every element of arrays); then both with accounts
// (exports, imports, JetStream with a stream and a consumer) for /accountz and /jsz's
// account_details.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ports_file.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/http_get.h"
#include "testing/util/json_fields.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

using Json = nlohmann::json;

using util::HttpAnswer;
using util::HttpGet;

void Fields(const Json& json, const std::string& prefix, std::set<std::string>* out) {
  util::JsonFields(json, prefix, out);
}

struct Server {
  std::unique_ptr<harness::Process> process;
  int nats_port = 0;
  int http_port = 0;
};

Server Start(const std::string& binary, std::vector<std::string> args, bool jetstream) {
  Server server;
  const std::string ports_dir = util::MakeTempDir("ports-");
  args.insert(args.end(),
              {"-a", "127.0.0.1", "-p", "-1", "-m", "-1", "--ports_file_dir", ports_dir});
  if (jetstream) args.insert(args.end(), {"-js", "-sd", util::MakeTempDir("store-")});
  auto process = harness::Process::Start(binary, args);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return server;
  server.process = std::move(*process);
  auto ports = server.process->WaitForPortsFile(ports_dir, absl::Seconds(30));
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok() || ports->nats.empty() || ports->monitoring.empty()) return server;
  server.nats_port = common::PortOf(ports->nats[0]).value_or(0);
  server.http_port = common::PortOf(ports->monitoring[0]).value_or(0);
  return server;
}

// nats-server and the gateway, with the same arguments.
std::pair<Server, Server> StartBoth(const std::vector<std::string>& args, bool jetstream) {
  std::vector<std::string> gateway_args = args;
  gateway_args.push_back("--grpc_listen=127.0.0.1:0");
  return {Start(harness::NatsServerBinary(), args, jetstream),
          Start(harness::RunfilePath("gateway/gateway"), gateway_args, jetstream)};
}

// Fields nats-server has that the gateway leaves out on purpose.
const std::set<std::string> kOnlyInNatsServer = {
    // /accountz?acc=$G: the global account's imports from the system account.
    "account_detail.imports",
    "account_detail.imports[].subject",
    "account_detail.imports[].account",
    "account_detail.imports[].to",
    "account_detail.imports[].type",
    "account_detail.imports[].invalid",
    "account_detail.imports[].share",
    "account_detail.imports[].tracking",
    "account_detail.imports[].local_subject",
};

// Fields of nats-server 2.10 that the gateway writes and 2.9.10 lacks.
const std::vector<const char*> kSince210 = {
    ".config.compression",         ".config.consumer_limits",    "config.sync_interval",
    "consumer_detail[].ts",        "imports[].local_subject",    "slow_consumer_stats",
    "slow_consumer_stats.clients", "slow_consumer_stats.routes", "slow_consumer_stats.gateways",
    "slow_consumer_stats.leafs"};

// GET `target` from both servers: the same status, and JSON answers with the
// same fields.
void ExpectSameFields(const Server& reference, const Server& ours, const std::string& target) {
  const HttpAnswer theirs = HttpGet(reference.http_port, target);
  const HttpAnswer mine = HttpGet(ours.http_port, target);
  EXPECT_EQ(mine.status, theirs.status);
  const Json their_json = Json::parse(theirs.body, nullptr, false);
  const Json my_json = Json::parse(mine.body, nullptr, false);
  ASSERT_FALSE(their_json.is_discarded()) << theirs.body;
  ASSERT_FALSE(my_json.is_discarded()) << mine.body;
  std::set<std::string> their_fields, my_fields;
  Fields(their_json, "", &their_fields);
  Fields(my_json, "", &my_fields);
  std::vector<std::string> missing, extra;
  for (const std::string& f : their_fields) {
    if (my_fields.count(f) == 0 && kOnlyInNatsServer.count(f) == 0) missing.push_back(f);
  }
  for (const std::string& f : my_fields) {
    const bool newer = std::any_of(kSince210.begin(), kSince210.end(),
                                   [&f](const char* suffix) { return absl::EndsWith(f, suffix); });
    if (their_fields.count(f) == 0 && !newer) extra.push_back(f);
  }
  EXPECT_TRUE(missing.empty()) << "missing: " << absl::StrJoin(missing, ", ");
  EXPECT_TRUE(extra.empty()) << "not in nats-server's: " << absl::StrJoin(extra, ", ");
}

class MonitoringTest : public ::testing::TestWithParam<bool> {};

TEST_P(MonitoringTest, AnswersHaveNatsServersFields) {
  const bool jetstream = GetParam();
  auto [reference, ours] = StartBoth({}, jetstream);
  ASSERT_GT(reference.http_port, 0);
  ASSERT_GT(ours.http_port, 0);

  std::vector<std::unique_ptr<core::RawClient>> clients;
  for (const Server* server : {&reference, &ours}) {
    auto client = std::make_unique<core::RawClient>(server->nats_port);
    ASSERT_TRUE(client->connected());
    client->Send(
        "CONNECT {\"verbose\":false,\"name\":\"probe\",\"lang\":\"c\",\"version\":\"3.4\"}\r\n"
        "SUB probe.x 1\r\nPUB probe.x 2\r\nhi\r\nPING\r\n");
    ASSERT_TRUE(client->ReadUntil("PONG"));
    clients.push_back(std::move(client));
  }

  for (const char* target :
       {"/varz", "/connz", "/connz?limit=1&offset=0", "/connz?subs=1", "/connz?subs=detail",
        "/connz?sort=subs&subs=true", "/connz?sort=uptime", "/connz?sort=bytes_to", "/subsz",
        "/jsz", "/jsz?accounts=true", "/accountz", "/accountz?acc=$G", "/healthz",
        "/healthz?js-enabled-only=true", "/healthz?js-server-only=true"}) {
    SCOPED_TRACE(target);
    ExpectSameFields(reference, ours, target);
  }

  const Json connz = Json::parse(HttpGet(ours.http_port, "/connz").body);
  ASSERT_EQ(connz["connections"].size(), 1u);
  EXPECT_EQ(connz["connections"][0]["name"], "probe");
  EXPECT_EQ(connz["connections"][0]["in_msgs"], 1);
  EXPECT_EQ(HttpGet(ours.http_port, "/healthz?js-enabled-only=maybe").status,
            HttpGet(reference.http_port, "/healthz?js-enabled-only=maybe").status);
  for (const char* target : {"/connz?sort=bogus", "/connz?sort=stop", "/connz?subs=maybe",
                             "/healthz?js-enabled-only=maybe"}) {
    SCOPED_TRACE(target);
    const HttpAnswer theirs = HttpGet(reference.http_port, target);
    const HttpAnswer mine = HttpGet(ours.http_port, target);
    EXPECT_EQ(mine.status, theirs.status);
    if (theirs.status != 200) {
      EXPECT_EQ(mine.body, theirs.body);
    }
  }

  // /metrics (ours only): counters move with publishes, and with JetStream a
  // stream's figures with the messages it stores.
  core::RawClient& client = *clients.back();
  const std::string before = HttpGet(ours.http_port, "/metrics").body;
  EXPECT_NE(before.find("\njsengine_in_msgs_total 1\n"), std::string::npos) << before;
  if (jetstream) {
    const std::string create = R"({"name":"M","subjects":["m.>"]})";
    client.Clear();
    client.Send(absl::StrCat("SUB ack.> 9\r\nPUB $JS.API.STREAM.CREATE.M ack.0 ", create.size(),
                             "\r\n", create, "\r\n"));
    ASSERT_TRUE(client.ReadUntil("MSG ack.0 ")) << client.buffer();
    client.Send("PUB m.1 ack.1 1\r\na\r\nPUB m.2 ack.2 1\r\nb\r\n");
    ASSERT_TRUE(client.ReadUntil("MSG ack.2 ")) << client.buffer();
    const std::string after = HttpGet(ours.http_port, "/metrics").body;
    EXPECT_NE(after.find("\njsengine_stream_messages{stream=\"M\"} 2\n"), std::string::npos)
        << after;
    EXPECT_NE(after.find("\njsengine_stream_last_seq{stream=\"M\"} 2\n"), std::string::npos)
        << after;
    EXPECT_NE(after.find("\njsengine_in_msgs_total 4\n"), std::string::npos) << after;
  }
}

// Accounts with JetStream, exports and imports, and a stream with a
// consumer in one of them.
constexpr char kAccounts[] = R"(
accounts {
  A: {
    jetstream: enabled
    users: [{user: a, password: pa}]
    exports: [{stream: "news.>"}, {service: "help.>", accounts: [B]}]
  }
  B: {
    jetstream: { max_mem: 0, max_file: 1M, max_streams: 2, max_consumers: 1 }
    users: [{user: b, password: pb}]
    imports: [{stream: {account: A, subject: "news.>"}, prefix: "a"},
              {service: {account: A, subject: "help.>"}, to: "ask.>"}]
  }
  N: { users: [{user: n, password: pn}] }
}
)";

TEST(MonitoringAccountsTest, AccountAnswersHaveNatsServersFields) {
  const std::string dir = util::MakeTempDir("monitor-accounts-");
  std::ofstream(dir + "/accounts.conf") << kAccounts;
  auto [reference, ours] = StartBoth({"-c", dir + "/accounts.conf"}, true);
  ASSERT_GT(reference.http_port, 0);
  ASSERT_GT(ours.http_port, 0);

  // Kept open: /accountz counts them.
  std::vector<std::unique_ptr<core::RawClient>> clients;
  for (int port : {reference.nats_port, ours.nats_port}) {
    clients.push_back(std::make_unique<core::RawClient>(port));
    core::RawClient* client = clients.back().get();
    ASSERT_TRUE(client->connected());
    const std::string stream = R"({"name":"ORDERS","subjects":["orders.>"]})";
    const std::string consumer =
        R"({"stream_name":"ORDERS","config":{"durable_name":"C1","ack_policy":"explicit"}})";
    client->Send(absl::StrCat(R"(CONNECT {"verbose":false,"user":"a","pass":"pa"})",
                              "\r\nSUB r.> 1\r\n", "PUB $JS.API.STREAM.CREATE.ORDERS r.1 ",
                              stream.size(), "\r\n", stream, "\r\n"));
    ASSERT_TRUE(client->ReadUntil("MSG r.1 ")) << client->buffer();
    client->Send(absl::StrCat("PUB orders.1 r.2 5\r\nhello\r\n",
                              "PUB $JS.API.CONSUMER.DURABLE.CREATE.ORDERS.C1 r.3 ", consumer.size(),
                              "\r\n", consumer, "\r\n"));
    ASSERT_TRUE(client->ReadUntil("MSG r.3 ")) << client->buffer();
  }

  for (const char* target :
       {"/accountz", "/accountz?acc=A", "/accountz?acc=B", "/accountz?acc=N", "/jsz",
        "/jsz?accounts=true", "/jsz?acc=A&streams=true", "/jsz?acc=A&consumers=true",
        "/jsz?accounts=true&consumers=true&config=true", "/jsz?acc=N"}) {
    SCOPED_TRACE(target);
    ExpectSameFields(reference, ours, target);
  }
  const HttpAnswer theirs = HttpGet(reference.http_port, "/accountz?acc=Z");
  const HttpAnswer mine = HttpGet(ours.http_port, "/accountz?acc=Z");
  EXPECT_EQ(mine.status, theirs.status);
  EXPECT_EQ(mine.body, theirs.body);

  const Json accounts = Json::parse(HttpGet(ours.http_port, "/accountz").body);
  EXPECT_EQ(accounts["accounts"], Json::array({"$G", "A", "B", "N", "$SYS"}));
  EXPECT_EQ(accounts["system_account"], "$SYS");
  const Json a = Json::parse(HttpGet(ours.http_port, "/accountz?acc=A").body)["account_detail"];
  EXPECT_EQ(a["client_connections"], 1);
  EXPECT_EQ(a["jetstream_enabled"], true);
  const Json jsz =
      Json::parse(HttpGet(ours.http_port, "/jsz?acc=A&consumers=true&config=true").body);
  ASSERT_EQ(jsz["account_details"].size(), 1u);
  const Json& stream = jsz["account_details"][0]["stream_detail"][0];
  EXPECT_EQ(stream["name"], "ORDERS");
  EXPECT_EQ(stream["state"]["messages"], 1);
  EXPECT_EQ(stream["consumer_detail"][0]["name"], "C1");
  EXPECT_EQ(stream["consumer_detail"][0]["num_pending"], 1);
}

TEST(MonitoringBasePathTest, EndpointsAreServedUnderHttpBasePath) {
  const std::string dir = util::MakeTempDir("monitor-base-");
  std::ofstream(dir + "/base.conf") << "http_base_path: \"nats/\"\n";
  auto [reference, ours] = StartBoth({"-c", dir + "/base.conf"}, false);
  ASSERT_GT(reference.http_port, 0);
  ASSERT_GT(ours.http_port, 0);
  for (const Server* server : {&reference, &ours}) {
    SCOPED_TRACE(server == &ours ? "ours" : "nats-server");
    const HttpAnswer varz = HttpGet(server->http_port, "/nats/varz");
    EXPECT_EQ(varz.status, 200);
    EXPECT_EQ(Json::parse(varz.body, nullptr, false)["http_base_path"], "nats/");
    EXPECT_EQ(HttpGet(server->http_port, "/nats/connz").status, 200);
    EXPECT_EQ(HttpGet(server->http_port, "/nats").status, 200);
    EXPECT_EQ(HttpGet(server->http_port, "/varz").status, 404);
  }
}

INSTANTIATE_TEST_SUITE_P(JetStream, MonitoringTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "On" : "Off";
                         });

}  // namespace
}  // namespace jsengine::testing
