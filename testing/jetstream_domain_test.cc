// A JetStream domain (`jetstream { domain: HUB }`), run the same way against
// the gateway binary and the reference nats-server: the API answers on
// $JS.HUB.API.> as on $JS.API.>, and $JS.API.INFO and PubAcks name the
// domain. Also: an account without JetStream beside the global one, and a
// push consumer delivering to the account that imports its deliver subject.
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

struct Backend {
  const char* name;
  std::string (*binary)();
  std::vector<std::string> extra_args;
};

std::string Gateway() { return harness::RunfilePath("gateway/gateway"); }

class JetStreamDomainTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    const std::string dir = util::MakeTempDir("domain-");
    const std::string config = dir + "/server.conf";
    std::ofstream(config) << "jetstream { store_dir: \"" << dir << "/store\", domain: HUB\n"
                          << JetStreamExtra() << "}\n"
                          << ExtraConfig();
    std::vector<std::string> args = {"-a", "127.0.0.1", "-p",  "-1", "--ports_file_dir",
                                     dir,  "-c",        config};
    args.insert(args.end(), GetParam().extra_args.begin(), GetParam().extra_args.end());
    auto process = harness::Process::Start(binary, args);
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    auto ports = server_->WaitForPortsFile(dir, absl::Seconds(20));
    ASSERT_TRUE(ports.ok()) << ports.status();
    ASSERT_FALSE(ports->nats.empty());
    url_ = ports->nats.front();
    const std::string url = ExtraConfig().empty() ? url_ : WithUser("g:pg");
    ASSERT_EQ(natsConnection_ConnectTo(&nc_, url.c_str()), NATS_OK);
  }

  virtual std::string ExtraConfig() const { return ""; }
  // More of the server's jetstream block.
  virtual std::string JetStreamExtra() const { return ""; }

  void TearDown() override {
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }

  // The reply to a request, or "" on failure.
  std::string Request(const std::string& subject, const std::string& body) {
    natsMsg* reply = nullptr;
    const natsStatus s =
        natsConnection_RequestString(&reply, nc_, subject.c_str(), body.c_str(), 5000);
    EXPECT_EQ(s, NATS_OK) << subject;
    if (s != NATS_OK) return "";
    std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    return data;
  }

  // The server's URL with credentials: "nats://user:pass@host:port".
  std::string WithUser(const std::string& user_pass) const {
    return "nats://" + user_pass + "@" + url_.substr(url_.find("://") + 3);
  }

  std::unique_ptr<harness::Process> server_;
  std::string url_;
  natsConnection* nc_ = nullptr;
};

TEST_P(JetStreamDomainTest, ApiAnswersUnderTheDomainPrefix) {
  const std::string info = Request("$JS.API.INFO", "");
  EXPECT_TRUE(absl::StrContains(info, "\"domain\":\"HUB\"")) << info;
  const std::string prefixed = Request("$JS.HUB.API.INFO", "");
  EXPECT_TRUE(absl::StrContains(prefixed, "\"domain\":\"HUB\"")) << prefixed;
  EXPECT_TRUE(
      absl::StrContains(prefixed, "\"type\":\"io.nats.jetstream.api.v1.account_info_response\""))
      << prefixed;
  const std::string created =
      Request("$JS.HUB.API.STREAM.CREATE.ORDERS", R"({"name":"ORDERS","subjects":["orders.>"]})");
  EXPECT_TRUE(absl::StrContains(created, "\"name\":\"ORDERS\"")) << created;
  EXPECT_FALSE(absl::StrContains(created, "\"error\"")) << created;
  const std::string ack = Request("orders.1", "hello");
  EXPECT_TRUE(absl::StrContains(ack, "\"domain\":\"HUB\"")) << ack;
  EXPECT_TRUE(absl::StrContains(ack, "\"seq\":1")) << ack;
  const std::string names = Request("$JS.API.STREAM.NAMES", "");
  EXPECT_TRUE(absl::StrContains(names, "ORDERS")) << names;
}

TEST_P(JetStreamDomainTest, OtherDomainsHaveNoResponders) {
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, nc_, "$JS.LEAF.API.INFO", "", 2000),
            NATS_NO_RESPONDERS);
}

// With an account configured: its requests get nats-server's "JetStream not
// enabled for account", typed per endpoint. (Neither serves the global
// account then: see jetstream_accounts_test.cc for accounts with JetStream.)
class JetStreamAccountsTest : public JetStreamDomainTest {
 protected:
  std::string ExtraConfig() const override {
    return "accounts { A: { users: [{user: a, password: pa}] } }\n"
           "authorization { users: [{user: g, password: pg}] }\n";
  }
};

TEST_P(JetStreamAccountsTest, AccountWithoutJetStream) {
  natsConnection* a = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&a, WithUser("a:pa").c_str()), NATS_OK);
  for (const auto& [subject, type] : std::vector<std::pair<std::string, std::string>>{
           {"$JS.API.INFO", "account_info_response"},
           {"$JS.API.STREAM.CREATE.X", "stream_create_response"}}) {
    natsMsg* reply = nullptr;
    ASSERT_EQ(natsConnection_RequestString(&reply, a, subject.c_str(), "{}", 5000), NATS_OK)
        << subject;
    const std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    EXPECT_EQ(data, "{\"type\":\"io.nats.jetstream.api.v1." + type +
                        "\",\"error\":{\"code\":503,\"err_code\":10039,\"description\":"
                        "\"JetStream not enabled for account\"}}");
    natsMsg_Destroy(reply);
  }
  natsConnection_Destroy(a);
}

