// The system account as natscli's `nats server` commands, nats-surveyor and
// event consumers use it: the same configuration (a SYS account with a user,
// `system_account: SYS`, an account A with JetStream) runs in nats-server and
// in the gateway; a SYS client sends the same $SYS.REQ requests to both and
// the answers must have the same fields (recursively), and the same events
// must reach both servers' subscribers with the same fields.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/json_fields.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

using Json = nlohmann::json;

constexpr char kConfig[] = R"(
accounts {
  SYS: {users: [{user: sys, password: sys}]}
  A: {users: [{user: a, password: a}], jetstream: enabled}
}
system_account: SYS
)";

// Fields of nats-server 2.10 (the version the gateway announces) that the
// reference 2.9.10 lacks.
const std::vector<const char*> kSince210 = {"flags",
                                            "num_subscriptions",
                                            ".config.compression",
                                            ".config.consumer_limits",
                                            "data.status_code",
                                            "data.slow_consumer_stats",
                                            "config.sync_interval",
                                            "consumer_detail[].ts",
                                            "imports[].local_subject"};

// Fields nats-server has that the gateway leaves out: the system imports of
// every account, and round-trip times (the gateway measures none).
const std::vector<const char*> kOnlyInNatsServer = {"data.imports", "data.account_detail.imports",
                                                    "client.rtt"};

struct Server {
  std::unique_ptr<harness::Process> process;
  int port = 0;
};

Server Start(const std::string& binary, const std::string& config) {
  Server server;
  std::vector<std::string> args = {"-c", config, "-js", "-sd", util::MakeTempDir("store-")};
  if (binary == core::GatewayBinary()) args.push_back("--grpc_listen=127.0.0.1:0");
  absl::StatusOr<common::Ports> ports = core::StartOnFreePort(binary, args, &server.process);
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (ports.ok()) server.port = common::PortOf(ports->nats[0]).value_or(0);
  return server;
}

natsConnection* Connect(int port, const char* user, const char* password) {
  natsOptions* opts = core::LocalClientOptions(port);
  natsOptions_SetUserInfo(opts, user, password);
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  EXPECT_EQ(s, NATS_OK) << user << ": " << natsStatus_GetText(s);
  return s == NATS_OK ? nc : nullptr;
}

std::string ServerId(natsConnection* nc) {
  char id[128] = {0};
  natsConnection_GetConnectedServerId(nc, id, sizeof(id));
  return id;
}

// The answer to a request; null when none came.
Json Request(natsConnection* nc, const std::string& subject, const std::string& body) {
  natsMsg* reply = nullptr;
  if (natsConnection_RequestString(&reply, nc, subject.c_str(), body.c_str(), 5000) != NATS_OK) {
    return nullptr;
  }
  Json json = Json::parse(natsMsg_GetData(reply), nullptr, false);
  natsMsg_Destroy(reply);
  return json;
}

std::set<std::string> FieldsOf(const Json& json) {
  std::set<std::string> fields;
  util::JsonFields(json, "", &fields);
  return fields;
}

bool Excused(const std::string& field, const std::vector<const char*>& list) {
  return std::any_of(list.begin(), list.end(), [&field](const char* f) {
    return absl::EndsWith(field, f) || absl::StartsWith(field, f);
  });
}

void ExpectSameFields(const Json& theirs, const Json& mine) {
  ASSERT_FALSE(theirs.is_discarded() || theirs.is_null()) << "no answer from nats-server";
  ASSERT_FALSE(mine.is_discarded() || mine.is_null()) << "no answer from the gateway";
  const std::set<std::string> their_fields = FieldsOf(theirs), my_fields = FieldsOf(mine);
  std::vector<std::string> missing, extra;
  for (const std::string& f : their_fields) {
    if (my_fields.count(f) == 0 && !Excused(f, kOnlyInNatsServer)) missing.push_back(f);
  }
  for (const std::string& f : my_fields) {
    if (their_fields.count(f) == 0 && !Excused(f, kSince210)) extra.push_back(f);
  }
  EXPECT_TRUE(missing.empty()) << "missing: " << absl::StrJoin(missing, ", ") << "\n" << mine;
  EXPECT_TRUE(extra.empty()) << "not in nats-server's: " << absl::StrJoin(extra, ", ") << "\n"
                             << theirs;
}

