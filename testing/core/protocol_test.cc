// Raw-socket protocol tests against an in-process Server: every error the
// parser and connection can send, split writes, pipelining, verbose +OK and
// no-responders, byte for byte as nats-server sends them.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/core/config.h"
#include "gateway/core/server.h"
#include "gtest/gtest.h"
#include "testing/core/raw_client.h"
#include "testing/core/test_server.h"

namespace jsengine::testing::core {
namespace {

using gateway::core::Server;
using gateway::core::ServerOptions;

class ProtocolTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = ServerOptions()) {
    server_ = StartTestServer(options);
  }
  void SetUp() override {
    if (!custom_) StartServer();
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }
  std::unique_ptr<RawClient> Connect(const std::string& connect =
                                         "CONNECT {\"verbose\":false,\"pedantic\":false,"
                                         "\"headers\":true,\"no_responders\":true}\r\n") {
    auto c = std::make_unique<RawClient>(server_->port());
    EXPECT_TRUE(c->connected());
    EXPECT_TRUE(c->ReadUntil("\r\n"));
    EXPECT_EQ(c->buffer().rfind("INFO {", 0), 0u);
    c->Clear();
    if (!connect.empty()) {
      c->Send(connect + "PING\r\n");
      EXPECT_TRUE(c->ReadUntil("PONG\r\n"));
      c->Clear();
    }
    return c;
  }
  // Sends `data` and expects exactly `expected` followed by the close.
  void ExpectErrorAndClose(const std::string& data, const std::string& expected) {
    auto c = Connect("");
    c->Send(data);
    EXPECT_TRUE(c->WaitClosed()) << data;
    EXPECT_EQ(c->buffer(), expected) << data;
  }

  bool custom_ = false;
  std::unique_ptr<Server> server_;
};

TEST_F(ProtocolTest, InfoHasNatsServerFields) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.ReadUntil("\r\n"));
  const std::string& info = c.buffer();
  for (const char* field : {"\"server_id\":\"N", "\"version\":\"2.10.22\"", "\"proto\":1",
                            "\"headers\":true", "\"max_payload\":1048576", "\"client_id\":",
                            "\"client_ip\":\"127.0.0.1\"", "\"go\":", "\"host\":", "\"port\":"}) {
    EXPECT_NE(info.find(field), std::string::npos) << field << " in " << info;
  }
  EXPECT_EQ(info.find("auth_required"), std::string::npos);
  EXPECT_EQ(info.substr(info.size() - 3), " \r\n");
}

