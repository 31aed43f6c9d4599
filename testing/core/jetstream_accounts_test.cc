// JetStream per account (`accounts { A: { jetstream: ... } }`), run the same
// way against the gateway binary and the reference nats-server: each account
// has its own streams and consumers (the same stream name in two accounts is
// two streams), its own $JS.API.INFO and its own limits, enforced with
// nats-server's errors; an account without JetStream gets 10039; an
// account's streams come back under it after a restart; a reload (SIGHUP)
// enables, disables and re-limits accounts' JetStream.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/core/backends.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

constexpr char kAccounts[] = R"(
accounts {
  A: { jetstream: enabled, users: [{user: a, password: pa}] }
  B: {
    jetstream: { max_mem: 0, max_file: 1M, max_streams: 2, max_consumers: 1 }
    users: [{user: b, password: pb}]
  }
  C: { jetstream: { max_bytes_required: true }, users: [{user: c, password: pc}] }
  N: { users: [{user: n, password: pn}] }
}
)";

class JetStreamAccountsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    dir_ = util::MakeTempDir("jsaccounts-");
    std::ofstream(dir_ + "/server.conf") << "jetstream { store_dir: \"" << dir_ << "/store\" }\n"
                                         << kAccounts;
    StartServer();
  }

  void TearDown() override { CloseAll(); }

  void StartServer() {
    std::vector<std::string> args = {"-c", dir_ + "/server.conf"};
    if (GetParam().binary == &GatewayBinary) args.push_back("--grpc_listen=127.0.0.1:0");
    absl::StatusOr<common::Ports> ports = StartOnFreePort(GetParam().binary(), args, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    url_ = ports->nats.front();
  }

  void CloseAll() {
    for (auto& [user, nc] : connections_) natsConnection_Destroy(nc);
    connections_.clear();
  }

  void Restart() {
    CloseAll();
    server_->Stop(SIGTERM);
    server_.reset();
    StartServer();
  }

  // A connection as `user` (password "p" + user), kept until TearDown.
  natsConnection* As(const std::string& user) {
    for (auto& [name, nc] : connections_) {
      if (name == user) return nc;
    }
    const std::string url =
        "nats://" + user + ":p" + user + "@" + url_.substr(url_.find("://") + 3);
    natsConnection* nc = nullptr;
    EXPECT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK) << user;
    connections_.emplace_back(user, nc);
    return nc;
  }

  // The reply to a request as `user`, or "" on failure.
  std::string Request(const std::string& user, const std::string& subject, const std::string& body,
                      natsMsg** keep = nullptr) {
    natsMsg* reply = nullptr;
    const natsStatus s =
        natsConnection_RequestString(&reply, As(user), subject.c_str(), body.c_str(), 5000);
    EXPECT_EQ(s, NATS_OK) << user << " " << subject;
    if (s != NATS_OK) return "";
    std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    if (keep != nullptr) {
      *keep = reply;
    } else {
      natsMsg_Destroy(reply);
    }
    return data;
  }

  std::string CreateStream(const std::string& user, const std::string& name,
                           const std::string& extra = "") {
    return Request(user, "$JS.API.STREAM.CREATE." + name,
                   absl::StrCat(R"({"name":")", name, R"(","subjects":["orders.>"])", extra, "}"));
  }

  // How often the server's log has `needle`, once it has it at least
  // `at_least` times (or after a bounded wait).
  int LogCount(const std::string& needle, int at_least = 1) {
    int count = 0;
    for (int i = 0; i < 200 && count < at_least; ++i) {
      std::ifstream in(server_->log_path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string log = text.str();
      count = 0;
      for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
        ++count;
      }
      if (count < at_least) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return count;
  }

  // A durable consumer `name` on the account's stream ORDERS.
  std::string CreateDurable(const std::string& user, const std::string& name) {
    return Request(
        user, "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS." + name,
        absl::StrCat(R"({"stream_name":"ORDERS","config":{"durable_name":")", name, R"("}})"));
  }

  std::string dir_;
  std::unique_ptr<harness::Process> server_;
  std::string url_;
  std::vector<std::pair<std::string, natsConnection*>> connections_;
};

bool Has(const std::string& text, const std::string& part) { return absl::StrContains(text, part); }

