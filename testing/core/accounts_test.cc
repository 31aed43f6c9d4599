// Accounts, run the same way against the gateway binary and the reference
// nats-server with one configuration file: subjects isolated per account,
// users bound to accounts, no_auth_user, the global account beside
// configured ones.
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

struct Backend {
  const char* name;
  std::string (*binary)();
};

std::string Gateway() { return harness::RunfilePath("gateway/gateway"); }

constexpr char kConfig[] = R"(
accounts {
  A: {
    users: [{user: a1, password: pa1}, {user: a2, password: pa2}]
    exports: [
      {stream: "news.>"}
      {stream: "private.>", accounts: [C]}
      {service: "time.*"}
    ]
  }
  B: {
    users: [{user: b, password: pb}]
    imports: [
      {stream: {account: A, subject: "news.>"}, prefix: "a"}
      {service: {account: A, subject: "time.*"}, to: "clock.*"}
    ]
  }
  C: {
    users: [{user: c, password: pc}]
    imports: [
      {stream: {account: A, subject: "private.>"}}
      {stream: {account: A, subject: "news.sport"}, to: "sport"}
      {service: {account: A, subject: "time.utc"}}
    ]
  }
}
authorization {
  users: [{user: g, password: pg}]
}
no_auth_user: b
)";

class AccountsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
    dir_ = util::MakeTempDir("accounts-");
    config_ = dir_ + "/server.conf";
    std::ofstream(config_) << kConfig;
    const std::vector<std::string> args = {"-a", "127.0.0.1", "-p",   "-1", "--ports_file_dir",
                                           dir_, "-c",        config_};
    auto process = harness::Process::Start(binary_, args);
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    auto ports = server_->WaitForPortsFile(dir_, absl::Seconds(20));
    ASSERT_TRUE(ports.ok()) << ports.status();
    ASSERT_FALSE(ports->nats.empty());
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
  }

  // A raw connection past CONNECT and a PING round trip; `user` empty sends
  // no credentials.
  std::unique_ptr<RawClient> Connect(const std::string& user, const std::string& pass) {
    auto c = std::make_unique<RawClient>(port_);
    EXPECT_TRUE(c->ReadUntil("\r\n"));
    info_ = c->buffer();
    c->Clear();
    std::string connect = R"({"verbose":false,"pedantic":false,"headers":true)";
    if (!user.empty()) absl::StrAppend(&connect, R"(,"user":")", user, R"(","pass":")", pass, "\"");
    c->Send("CONNECT " + connect + "}\r\nPING\r\n");
    EXPECT_TRUE(c->ReadUntil("PONG\r\n")) << user << ": " << c->buffer();
    c->Clear();
    return c;
  }

  // Sends `proto` then waits for the server to have handled it.
  static void SendSync(RawClient* c, const std::string& proto) {
    c->Send(proto + "PING\r\n");
    EXPECT_TRUE(c->ReadUntil("PONG\r\n")) << c->buffer();
  }

  std::string binary_;
  std::string dir_;
  std::string config_;
  std::string info_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
};

TEST_P(AccountsTest, PublishesStayInTheirAccount) {
  auto a1 = Connect("a1", "pa1");
  auto a2 = Connect("a2", "pa2");
  auto c = Connect("c", "pc");
  auto g = Connect("g", "pg");
  for (RawClient* sub : {a1.get(), c.get(), g.get()}) SendSync(sub, "SUB foo 1\r\n");
  SendSync(c.get(), "PUB foo 6\r\nfrom-c\r\n");
  SendSync(g.get(), "PUB foo 6\r\nfrom-g\r\n");
  SendSync(a2.get(), "PUB foo 6\r\nfrom-a\r\n");
  ASSERT_TRUE(a1->ReadUntil("from-a\r\n")) << a1->buffer();
  EXPECT_FALSE(absl::StrContains(a1->buffer(), "from-c"));
  EXPECT_FALSE(absl::StrContains(a1->buffer(), "from-g"));
  SendSync(g.get(), "PUB foo 7\r\nfrom-g2\r\n");
  ASSERT_TRUE(g->ReadUntil("from-g2\r\n")) << g->buffer();
  EXPECT_TRUE(absl::StrContains(g->buffer(), "MSG foo 1 6\r\nfrom-g\r\n"));
  EXPECT_FALSE(absl::StrContains(g->buffer(), "from-a"));
  EXPECT_FALSE(absl::StrContains(g->buffer(), "from-c"));
  ASSERT_TRUE(c->ReadUntil("from-c\r\n")) << c->buffer();
  EXPECT_FALSE(absl::StrContains(c->buffer(), "from-a"));
}

TEST_P(AccountsTest, NoAuthUserJoinsItsAccount) {
  auto anonymous = Connect("", "");
  EXPECT_FALSE(absl::StrContains(info_, "auth_required")) << info_;
  auto b = Connect("b", "pb");
  SendSync(anonymous.get(), "SUB bar 1\r\n");
  SendSync(b.get(), "PUB bar 2\r\nhi\r\n");
  EXPECT_TRUE(anonymous->ReadUntil("MSG bar 1 2\r\nhi\r\n")) << anonymous->buffer();
}

TEST_P(AccountsTest, WrongPasswordIsRefused) {
  RawClient c(port_);
  ASSERT_TRUE(c.ReadUntil("\r\n"));
  c.Send("CONNECT {\"verbose\":false,\"user\":\"a1\",\"pass\":\"pb\"}\r\nPING\r\n");
  EXPECT_TRUE(c.ReadUntil("-ERR 'Authorization Violation'\r\n")) << c.buffer();
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(AccountsTest, LibnatsClientsInTwoAccounts) {
  natsConnection* a = nullptr;
  natsConnection* c = nullptr;
  const std::string a_url = absl::StrCat("nats://a1:pa1@127.0.0.1:", port_);
  const std::string c_url = absl::StrCat("nats://c:pc@127.0.0.1:", port_);
  ASSERT_EQ(natsConnection_ConnectTo(&a, a_url.c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_ConnectTo(&c, c_url.c_str()), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, a, "orders.*"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(a), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(c, "orders.1", "from c"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(c), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(a, "orders.2", "from a"), NATS_OK);
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetSubject(m)), "orders.2");
  natsMsg_Destroy(m);
  // A request into an account without responders gets no-responders.
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, c, "orders.help", "?", 2000), NATS_NO_RESPONDERS);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(a);
  natsConnection_Destroy(c);
}

INSTANTIATE_TEST_SUITE_P(Servers, AccountsTest,
                         ::testing::Values(Backend{"gateway", &Gateway},
                                           Backend{"nats_server", &harness::NatsServerBinary}),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace jsengine::testing::core