// A subscription that collects messages.
class Collector {
 public:
  Collector(natsConnection* nc, const std::string& subject) {
    EXPECT_EQ(natsConnection_SubscribeSync(&sub_, nc, subject.c_str()), NATS_OK);
    natsConnection_Flush(nc);
  }
  ~Collector() { natsSubscription_Destroy(sub_); }
  // The next message's subject and JSON; null JSON after `timeout_ms`.
  Json Next(int64_t timeout_ms = 5000, std::string* subject = nullptr) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, sub_, timeout_ms) != NATS_OK) return nullptr;
    if (subject != nullptr) *subject = natsMsg_GetSubject(msg);
    Json json = Json::parse(natsMsg_GetData(msg), nullptr, false);
    natsMsg_Destroy(msg);
    return json;
  }

 private:
  natsSubscription* sub_ = nullptr;
};

class SystemAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(harness::NatsServerBinary().c_str(), X_OK) != 0) {
      GTEST_SKIP() << "nats-server is not installed";
    }
    const std::string dir = util::MakeTempDir("sys-");
    std::ofstream(dir + "/server.conf") << kConfig;
    reference_ = Start(harness::NatsServerBinary(), dir + "/server.conf");
    ours_ = Start(core::GatewayBinary(), dir + "/server.conf");
    ASSERT_GT(reference_.port, 0);
    ASSERT_GT(ours_.port, 0);
    for (Server* s : {&reference_, &ours_}) {
      natsConnection* sys = Connect(s->port, "sys", "sys");
      ASSERT_NE(sys, nullptr);
      sys_.push_back(sys);
    }
  }
  void TearDown() override {
    for (natsConnection* nc : sys_) natsConnection_Destroy(nc);
  }

  // The same request to both; `{id}` in the subject is each server's id.
  void ExpectSameAnswerFields(const std::string& subject, const std::string& body) {
    SCOPED_TRACE(subject + " " + body);
    std::vector<Json> answers;
    for (natsConnection* nc : sys_) {
      std::string to = subject;
      if (const size_t at = to.find("{id}"); at != std::string::npos) {
        to.replace(at, 4, ServerId(nc));
      }
      answers.push_back(Request(nc, to, body));
    }
    ExpectSameFields(answers[0], answers[1]);
  }

  Server reference_, ours_;
  std::vector<natsConnection*> sys_;  // reference's, then ours
};