TEST_P(JetStreamAccountsTest, SameStreamNameInTwoAccountsIsTwoStreams) {
  std::string a = CreateStream("a", "ORDERS");
  EXPECT_FALSE(Has(a, "\"error\"")) << a;
  std::string b = CreateStream("b", "ORDERS");
  EXPECT_FALSE(Has(b, "\"error\"")) << b;
  EXPECT_EQ(Request("a", "orders.1", "one"), R"({"stream":"ORDERS", "seq":1})");
  EXPECT_EQ(Request("a", "orders.2", "two"), R"({"stream":"ORDERS", "seq":2})");
  EXPECT_EQ(Request("b", "orders.1", "uno"), R"({"stream":"ORDERS", "seq":1})");
  a = Request("a", "$JS.API.STREAM.INFO.ORDERS", "");
  EXPECT_TRUE(Has(a, R"("messages":2)")) << a;
  b = Request("b", "$JS.API.STREAM.INFO.ORDERS", "");
  EXPECT_TRUE(Has(b, R"("messages":1)")) << b;
  const std::string names = Request("a", "$JS.API.STREAM.NAMES", "");
  EXPECT_TRUE(Has(names, R"("total":1)")) << names;
  EXPECT_TRUE(Has(names, R"("streams":["ORDERS"])")) << names;

  const std::string info_a = Request("a", "$JS.API.INFO", "");
  EXPECT_TRUE(Has(info_a, R"("streams":1,"consumers":0)")) << info_a;
  EXPECT_TRUE(Has(info_a, R"("max_memory":-1,"max_storage":-1,"max_streams":-1)")) << info_a;
  const std::string info_b = Request("b", "$JS.API.INFO", "");
  EXPECT_TRUE(Has(info_b, R"("streams":1,"consumers":0)")) << info_b;
  EXPECT_TRUE(
      Has(info_b, R"("max_memory":0,"max_storage":1000000,"max_streams":2,"max_consumers":1)"))
      << info_b;

  // A pull consumer in A sees A's messages, with A's stream name in its ack
  // subject, and its ack lands in A.
  const std::string consumer = Request("a", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.C1",
                                       R"({"stream_name":"ORDERS","config":{"durable_name":"C1",)"
                                       R"("ack_policy":"explicit"}})");
  EXPECT_TRUE(Has(consumer, R"("stream_name":"ORDERS","name":"C1")")) << consumer;
  natsMsg* msg = nullptr;
  const std::string data = Request("a", "$JS.API.CONSUMER.MSG.NEXT.ORDERS.C1", "1", &msg);
  EXPECT_EQ(data, "one");
  ASSERT_NE(msg, nullptr);
  EXPECT_STREQ(natsMsg_GetSubject(msg), "orders.1");
  const std::string ack_subject = natsMsg_GetReply(msg);
  EXPECT_TRUE(absl::StartsWith(ack_subject, "$JS.ACK.ORDERS.C1.1.1.1.")) << ack_subject;
  natsMsg_Destroy(msg);
  Request("a", ack_subject, "+ACK");  // AckSync: answered once it took effect.
  const std::string after = Request("a", "$JS.API.CONSUMER.INFO.ORDERS.C1", "");
  EXPECT_TRUE(Has(after, R"("num_ack_pending":0)")) << after;
  EXPECT_TRUE(Has(after, R"("num_pending":1)")) << after;
  EXPECT_TRUE(Has(Request("b", "$JS.API.CONSUMER.INFO.ORDERS.C1", ""), R"("err_code":10014)"));

  // A push consumer in B delivers B's message to B's subscriber.
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, As("b"), "push.b"), NATS_OK);
  natsConnection_Flush(As("b"));
  const std::string push =
      Request("b", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.P",
              R"({"stream_name":"ORDERS","config":{"durable_name":"P","deliver_subject":"push.b",)"
              R"("ack_policy":"none"}})");
  EXPECT_TRUE(Has(push, R"("deliver_subject":"push.b")")) << push;
  natsMsg* pushed = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&pushed, sub, 5000), NATS_OK);
  EXPECT_STREQ(natsMsg_GetSubject(pushed), "orders.1");
  EXPECT_EQ(std::string(natsMsg_GetData(pushed), natsMsg_GetDataLength(pushed)), "uno");
  natsMsg_Destroy(pushed);
  natsSubscription_Destroy(sub);
}

