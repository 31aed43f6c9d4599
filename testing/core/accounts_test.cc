// Accounts, run the same way against the gateway binary and the reference
// nats-server with one configuration file: subjects isolated per account,
// users bound to accounts, no_auth_user, the global account beside
// configured ones, an account's default_permissions, allow_responses.
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

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
  D: {
    users: [{user: d1, password: pd1}
            {user: d2, password: pd2, permissions: {publish: ">"}}
            {user: d3, password: pd3,
             permissions: {subscribe: "svc.>", allow_responses: true}}]
    default_permissions: {publish: "ok.>"}
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

TEST_P(AccountsTest, StreamImports) {
  auto a = Connect("a1", "pa1");
  auto b = Connect("b", "pb");
  auto c = Connect("c", "pc");
  SendSync(b.get(), "SUB a.news.> 1\r\nSUB news.> 2\r\nSUB private.> 3\r\n");
  SendSync(c.get(), "SUB news.> 1\r\nSUB private.> 2\r\nSUB sport 3\r\n");
  SendSync(a.get(), "PUB private.x 1\r\np\r\n");
  SendSync(a.get(), "PUB news.sport 1\r\ns\r\n");
  SendSync(a.get(), "PUB news.world 1\r\nw\r\n");
  ASSERT_TRUE(b->ReadUntil("MSG a.news.world 1 1\r\nw\r\n")) << b->buffer();
  EXPECT_TRUE(absl::StrContains(b->buffer(), "MSG a.news.sport 1 1\r\ns\r\n")) << b->buffer();
  EXPECT_FALSE(absl::StrContains(b->buffer(), "MSG news.")) << b->buffer();
  EXPECT_FALSE(absl::StrContains(b->buffer(), "private")) << b->buffer();
  ASSERT_TRUE(c->ReadUntil("MSG sport 3 1\r\ns\r\n")) << c->buffer();
  EXPECT_TRUE(absl::StrContains(c->buffer(), "MSG private.x 2 1\r\np\r\n")) << c->buffer();
  EXPECT_FALSE(absl::StrContains(c->buffer(), "MSG news.")) << c->buffer();
  // Imports go one way: B's publishes on the imported subjects stay in B.
  SendSync(b.get(), "PUB a.news.local 2\r\nbl\r\n");
  SendSync(a.get(), "SUB a.news.> 9\r\nSUB news.> 10\r\n");
  SendSync(b.get(), "PUB news.b 2\r\nbn\r\n");
  SendSync(a.get(), "PUB news.end 3\r\nend\r\n");
  ASSERT_TRUE(a->ReadUntil("MSG news.end 10 3\r\nend\r\n")) << a->buffer();
  EXPECT_FALSE(absl::StrContains(a->buffer(), "bn")) << a->buffer();
  EXPECT_FALSE(absl::StrContains(a->buffer(), "bl")) << a->buffer();
}

// The reply subject of the last request `responder` got on `subject`, with
// its Nats-Request-Info header (both servers add one).
std::string RequestReply(RawClient* responder, const std::string& subject,
                         const std::string& payload, const std::string& account) {
  EXPECT_TRUE(responder->ReadUntil("\r\n" + payload + "\r\n")) << responder->buffer();
  const std::string got = responder->buffer();
  responder->Clear();
  const std::string head = "HMSG " + subject + " 1 ";
  const size_t at = got.find(head);
  EXPECT_NE(at, std::string::npos) << got;
  if (at == std::string::npos) return "";
  EXPECT_TRUE(absl::StrContains(got, "Nats-Request-Info: {\"acc\":\"" + account + "\"")) << got;
  const size_t start = at + head.size();
  return got.substr(start, got.find(' ', start) - start);
}

TEST_P(AccountsTest, ServiceImports) {
  auto a = Connect("a1", "pa1");
  auto b = Connect("b", "pb");
  auto c = Connect("c", "pc");
  SendSync(a.get(), "SUB time.* 1\r\n");
  SendSync(b.get(), "SUB inbox.b 1\r\n");
  SendSync(c.get(), "SUB inbox.c 1\r\n");
  a->Clear();
  b->Send("PUB clock.utc inbox.b 3\r\nnow\r\n");
  const std::string reply = RequestReply(a.get(), "time.utc", "now", "B");
  ASSERT_FALSE(reply.empty());
  EXPECT_NE(reply, "inbox.b");
  a->Send("PUB " + reply + " 5\r\n12:00\r\n");
  EXPECT_TRUE(b->ReadUntil("MSG inbox.b 1 5\r\n12:00\r\n")) << b->buffer();
  // C imported time.utc under its own name; time.local is not imported.
  SendSync(c.get(), "PUB time.local inbox.c 1\r\nl\r\n");
  c->Send("PUB time.utc inbox.c 1\r\nc\r\n");
  const std::string reply_c = RequestReply(a.get(), "time.utc", "c", "C");
  ASSERT_FALSE(reply_c.empty());
  a->Send("PUB " + reply_c + " 2\r\nok\r\n");
  ASSERT_TRUE(c->ReadUntil("MSG inbox.c 1 2\r\nok\r\n")) << c->buffer();
}

TEST_P(AccountsTest, LibnatsRequestThroughServiceImport) {
  natsConnection* a = nullptr;
  natsConnection* b = nullptr;
  const std::string a_url = absl::StrCat("nats://a2:pa2@127.0.0.1:", port_);
  const std::string b_url = absl::StrCat("nats://b:pb@127.0.0.1:", port_);
  ASSERT_EQ(natsConnection_ConnectTo(&a, a_url.c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_ConnectTo(&b, b_url.c_str()), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, a, "time.*"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(a), NATS_OK);
  std::thread responder([&] {
    natsMsg* m = nullptr;
    if (natsSubscription_NextMsg(&m, sub, 5000) != NATS_OK) return;
    const std::string answer = "at " + std::string(natsMsg_GetSubject(m));
    natsConnection_PublishString(a, natsMsg_GetReply(m), answer.c_str());
    natsConnection_Flush(a);
    natsMsg_Destroy(m);
  });
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, b, "clock.berlin", "?", 5000), NATS_OK);
  responder.join();
  if (reply != nullptr) {
    EXPECT_EQ(std::string(natsMsg_GetData(reply)), "at time.berlin");
    natsMsg_Destroy(reply);
  }
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(a);
  natsConnection_Destroy(b);
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

TEST_P(AccountsTest, DefaultPermissionsForUsersWithoutTheirOwn) {
  auto d1 = Connect("d1", "pd1");
  auto d2 = Connect("d2", "pd2");
  SendSync(d2.get(), "SUB > 1\r\n");
  d2->Clear();
  SendSync(d1.get(), "PUB ok.1 1\r\na\r\nPUB no.1 1\r\nb\r\n");
  EXPECT_TRUE(
      absl::StrContains(d1->buffer(), "-ERR 'Permissions Violation for Publish to \"no.1\"'"))
      << d1->buffer();
  SendSync(d2.get(), "PUB no.2 1\r\nc\r\n");
  EXPECT_FALSE(absl::StrContains(d2->buffer(), "-ERR")) << d2->buffer();
  EXPECT_TRUE(absl::StrContains(d2->buffer(), "MSG ok.1 1 1\r\na\r\n")) << d2->buffer();
  EXPECT_FALSE(absl::StrContains(d2->buffer(), "MSG no.1 ")) << d2->buffer();
}

TEST_P(AccountsTest, AllowResponsesLetsAResponderAnswerOnce) {
  auto requester = Connect("d2", "pd2");
  auto responder = Connect("d3", "pd3");
  SendSync(responder.get(), "SUB svc.q 1\r\n");
  SendSync(requester.get(), "SUB reply.> 1\r\nPUB svc.q reply.1 2\r\nhi\r\n");
  ASSERT_TRUE(responder->ReadUntil("MSG svc.q 1 reply.1 2\r\nhi\r\n")) << responder->buffer();
  responder->Clear();
  SendSync(responder.get(), "PUB reply.1 3\r\nyes\r\n");
  EXPECT_FALSE(absl::StrContains(responder->buffer(), "-ERR")) << responder->buffer();
  EXPECT_TRUE(requester->ReadUntil("MSG reply.1 1 3\r\nyes\r\n")) << requester->buffer();
  responder->Clear();
  SendSync(responder.get(), "PUB reply.1 5\r\nagain\r\nPUB other.x 1\r\nz\r\n");
  EXPECT_TRUE(absl::StrContains(responder->buffer(),
                                "-ERR 'Permissions Violation for Publish to \"reply.1\"'"))
      << responder->buffer();
  EXPECT_TRUE(absl::StrContains(responder->buffer(),
                                "-ERR 'Permissions Violation for Publish to \"other.x\"'"))
      << responder->buffer();
}

INSTANTIATE_TEST_SUITE_P(Servers, AccountsTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