TEST_F(SystemAccountTest, RequestsAnswerWithNatsServersFields) {
  // A client of A with a subscription, so lists are not empty.
  std::vector<natsConnection*> clients;
  std::vector<natsSubscription*> subs;
  for (Server* s : {&reference_, &ours_}) {
    natsConnection* a = Connect(s->port, "a", "a");
    ASSERT_NE(a, nullptr);
    natsSubscription* sub = nullptr;
    natsConnection_SubscribeSync(&sub, a, "orders.*");
    natsConnection_PublishString(a, "orders.1", "x");
    natsConnection_Flush(a);
    clients.push_back(a);
    subs.push_back(sub);
  }
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"$SYS.REQ.SERVER.PING", ""},
      {"$SYS.REQ.SERVER.PING.STATSZ", ""},
      {"$SYS.REQ.SERVER.PING.VARZ", ""},
      {"$SYS.REQ.SERVER.PING.CONNZ", ""},
      {"$SYS.REQ.SERVER.PING.CONNZ", R"({"subscriptions":true,"auth":true})"},
      {"$SYS.REQ.SERVER.PING.CONNZ", R"({"subscriptions_detail":true,"acc":"A"})"},
      {"$SYS.REQ.SERVER.PING.SUBSZ", ""},
      {"$SYS.REQ.SERVER.PING.SUBSZ", R"({"subscriptions":true,"test":"orders.1"})"},
      {"$SYS.REQ.SERVER.PING.JSZ", R"({"accounts":true})"},
      {"$SYS.REQ.SERVER.PING.ACCOUNTZ", ""},
      {"$SYS.REQ.SERVER.PING.ACCOUNTZ", R"({"account":"A"})"},
      {"$SYS.REQ.SERVER.PING.HEALTHZ", ""},
      {"$SYS.REQ.SERVER.{id}.VARZ", ""},
      {"$SYS.REQ.SERVER.{id}.CONNZ", R"({"limit":1})"},
      {"$SYS.REQ.SERVER.{id}.STATSZ", ""},
      {"$SYS.REQ.ACCOUNT.A.CONNZ", ""},
      {"$SYS.REQ.ACCOUNT.A.SUBSZ", ""},
      {"$SYS.REQ.ACCOUNT.A.INFO", ""},
      {"$SYS.REQ.ACCOUNT.A.JSZ", ""},
      {"$SYS.REQ.ACCOUNT.A.STATZ", ""},
      {"$SYS.REQ.ACCOUNT.A.CONNS", ""},
      {"$SYS.REQ.ACCOUNT.PING.STATZ", R"({"accounts":["A"]})"},
      // Decoding errors come back in the envelope.
      {"$SYS.REQ.SERVER.PING.CONNZ", "{"},
  };
  for (const auto& [subject, body] : requests) ExpectSameAnswerFields(subject, body);

  // Ours in detail: the envelope names this server and the data is the
  // account's.
  natsConnection* sys = sys_[1];
  const Json connz = Request(sys, "$SYS.REQ.ACCOUNT.A.CONNZ", "");
  EXPECT_EQ(connz["server"]["id"], ServerId(sys));
  ASSERT_EQ(connz["data"]["connections"].size(), 1u);
  const Json subsz = Request(sys, "$SYS.REQ.SERVER.PING.SUBSZ",
                             R"({"subscriptions":true,"test":"orders.1","account":"A"})");
  ASSERT_EQ(subsz["data"]["subscriptions_list"].size(), 1u);
  EXPECT_EQ(subsz["data"]["subscriptions_list"][0]["subject"], "orders.*");
  const Json statz = Request(sys, "$SYS.REQ.ACCOUNT.A.STATZ", "");
  EXPECT_EQ(statz["data"]["account_statz"][0]["conns"], 1);
  EXPECT_EQ(statz["data"]["account_statz"][0]["received"]["msgs"], 1);
  const Json idz = Request(sys, "$SYS.REQ.SERVER.PING.IDZ", "");
  EXPECT_EQ(idz["id"], ServerId(sys));
  // A filter that leaves the server out: no answer.
  EXPECT_TRUE(Request(sys, "$SYS.REQ.SERVER.PING.VARZ", R"({"server_name":"nope"})").is_null());

  for (natsSubscription* sub : subs) natsSubscription_Destroy(sub);
  for (natsConnection* nc : clients) natsConnection_Destroy(nc);
}

TEST_F(SystemAccountTest, ClientEventsReachSubscribersWithNatsServersFields) {
  std::vector<Json> connects, disconnects, conns, auth_errors;
  for (size_t i = 0; i < sys_.size(); ++i) {
    Server* s = i == 0 ? &reference_ : &ours_;
    Collector connect(sys_[i], "$SYS.ACCOUNT.*.CONNECT");
    Collector disconnect(sys_[i], "$SYS.ACCOUNT.*.DISCONNECT");
    Collector count(sys_[i], "$SYS.ACCOUNT.A.SERVER.CONNS");
    Collector auth(sys_[i], "$SYS.SERVER.*.CLIENT.AUTH.ERR");
    natsConnection* a = Connect(s->port, "a", "a");
    ASSERT_NE(a, nullptr);
    natsConnection_PublishString(a, "x", "12345");
    natsConnection_Flush(a);
    natsConnection_Destroy(a);
    connects.push_back(connect.Next());
    disconnects.push_back(disconnect.Next());
    conns.push_back(count.Next());
    natsOptions* opts = core::LocalClientOptions(s->port);
    natsOptions_SetUserInfo(opts, "a", "wrong");
    natsConnection* refused = nullptr;
    EXPECT_NE(natsConnection_Connect(&refused, opts), NATS_OK);
    natsOptions_Destroy(opts);
    auth_errors.push_back(auth.Next());
  }
  ExpectSameFields(connects[0], connects[1]);
  ExpectSameFields(disconnects[0], disconnects[1]);
  ExpectSameFields(conns[0], conns[1]);
  ExpectSameFields(auth_errors[0], auth_errors[1]);
  for (size_t i = 0; i < sys_.size(); ++i) {
    SCOPED_TRACE(i == 0 ? "nats-server" : "gateway");
    EXPECT_EQ(connects[i]["type"], "io.nats.server.advisory.v1.client_connect");
    EXPECT_EQ(connects[i]["client"]["acc"], "A");
    EXPECT_EQ(connects[i]["client"]["user"], "a");
    EXPECT_EQ(disconnects[i]["type"], "io.nats.server.advisory.v1.client_disconnect");
    EXPECT_EQ(disconnects[i]["reason"], "Client Closed");
    EXPECT_EQ(disconnects[i]["sent"]["msgs"], 1);
    EXPECT_EQ(disconnects[i]["sent"]["bytes"], 5);
    EXPECT_EQ(conns[i]["type"], "io.nats.server.advisory.v1.account_connections");
    EXPECT_EQ(conns[i]["acc"], "A");
    EXPECT_EQ(conns[i]["conns"], 1);
    EXPECT_EQ(auth_errors[i]["reason"], "Authentication Failure");
  }
}