TEST_P(JetStreamAccountsTest, LimitsAreEnforcedWithNatsServerErrors) {
  EXPECT_FALSE(Has(CreateStream("b", "ORDERS"), "\"error\""));
  std::string r = Request("b", "$JS.API.STREAM.CREATE.MEM",
                          R"({"name":"MEM","subjects":["mem"],"storage":"memory"})");
  EXPECT_TRUE(Has(r, R"("err_code":10028,"description":"insufficient memory resources available")"))
      << r;
  r = Request("b", "$JS.API.STREAM.CREATE.BIG",
              R"({"name":"BIG","subjects":["big"],"max_bytes":2097152})");
  EXPECT_TRUE(
      Has(r, R"("err_code":10047,"description":"insufficient storage resources available")"))
      << r;
  r = Request("b", "$JS.API.STREAM.CREATE.TWO", R"({"name":"TWO","subjects":["two"]})");
  EXPECT_FALSE(Has(r, "\"error\"")) << r;
  r = Request("b", "$JS.API.STREAM.CREATE.THREE", R"({"name":"THREE","subjects":["three"]})");
  EXPECT_TRUE(Has(r, R"("err_code":10027,"description":"maximum number of streams reached")")) << r;
  r = CreateDurable("b", "C1");
  EXPECT_FALSE(Has(r, "\"error\"")) << r;
  r = CreateDurable("b", "C2");
  EXPECT_TRUE(Has(r, R"("err_code":10026,"description":"maximum consumers limit reached")")) << r;
  // Another account's limits are its own.
  EXPECT_FALSE(Has(CreateStream("a", "THREE"), "\"error\""));

  r = CreateStream("c", "ORDERS");
  EXPECT_TRUE(Has(
      r,
      R"("err_code":10113,"description":"account requires a stream config to have max bytes set")"))
      << r;
  r = CreateStream("c", "ORDERS", R"(,"max_bytes":1000)");
  EXPECT_FALSE(Has(r, "\"error\"")) << r;
}

TEST_P(JetStreamAccountsTest, PublishesBeyondTheAccountsStorageAreRefused) {
  // B may store 1M (1,000,000) bytes; a message of 100,000 bytes on
  // "orders.x" takes 100,038 of them.
  EXPECT_FALSE(Has(CreateStream("b", "ORDERS"), "\"error\""));
  const std::string big(100000, 'x');
  for (int i = 1; i <= 9; ++i) {
    EXPECT_EQ(Request("b", "orders.x", big), absl::StrCat(R"({"stream":"ORDERS", "seq":)", i, "}"));
  }
  std::string r = Request("b", "orders.x", big);
  EXPECT_TRUE(Has(r, R"("err_code":10002,"description":"resource limits exceeded for account")"))
      << r;
  // Account A is not limited by B's usage.
  EXPECT_FALSE(Has(CreateStream("a", "ORDERS"), "\"error\""));
  EXPECT_EQ(Request("a", "orders.x", big), R"({"stream":"ORDERS", "seq":1})");
  // What a purge frees can be used again.
  r = Request("b", "$JS.API.STREAM.PURGE.ORDERS", "");
  EXPECT_TRUE(Has(r, R"("success":true)")) << r;
  // (nats-server 2.9.10 then answers seq 11, as if the refused publish had
  // taken 10; the gateway answers 10.)
  r = Request("b", "orders.x", big);
  EXPECT_TRUE(absl::StartsWith(r, R"({"stream":"ORDERS", "seq":1)")) << r;
}

TEST_P(JetStreamAccountsTest, AccountWithoutJetStream) {
  const std::string info = Request("n", "$JS.API.INFO", "");
  EXPECT_EQ(info, R"({"type":"io.nats.jetstream.api.v1.account_info_response","error":{"code":503,)"
                  R"("err_code":10039,"description":"JetStream not enabled for account"}})");
}