TEST_F(ProtocolTest, DefaultVerboseBeforeConnect) {
  auto c = Connect("");
  c->Send("SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  EXPECT_EQ(c->buffer(), "+OK\r\n+OK\r\nMSG foo 1 2\r\nhi\r\nPONG\r\n");
}

TEST_F(ProtocolTest, VerboseOkAndPedanticErrors) {
  auto c = Connect("");
  c->Send(
      "CONNECT {\"verbose\":true,\"pedantic\":true}\r\nPUB foo.* 1\r\na\r\nSUB a..b 1\r\n"
      "PING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  EXPECT_EQ(c->buffer(),
            "+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\n-ERR 'Invalid Subject'\r\nPONG\r\n");
}

TEST_F(ProtocolTest, Errors) {
  ExpectErrorAndClose("FOO\r\n", "-ERR 'Unknown Protocol Operation'\r\n");
  ExpectErrorAndClose("UNSUB\r\n", "-ERR 'Unknown Protocol Operation'\r\n");
  ExpectErrorAndClose("MSG foo 1 1\r\na\r\n", "-ERR 'Unknown Protocol Operation'\r\n");
  ExpectErrorAndClose("PUB foo 3\r\nabcd\r\n", "-ERR 'Unknown Protocol Operation'\r\n");
  ExpectErrorAndClose("PUB foo 2000000\r\n", "-ERR 'Maximum Payload Violation'\r\n");
  ExpectErrorAndClose("PUB foo " + std::string(5000, 'x') + " 1\r\n",
                      "-ERR 'maximum control line exceeded'\r\n");
  ExpectErrorAndClose("PUB foo\r\n", "");
  ExpectErrorAndClose("SUB foo\r\n", "");
  ExpectErrorAndClose("CONNECT {bad\r\n", "");
  ExpectErrorAndClose("CONNECT {\"protocol\":5}\r\n", "-ERR 'invalid client protocol'\r\n");
  ExpectErrorAndClose("CONNECT {\"no_responders\":true}\r\n",
                      "-ERR 'no responders requires headers support'\r\n");
  ExpectErrorAndClose("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", "");
}

TEST_F(ProtocolTest, SplitWritesAndPipelining) {
  auto sub = Connect();
  sub->Send("SUB s.* 7\r\nPING\r\n");
  ASSERT_TRUE(sub->ReadUntil("PONG\r\n"));
  sub->Clear();
  auto pub = Connect();
  const std::string stream =
      "PUB s.a 5\r\nhello\r\nHPUB s.b r 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPUB s.c 0\r\n\r\n";
  for (char ch : stream) {
    pub->Send(std::string(1, ch));
  }
  pub->Send("PING\r\n");
  ASSERT_TRUE(pub->ReadUntil("PONG\r\n"));
  ASSERT_TRUE(sub->ReadUntil("MSG s.c 7 0\r\n\r\n"));
  EXPECT_EQ(sub->buffer(),
            "MSG s.a 7 5\r\nhello\r\nHMSG s.b 7 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            "MSG s.c 7 0\r\n\r\n");
}

TEST_F(ProtocolTest, HeadersStrippedForClientsWithoutHeaders) {
  auto sub = Connect("CONNECT {\"verbose\":false}\r\n");
  sub->Send("SUB h 1\r\nPING\r\n");
  ASSERT_TRUE(sub->ReadUntil("PONG\r\n"));
  sub->Clear();
  auto pub = Connect();
  pub->Send("HPUB h 20 22\r\nNATS/1.0\r\nX-A: b\r\n\r\nhi\r\n");
  ASSERT_TRUE(sub->ReadUntil("hi\r\n"));
  EXPECT_EQ(sub->buffer(), "MSG h 1 2\r\nhi\r\n");
}

TEST_F(ProtocolTest, NoRespondersStatus) {
  auto c = Connect();
  c->Send("SUB _INBOX.x 9\r\nPUB nobody _INBOX.x 2\r\nhi\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  EXPECT_EQ(c->buffer(), "HMSG _INBOX.x 9 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPONG\r\n");
}

TEST_F(ProtocolTest, QueueGroupGetsOneCopyAndAutoUnsubscribe) {
  auto c = Connect();
  c->Send("SUB q g 1\r\nSUB q g 2\r\nSUB q 3\r\nUNSUB 3 2\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  c->Clear();
  c->Send("PUB q 1\r\na\r\nPUB q 1\r\nb\r\nPUB q 1\r\nc\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  const std::string& out = c->buffer();
  auto count = [&](const std::string& s) {
    size_t n = 0;
    for (size_t p = out.find(s); p != std::string::npos; p = out.find(s, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(" 3 1\r\n"), 2u) << out;  // auto-unsubscribed after two
  EXPECT_EQ(count("MSG q 1 1\r\n") + count("MSG q 2 1\r\n"), 3u) << out;
}

TEST_F(ProtocolTest, EchoOff) {
  auto c = Connect("CONNECT {\"verbose\":false,\"echo\":false}\r\n");
  auto other = Connect();
  c->Send("SUB e 1\r\nPUB e 1\r\nx\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  EXPECT_EQ(c->buffer(), "PONG\r\n");
  c->Clear();
  other->Send("PUB e 1\r\ny\r\n");
  ASSERT_TRUE(c->ReadUntil("MSG e 1 1\r\ny\r\n"));
}

TEST_F(ProtocolTest, InternalSubscriberAndPublish) {
  std::atomic<int> got{0};
  std::string seen;
  server_->SubscribeInternal("svc.>", "", [&](const gateway::core::InboundMessage& m) {
    seen = std::string(m.subject) + "|" + std::string(m.reply) + "|" + std::string(m.headers) +
           "|" + std::string(m.payload);
    server_->Publish(m.reply, "", "", "pong");
    got++;
  });
  auto c = Connect();
  c->Send("SUB in 1\r\nPUB svc.a in 4\r\nping\r\n");
  ASSERT_TRUE(c->ReadUntil("MSG in 1 4\r\npong\r\n"));
  EXPECT_EQ(seen, "svc.a|in||ping");
  EXPECT_TRUE(server_->HasInterest("svc.b"));
  EXPECT_FALSE(server_->HasInterest("other"));
  c->Clear();
  std::thread foreign([&] {
    for (int i = 0; i < 1000; ++i) server_->Publish("in", "", "", "f");
  });
  foreign.join();
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "MSG in 1 1\r\nf\r\n";
  ASSERT_TRUE(c->ReadUntil(expected));
  EXPECT_EQ(c->buffer(), expected);
}

TEST_F(ProtocolTest, ForeignPublishersAndClientTrafficInterleaveWholeMessages) {
  auto c = Connect();
  c->Send("SUB in 1\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  c->Clear();
  auto other = Connect();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        server_->Publish("in", "", "", absl::StrCat(t, ":", i));
        if (i % 100 == 0) absl::SleepFor(absl::Microseconds(200));  // Let the loop sleep.
      }
    });
  }
  for (int i = 0; i < kPerThread; ++i) other->Send(absl::StrCat("PUB in 5\r\nc:", i % 10, "xx\r\n"));
  for (std::thread& thread : threads) thread.join();
  const int total = kThreads * kPerThread + kPerThread;
  std::vector<int> next(kThreads, 0);
  int seen = 0;
  size_t pos = 0;
  while (seen < total) {
    size_t header_end = c->buffer().find("\r\n", pos);
    if (header_end == std::string::npos) {
      ASSERT_TRUE(c->ReadMore(10000)) << seen << " of " << total;
      continue;
    }
    // "MSG in 1 <len>"
    std::string header = c->buffer().substr(pos, header_end - pos);
    ASSERT_EQ(header.rfind("MSG in 1 ", 0), 0u) << header;
    size_t len = std::stoul(header.substr(9));
    while (c->buffer().size() < header_end + 2 + len + 2) ASSERT_TRUE(c->ReadMore(10000));
    std::string payload = c->buffer().substr(header_end + 2, len);
    ASSERT_EQ(c->buffer().substr(header_end + 2 + len, 2), "\r\n");
    pos = header_end + 2 + len + 2;
    ++seen;
    if (payload[0] == 'c') continue;
    size_t colon = payload.find(':');
    int t = std::stoi(payload.substr(0, colon));
    ASSERT_EQ(std::stoi(payload.substr(colon + 1)), next[t]) << "publisher " << t;
    ++next[t];
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kPerThread);
}

class ProtocolOptionsTest : public ProtocolTest {
 protected:
  ProtocolOptionsTest() { custom_ = true; }
};

TEST_F(ProtocolOptionsTest, AuthRequired) {
  ServerOptions o;
  o.token = "tok";
  o.auth_timeout = absl::Milliseconds(300);
  StartServer(o);
  {
    RawClient c(server_->port());
    ASSERT_TRUE(c.ReadUntil("\r\n"));
    EXPECT_NE(c.buffer().find("\"auth_required\":true"), std::string::npos);
  }
  ExpectErrorAndClose("SUB foo 1\r\n", "-ERR 'Authorization Violation'\r\n");
  ExpectErrorAndClose("CONNECT {\"auth_token\":\"nope\"}\r\n",
                      "-ERR 'Authorization Violation'\r\n");
  ExpectErrorAndClose("", "-ERR 'Authentication Timeout'\r\n");
  auto ok = Connect("CONNECT {\"verbose\":false,\"auth_token\":\"tok\"}\r\n");
  ok->Send("SUB x 1\r\nPUB x 1\r\na\r\n");
  EXPECT_TRUE(ok->ReadUntil("MSG x 1 1\r\na\r\n"));
}

TEST_F(ProtocolOptionsTest, PermissionViolationsKeepConnection) {
  ServerOptions o;
  ASSERT_TRUE(gateway::core::ApplyConfigText(R"(
    authorization { users = [
      {user: u, password: p, permissions: {publish: {deny: ["secret.>"]},
                                           subscribe: {allow: ["pub.*"], deny: ["pub.hidden"]}}}
    ] })",
                                             &o)
                  .ok());
  StartServer(o);
  auto c = Connect("CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}\r\n");
  c->Send("PUB secret.x 1\r\na\r\nSUB other 1\r\nSUB pub.a g 2\r\nSUB pub.* 3\r\n"
          "SUB pub.> q 4\r\nSUB pub.hidden 5\r\nPUB pub.hidden 1\r\nh\r\n"
          "PUB pub.a 1\r\nb\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  EXPECT_EQ(c->buffer(),
            "-ERR 'Permissions Violation for Publish to \"secret.x\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"other\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"pub.>\" using queue \"q\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"pub.hidden\"'\r\n"
            "MSG pub.a 3 1\r\nb\r\nMSG pub.a 2 1\r\nb\r\nPONG\r\n");
}

TEST_F(ProtocolOptionsTest, StaleConnection) {
  ServerOptions o;
  o.ping_interval = absl::Milliseconds(100);
  o.ping_max = 2;
  StartServer(o);
  auto c = Connect();
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_EQ(c->buffer(), "PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
}

TEST_F(ProtocolOptionsTest, PongKeepsConnectionAlive) {
  ServerOptions o;
  o.ping_interval = absl::Milliseconds(100);
  o.ping_max = 1;
  StartServer(o);
  auto c = Connect();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(c->ReadUntil("PING\r\n"));
    c->Clear();
    c->Send("PONG\r\n");
  }
  EXPECT_FALSE(c->closed());
}

TEST_F(ProtocolOptionsTest, MaxConnections) {
  ServerOptions o;
  o.max_connections = 2;
  StartServer(o);
  auto a = Connect();
  auto b = Connect();
  RawClient c(server_->port());
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_NE(c.buffer().find("-ERR 'maximum connections exceeded'\r\n"), std::string::npos);
  a.reset();
  for (int i = 0; i < 100 && server_->NumConnections() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto d = Connect();
  EXPECT_FALSE(d->closed());
}

TEST_F(ProtocolOptionsTest, MaxPayloadOption) {
  ServerOptions o;
  o.max_payload = 10;
  StartServer(o);
  auto c = Connect();
  c->Send("PUB a 10\r\n0123456789\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\n"));
  c->Send("PUB a 11\r\n");
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_EQ(c->buffer(), "PONG\r\n-ERR 'Maximum Payload Violation'\r\n");
}

TEST_F(ProtocolOptionsTest, SlowConsumerIsClosedOthersContinue) {
  ServerOptions o;
  o.max_pending = 256 * 1024;
  StartServer(o);
  auto slow = Connect();
  int small = 4096;
  setsockopt(slow->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  slow->Send("SUB big 1\r\nPING\r\n");
  ASSERT_TRUE(slow->ReadUntil("PONG\r\n"));
  auto pub = Connect();
  std::string msg = "PUB big 65536\r\n" + std::string(65536, 'z') + "\r\n";
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(pub->Send(msg));
  pub->Send("PING\r\n");
  ASSERT_TRUE(pub->ReadUntil("PONG\r\n"));
  for (int i = 0; i < 200 && server_->NumConnections() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->NumConnections(), 1);
  pub->Clear();
  pub->Send("PING\r\n");
  EXPECT_TRUE(pub->ReadUntil("PONG\r\n"));
}

}  // namespace
}  // namespace jsengine::testing::core