// A push consumer in A whose deliver subject account I imports (nats.c's
// KeyValueCrossAccount): I's subscriber is the consumer's interest, and gets
// the messages with their own subjects.
class JetStreamCrossAccountTest : public JetStreamDomainTest {
 protected:
  std::string ExtraConfig() const override {
    return "accounts {\n"
           "  A: { users: [{user: a, password: pa}], jetstream: enabled,\n"
           "       exports: [{service: '$JS.API.>'}, {stream: 'deliver.>'}] }\n"
           "  I: { users: [{user: i, password: pi}],\n"
           "       imports: [{service: {account: A, subject: '$JS.API.>'}, to: 'fromA.>'},\n"
           "                 {stream: {account: A, subject: 'deliver.>'}}] }\n"
           "}\n"
           "authorization { users: [{user: g, password: pg}] }\n";
  }
};

TEST_P(JetStreamCrossAccountTest, PushConsumerDeliversToTheImportingAccount) {
  natsConnection* a = nullptr;
  natsConnection* i = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&a, WithUser("a:pa").c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_ConnectTo(&i, WithUser("i:pi").c_str()), NATS_OK);
  auto request = [](natsConnection* nc, const std::string& subject, const std::string& body) {
    natsMsg* reply = nullptr;
    EXPECT_EQ(natsConnection_RequestString(&reply, nc, subject.c_str(), body.c_str(), 5000),
              NATS_OK)
        << subject;
    std::string data;
    if (reply != nullptr) data.assign(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    return data;
  };
  const std::string stream =
      request(a, "$JS.API.STREAM.CREATE.ORDERS", R"({"name":"ORDERS","subjects":["orders.>"]})");
  EXPECT_FALSE(absl::StrContains(stream, "\"error\"")) << stream;
  const std::string consumer =
      request(i, "fromA.CONSUMER.CREATE.ORDERS",
              R"({"stream_name":"ORDERS","config":{"deliver_subject":"deliver.i",)"
              R"("ack_policy":"none"}})");
  EXPECT_FALSE(absl::StrContains(consumer, "\"error\"")) << consumer;
  const std::string ack = request(a, "orders.1", "hello");
  EXPECT_TRUE(absl::StrContains(ack, "\"seq\":1")) << ack;

  // Interest appears in I only now: the consumer starts delivering.
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, i, "deliver.i"), NATS_OK);
  natsMsg* msg = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&msg, sub, 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetSubject(msg)), "orders.1");
  EXPECT_EQ(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), "hello");
  natsMsg_Destroy(msg);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(i);
  natsConnection_Destroy(a);
}

// The server's `jetstream { limits {} }`: consumers may not ask for more
// than its max_ack_pending and max_request_batch (nats.go's
// TestJetStreamSyncSubscribeWithMaxAckPending).
class JetStreamServerLimitsTest : public JetStreamDomainTest {
 protected:
  std::string JetStreamExtra() const override {
    return "limits { max_ack_pending: 123, max_request_batch: 50 }\n";
  }
};

TEST_P(JetStreamServerLimitsTest, ConsumersStayWithinTheServersLimits) {
  const std::string created =
      Request("$JS.API.STREAM.CREATE.ORDERS", R"({"name":"ORDERS","subjects":["orders.>"]})");
  ASSERT_FALSE(absl::StrContains(created, "\"error\"")) << created;
  const std::string too_many = Request("$JS.API.CONSUMER.CREATE.ORDERS.a",
                                       R"({"stream_name":"ORDERS","config":{"durable_name":"a",)"
                                       R"("ack_policy":"explicit","max_ack_pending":1000}})");
  EXPECT_TRUE(absl::StrContains(
      too_many,
      R"("err_code":10121,"description":"consumer max ack pending exceeds system limit of 123")"))
      << too_many;
  const std::string big_batch = Request("$JS.API.CONSUMER.CREATE.ORDERS.b",
                                        R"({"stream_name":"ORDERS","config":{"durable_name":"b",)"
                                        R"("ack_policy":"explicit","max_batch":100}})");
  EXPECT_TRUE(absl::StrContains(big_batch, R"("err_code":10125)")) << big_batch;
  const std::string within = Request("$JS.API.CONSUMER.CREATE.ORDERS.c",
                                     R"({"stream_name":"ORDERS","config":{"durable_name":"c",)"
                                     R"("ack_policy":"explicit","max_ack_pending":100}})");
  EXPECT_TRUE(absl::StrContains(within, R"("max_ack_pending":100)")) << within;
}

auto Backends() {
  return ::testing::Values(Backend{"gateway", &Gateway, {"--grpc_listen=127.0.0.1:0"}},
                           Backend{"nats_server", &harness::NatsServerBinary, {}});
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Servers, JetStreamDomainTest, Backends(), BackendName);
INSTANTIATE_TEST_SUITE_P(Servers, JetStreamAccountsTest, Backends(), BackendName);
INSTANTIATE_TEST_SUITE_P(Servers, JetStreamCrossAccountTest, Backends(), BackendName);
INSTANTIATE_TEST_SUITE_P(Servers, JetStreamServerLimitsTest, Backends(), BackendName);

}  // namespace
}  // namespace jsengine::testing