TEST_P(JetStreamAccountsTest, StreamsComeBackUnderTheirAccountAfterARestart) {
  EXPECT_FALSE(Has(CreateStream("a", "ORDERS"), "\"error\""));
  EXPECT_FALSE(Has(CreateStream("b", "ORDERS"), "\"error\""));
  Request("a", "orders.1", "one");
  Request("a", "orders.2", "two");
  Request("b", "orders.1", "uno");
  const std::string consumer = Request("a", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.C1",
                                       R"({"stream_name":"ORDERS","config":{"durable_name":"C1",)"
                                       R"("ack_policy":"explicit"}})");
  EXPECT_FALSE(Has(consumer, "\"error\"")) << consumer;
  Restart();
  std::string a = Request("a", "$JS.API.STREAM.INFO.ORDERS", "");
  EXPECT_TRUE(Has(a, R"("messages":2)")) << a;
  std::string b = Request("b", "$JS.API.STREAM.INFO.ORDERS", "");
  EXPECT_TRUE(Has(b, R"("messages":1)")) << b;
  EXPECT_TRUE(Has(Request("a", "$JS.API.CONSUMER.NAMES.ORDERS", ""), R"("consumers":["C1"])"));
  EXPECT_TRUE(Has(Request("b", "$JS.API.CONSUMER.NAMES.ORDERS", ""), R"("total":0)"));
  EXPECT_EQ(Request("a", "orders.3", "three"), R"({"stream":"ORDERS", "seq":3})");
}

// The configuration after a reload: A's JetStream off, N's on, B's limits
// raised.
constexpr char kReloadedAccounts[] = R"(
accounts {
  A: { users: [{user: a, password: pa}] }
  B: {
    jetstream: { max_mem: 0, max_file: 1M, max_streams: 3, max_consumers: 2 }
    users: [{user: b, password: pb}]
  }
  C: { jetstream: { max_bytes_required: true }, users: [{user: c, password: pc}] }
  N: { jetstream: enabled, users: [{user: n, password: pn}] }
}
)";

TEST_P(JetStreamAccountsTest, ReloadAppliesEachAccountsJetStream) {
  const std::string config = dir_ + "/server.conf";
  const std::string store = "jetstream { store_dir: \"" + dir_ + "/store\" }\n";
  int reloads = 0;
  auto reload = [&](const char* accounts) {
    std::ofstream(config, std::ios::trunc) << store << accounts;
    ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
    ++reloads;
    ASSERT_GE(LogCount("Reloaded server configuration", reloads), reloads) << server_->log_path();
  };
  EXPECT_FALSE(Has(CreateStream("a", "ORDERS"), "\"error\""));
  EXPECT_EQ(Request("a", "orders.1", "one"), R"({"stream":"ORDERS", "seq":1})");
  EXPECT_FALSE(Has(CreateStream("b", "ORDERS"), "\"error\""));
  EXPECT_FALSE(
      Has(Request("b", "$JS.API.STREAM.CREATE.TWO", R"({"name":"TWO","subjects":["two"]})"),
          "\"error\""));
  EXPECT_FALSE(Has(CreateDurable("b", "C1"), "\"error\""));

  reload(kReloadedAccounts);
  std::string r = Request("a", "$JS.API.INFO", "");
  EXPECT_TRUE(Has(r, R"("err_code":10039,"description":"JetStream not enabled for account")")) << r;
  r = Request("n", "$JS.API.INFO", "");
  EXPECT_TRUE(Has(r, R"("limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,)")) << r;
  EXPECT_FALSE(Has(CreateStream("n", "ORDERS"), "\"error\""));
  r = Request("b", "$JS.API.INFO", "");
  EXPECT_TRUE(Has(r, R"("max_streams":3,"max_consumers":2)")) << r;
  r = Request("b", "$JS.API.STREAM.CREATE.THREE", R"({"name":"THREE","subjects":["three"]})");
  EXPECT_FALSE(Has(r, "\"error\"")) << r;
  r = CreateDurable("b", "C2");
  EXPECT_FALSE(Has(r, "\"error\"")) << r;
  r = CreateDurable("b", "C3");
  EXPECT_TRUE(Has(r, R"("err_code":10026,"description":"maximum consumers limit reached")")) << r;

  // Enabled again, A finds its stream as it left it.
  reload(kAccounts);
  r = Request("a", "$JS.API.STREAM.INFO.ORDERS", "");
  EXPECT_TRUE(Has(r, R"("messages":1)")) << r;
  EXPECT_EQ(Request("a", "orders.2", "two"), R"({"stream":"ORDERS", "seq":2})");
  r = Request("n", "$JS.API.INFO", "");
  EXPECT_TRUE(Has(r, R"("err_code":10039)")) << r;
}

INSTANTIATE_TEST_SUITE_P(Servers, JetStreamAccountsTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
