// Settings of nats-server's configuration file that change what clients see,
// run the same way against the gateway binary and the reference nats-server
// with one configuration file: subject mappings (top level and per account,
// mapping functions, weighted destinations), max_subscriptions,
// no_header_support, variables.
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

constexpr char kConfig[] = R"(
PAYLOAD = 100000
max_payload: $PAYLOAD
max_subscriptions: 3
no_header_support: true
mappings {
  "one.*": "one.$1.x"
  "two.*.*": "two.{{wildcard(2)}}.{{wildcard(1)}}"
  "split.*": "parts.{{split(1,-)}}"
  "part.*": "parts.{{partition(4,1)}}.{{wildcard(1)}}"
  "fwc.>": "mapped.fwc.>"
  "half": [{destination: "half.a", weight: 50%}, {destination: "half.b", weight: 50%}]
}
accounts {
  A: {
    users: [{user: a, password: pa}]
    mappings: { "orders.*": "orders.new.$1" }
  }
  B: { users: [{user: b, password: pb}] }
}
authorization { users: [{user: g, password: pg}] }
)";

class ConfigCompatTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
    const std::string dir = util::MakeTempDir("config-compat-");
    const std::string config = dir + "/server.conf";
    std::ofstream(config) << kConfig;
    absl::StatusOr<common::Ports> ports = StartOnFreePort(binary_, {"-c", config}, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
  }

  void TearDown() override {
    for (natsConnection* nc : connections_) natsConnection_Destroy(nc);
  }

  natsConnection* Connect(const char* user, const char* password) {
    natsOptions* opts = LocalClientOptions(port_);
    natsOptions_SetUserInfo(opts, user, password);
    natsConnection* nc = nullptr;
    const natsStatus s = natsConnection_Connect(&nc, opts);
    natsOptions_Destroy(opts);
    EXPECT_EQ(s, NATS_OK) << natsStatus_GetText(s);
    if (nc != nullptr) connections_.push_back(nc);
    return nc;
  }

  // The subject the next message on `sub` came on; empty after a timeout.
  static std::string NextSubject(natsSubscription* sub) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, sub, 2000) != NATS_OK) return "";
    std::string subject = natsMsg_GetSubject(msg);
    natsMsg_Destroy(msg);
    return subject;
  }

  // Publishes `subject` as `nc` and returns where a `>` subscriber in the
  // same account saw it.
  static std::string PublishedAs(natsConnection* nc, const std::string& subject) {
    natsSubscription* sub = nullptr;
    EXPECT_EQ(natsConnection_SubscribeSync(&sub, nc, ">"), NATS_OK);
    EXPECT_EQ(natsConnection_Flush(nc), NATS_OK);
    EXPECT_EQ(natsConnection_PublishString(nc, subject.c_str(), "x"), NATS_OK);
    const std::string seen = NextSubject(sub);
    natsSubscription_Destroy(sub);
    return seen;
  }

  std::string binary_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
  std::vector<natsConnection*> connections_;
};

TEST_P(ConfigCompatTest, TopLevelMappingsApplyToTheGlobalAccount) {
  natsConnection* g = Connect("g", "pg");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(PublishedAs(g, "one.a"), "one.a.x");
  EXPECT_EQ(PublishedAs(g, "two.a.b"), "two.b.a");
  EXPECT_EQ(PublishedAs(g, "split.x-y-z"), "parts.x.y.z");
  EXPECT_EQ(PublishedAs(g, "fwc.a.b.c"), "mapped.fwc.a.b.c");
  EXPECT_EQ(PublishedAs(g, "unmapped.subject"), "unmapped.subject");
  const std::string part = PublishedAs(g, "part.key7");
  const std::vector<std::string> tokens = absl::StrSplit(part, '.');
  ASSERT_EQ(tokens.size(), 3u) << part;
  int partition = -1;
  EXPECT_TRUE(absl::SimpleAtoi(tokens[1], &partition) && partition >= 0 && partition < 4) << part;
  EXPECT_EQ(tokens[2], "key7");
  EXPECT_EQ(PublishedAs(g, "part.key7"), part);
  // Mappings are in the global account only.
  natsConnection* b = Connect("b", "pb");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(PublishedAs(b, "one.a"), "one.a");
}

TEST_P(ConfigCompatTest, AccountMappingsApplyToTheirAccount) {
  natsConnection* a = Connect("a", "pa");
  natsConnection* b = Connect("b", "pb");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(PublishedAs(a, "orders.7"), "orders.new.7");
  EXPECT_EQ(PublishedAs(a, "one.a"), "one.a");
  EXPECT_EQ(PublishedAs(b, "orders.7"), "orders.7");
}

TEST_P(ConfigCompatTest, WeightedMappingSplitsMessages) {
  natsConnection* g = Connect("g", "pg");
  ASSERT_NE(g, nullptr);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, g, "half.>"), NATS_OK);
  natsSubscription* source = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&source, g, "half"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(g), NATS_OK);
  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(natsConnection_PublishString(g, "half", "x"), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(g), NATS_OK);
  std::map<std::string, int> seen;
  for (int i = 0; i < kMessages; ++i) ++seen[NextSubject(sub)];
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_GT(seen["half.a"], 0);
  EXPECT_GT(seen["half.b"], 0);
  EXPECT_EQ(seen["half.a"] + seen["half.b"], kMessages);
  natsMsg* msg = nullptr;
  EXPECT_EQ(natsSubscription_NextMsg(&msg, source, 100), NATS_TIMEOUT);
  natsSubscription_Destroy(sub);
  natsSubscription_Destroy(source);
}

TEST_P(ConfigCompatTest, InfoShowsVariablesAndNoHeaders) {
  RawClient c(port_);
  ASSERT_TRUE(c.ReadUntil("\r\n"));
  EXPECT_TRUE(absl::StrContains(c.buffer(), "\"max_payload\":100000")) << c.buffer();
  EXPECT_TRUE(absl::StrContains(c.buffer(), "\"headers\":false")) << c.buffer();
}

TEST_P(ConfigCompatTest, MaxSubscriptionsRefusesOneMore) {
  RawClient c(port_);
  ASSERT_TRUE(c.ReadUntil("\r\n"));
  c.Clear();
  c.Send(
      "CONNECT {\"verbose\":false,\"user\":\"g\",\"pass\":\"pg\"}\r\n"
      "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nSUB d 4\r\nPING\r\n");
  ASSERT_TRUE(c.ReadUntil("PONG\r\n")) << c.buffer();
  EXPECT_TRUE(absl::StrContains(c.buffer(), "-ERR 'maximum subscriptions exceeded'\r\n"))
      << c.buffer();
  c.Clear();
  // The connection stays, with its three subscriptions.
  c.Send("PUB c 2\r\nhi\r\nPUB d 2\r\nno\r\nPING\r\n");
  ASSERT_TRUE(c.ReadUntil("PONG\r\n")) << c.buffer();
  EXPECT_TRUE(absl::StrContains(c.buffer(), "MSG c 3 2\r\nhi\r\n")) << c.buffer();
  EXPECT_FALSE(absl::StrContains(c.buffer(), "MSG d")) << c.buffer();
}

INSTANTIATE_TEST_SUITE_P(Servers, ConfigCompatTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