TEST_F(SystemAccountTest, StatszHeartbeat) {
  std::vector<Json> beats;
  for (natsConnection* sys : sys_) {
    Collector beat(sys, "$SYS.SERVER.*.STATSZ");
    // The first heartbeats come within seconds; nats-server's period is 10s.
    beats.push_back(beat.Next(30000));
  }
  ExpectSameFields(beats[0], beats[1]);
  EXPECT_EQ(beats[1]["server"]["id"], ServerId(sys_[1]));
  EXPECT_EQ(beats[1]["statsz"]["connections"], 1);
}

// A raw connection (libnats drops what is queued for a subscription once
// the server closes the connection) sees the SHUTDOWN event before the close.
TEST_F(SystemAccountTest, ShutdownEventComesBeforeTheClose) {
  std::vector<std::string> events;
  for (size_t i = 0; i < sys_.size(); ++i) {
    Server* s = i == 0 ? &reference_ : &ours_;
    const std::string id = ServerId(sys_[i]);
    core::RawClient raw(s->port);
    ASSERT_TRUE(raw.ReadUntil("\r\n"));
    raw.Send(R"(CONNECT {"verbose":false,"user":"sys","pass":"sys"})"
             "\r\nSUB $SYS.SERVER.*.SHUTDOWN 1\r\nPING\r\n");
    ASSERT_TRUE(raw.ReadUntil("PONG"));
    raw.Clear();
    s->process->Stop(SIGTERM);
    raw.WaitClosed(10000);
    const std::string& got = raw.buffer();
    const std::string header = "MSG $SYS.SERVER." + id + ".SHUTDOWN 1 ";
    const size_t at = got.find(header);
    ASSERT_NE(at, std::string::npos) << got;
    const size_t start = got.find("\r\n", at) + 2;
    events.push_back(got.substr(start, got.find("\r\n", start) - start));
  }
  const Json theirs = Json::parse(events[0], nullptr, false);
  const Json mine = Json::parse(events[1], nullptr, false);
  ExpectSameFields(theirs, mine);
  EXPECT_EQ(mine["ver"], "2.10.22");
}

// The gateway's only: nats-server 2.9.10 has no LAMEDUCK event.
TEST_F(SystemAccountTest, LameDuckEvent) {
  const std::string id = ServerId(sys_[1]);
  Collector lame_duck(sys_[1], "$SYS.SERVER.*.LAMEDUCK");
  ASSERT_EQ(kill(ours_.process->pid(), SIGUSR2), 0);
  std::string subject;
  const Json event = lame_duck.Next(10000, &subject);
  EXPECT_EQ(subject, "$SYS.SERVER." + id + ".LAMEDUCK");
  EXPECT_EQ(event.value("id", ""), id);
}

}  // namespace
}  // namespace jsengine::testing
