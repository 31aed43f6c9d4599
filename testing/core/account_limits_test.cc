// An account's `limits {}` (max_connections, max_subscriptions, max_payload,
// max_leafnodes), run the same way against the gateway binary and the
// reference nats-server: the error each limit sends, whether the connection
// stays, what INFO says, what /connz lists, and what a reload (SIGHUP) does
// to clients already connected.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/http_get.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

constexpr char kConfig[] = R"(
accounts {
  A: {
    users: [{user: a, password: pa}]
    limits: { max_connections: 2, max_subscriptions: 2, max_payload: 10, max_leafnodes: 1 }
  }
  B: { users: [{user: b, password: pb}] }
  C: {
    users: [{user: c, password: pc}]
    limits: { max_conn: 5, max_subs: 5, max_pay: 2MB, max_leafs: 0 }
  }
}
)";

// A has no limits until a reload sets them.
constexpr char kUnlimited[] = R"(
accounts {
  A: { users: [{user: a, password: pa}] }
}
)";

constexpr char kTooManyConnections[] = "-ERR 'maximum account active connections exceeded'\r\n";
constexpr char kTooManySubscriptions[] = "-ERR 'maximum subscriptions exceeded'\r\n";
constexpr char kPayloadViolation[] = "-ERR 'Maximum Payload Violation'\r\n";

class AccountLimitsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
  }

  void Start(const char* config) {
    dir_ = util::MakeTempDir("account-limits-");
    config_ = dir_ + "/server.conf";
    std::ofstream(config_) << config;
    auto ports = StartOnFreePort(binary_, {"-m", "-1", "-c", config_}, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
    ASSERT_FALSE(ports->monitoring.empty());
    const std::string& http = ports->monitoring.front();
    http_port_ = std::stoi(http.substr(http.rfind(':') + 1));
  }

  // Sends CONNECT (protocol 1 unless told) and a PING; the answer stays in
  // the client's buffer.
  std::unique_ptr<RawClient> Open(const std::string& user, int protocol = 1) {
    auto c = std::make_unique<RawClient>(port_);
    EXPECT_TRUE(c->ReadUntil("\r\n"));
    c->Clear();
    c->Send(absl::StrCat(R"(CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":)",
                         protocol, R"(,"user":")", user, R"(","pass":"p)", user,
                         "\"}\r\nPING\r\n"));
    return c;
  }

  std::unique_ptr<RawClient> Connect(const std::string& user, int protocol = 1) {
    auto c = Open(user, protocol);
    EXPECT_TRUE(c->ReadUntil("PONG\r\n")) << user << ": " << c->buffer();
    return c;
  }

  // A PING answered: the server has handled everything sent before it.
  static bool Sync(RawClient* c) {
    const size_t pongs = Count(c->buffer(), "PONG\r\n");
    c->Send("PING\r\n");
    for (int i = 0; i < 50 && Count(c->buffer(), "PONG\r\n") == pongs; ++i) c->ReadMore(100);
    return Count(c->buffer(), "PONG\r\n") > pongs;
  }

  static size_t Count(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }

  bool IsReference() const { return std::string(GetParam().name) == "nats_server"; }

  void Reload(const std::string& text) {
    std::ofstream(config_, std::ios::trunc) << text;
    ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  }

  // Reads from every client until `closed` of them have been closed (bounded);
  // returns how many were.
  static int WaitForClosed(const std::vector<std::unique_ptr<RawClient>>& clients, int closed) {
    int n = 0;
    for (int round = 0; round < 100; ++round) {
      n = 0;
      for (const auto& c : clients) {
        c->Drain(10);
        n += c->closed() ? 1 : 0;
      }
      if (n >= closed) break;
    }
    return n;
  }

  nlohmann::json Connz(const std::string& query) {
    const util::HttpAnswer answer = util::HttpGet(http_port_, "/connz?" + query);
    EXPECT_EQ(answer.status, 200);
    return nlohmann::json::parse(answer.body, nullptr, false);
  }

  // Closed connections of `account` (user "a") listed with `reason`,
  // waiting (bounded) for `expected` of them.
  int ClosedFor(const std::string& reason, int expected, const std::string& account) {
    int n = 0;
    for (int i = 0; i < 100 && n < expected; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const nlohmann::json closed = Connz("state=closed&auth=1");
      if (!closed.is_object() || !closed.contains("connections")) continue;
      n = 0;
      for (const auto& c : closed["connections"]) {
        n += c.value("reason", "") == reason && c.value("account", "") == account &&
                     c.value("authorized_user", "") == "a"
                 ? 1
                 : 0;
      }
    }
    return n;
  }

  std::string binary_;
  std::string dir_;
  std::string config_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
  int http_port_ = 0;
};

TEST_P(AccountLimitsTest, MaxConnections) {
  Start(kConfig);
  auto a1 = Connect("a");
  auto a2 = Connect("a");
  auto refused = Open("a");
  EXPECT_TRUE(refused->ReadUntil(kTooManyConnections)) << refused->buffer();
  EXPECT_TRUE(refused->WaitClosed());
  EXPECT_FALSE(absl::StrContains(refused->buffer(), "PONG")) << refused->buffer();
  // Other accounts and the clients already in are not affected.
  auto b = Connect("b");
  EXPECT_TRUE(Sync(a1.get()));
  EXPECT_FALSE(a1->closed());

  const nlohmann::json open = Connz("auth=1");
  ASSERT_TRUE(open.is_object());
  EXPECT_EQ(open.value("num_connections", -1), 3) << open.dump();
  int in_a = 0;
  for (const auto& c : open["connections"]) in_a += c.value("account", "") == "A" ? 1 : 0;
  EXPECT_EQ(in_a, 2) << open.dump();
  EXPECT_EQ(ClosedFor("Maximum Account Connections Exceeded", 1, "A"), 1);

  // A place freed is taken again (the server sees the close first).
  a2.reset();
  std::unique_ptr<RawClient> again;
  for (int i = 0; i < 100; ++i) {
    again = Open("a");
    if (again->ReadUntil("PONG\r\n", 2000)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(absl::StrContains(again->buffer(), "PONG\r\n")) << again->buffer();
  EXPECT_FALSE(again->closed());
}

TEST_P(AccountLimitsTest, MaxSubscriptionsPerConnection) {
  Start(kConfig);
  auto a = Connect("a");
  a->Send("SUB x 1\r\nSUB y 2\r\nSUB z 3\r\n");
  ASSERT_TRUE(Sync(a.get())) << a->buffer();
  EXPECT_EQ(Count(a->buffer(), kTooManySubscriptions), 1u) << a->buffer();
  // The connection stays; at the limit even a SUB repeating a sid is refused.
  a->Clear();
  a->Send("SUB x 1\r\n");
  ASSERT_TRUE(Sync(a.get())) << a->buffer();
  EXPECT_EQ(Count(a->buffer(), kTooManySubscriptions), 1u) << a->buffer();
  a->Clear();
  a->Send("UNSUB 2\r\nSUB z 3\r\n");
  ASSERT_TRUE(Sync(a.get())) << a->buffer();
  EXPECT_FALSE(absl::StrContains(a->buffer(), "-ERR")) << a->buffer();
  // The limit is per connection: another client of A has its own two.
  auto other = Connect("a");
  other->Send("SUB x 1\r\nSUB y 2\r\n");
  ASSERT_TRUE(Sync(other.get())) << other->buffer();
  EXPECT_FALSE(absl::StrContains(other->buffer(), "-ERR")) << other->buffer();
  auto b = Connect("b");
  b->Send("SUB x 1\r\nSUB y 2\r\nSUB z 3\r\n");
  ASSERT_TRUE(Sync(b.get())) << b->buffer();
  EXPECT_FALSE(absl::StrContains(b->buffer(), "-ERR")) << b->buffer();
  // Another account's message does not reach A's subscriber.
  b->Send("PUB z 2\r\nhi\r\n");
  ASSERT_TRUE(Sync(b.get()));
  EXPECT_TRUE(Sync(a.get()));
  EXPECT_FALSE(absl::StrContains(a->buffer(), "MSG z")) << a->buffer();
}

TEST_P(AccountLimitsTest, MaxPayload) {
  Start(kConfig);
  // A client taking async INFO learns the account's limit after its first
  // PONG; an old-protocol client does not, but the limit holds for both.
  auto a = Connect("a");
  ASSERT_TRUE(a->ReadUntil("\"max_payload\":10,")) << a->buffer();
  EXPECT_EQ(a->buffer().find("PONG\r\nINFO {"), 0u) << a->buffer();
  auto old = Connect("a", /*protocol=*/0);
  ASSERT_TRUE(Sync(old.get()));
  EXPECT_FALSE(absl::StrContains(old->buffer(), "INFO")) << old->buffer();
  // C's limit is above the server's 1MB: the server's holds, no INFO.
  auto c = Connect("c");
  ASSERT_TRUE(Sync(c.get()));
  EXPECT_FALSE(absl::StrContains(c->buffer(), "INFO")) << c->buffer();
  auto b = Connect("b");
  ASSERT_TRUE(Sync(b.get()));
  EXPECT_FALSE(absl::StrContains(b->buffer(), "INFO")) << b->buffer();

  b->Send("SUB big 1\r\nPUB big 11\r\n0123456789a\r\n");
  EXPECT_TRUE(b->ReadUntil("MSG big 1 11\r\n0123456789a\r\n")) << b->buffer();
  a->Clear();
  a->Send("SUB x 1\r\nPUB x 10\r\n0123456789\r\n");
  EXPECT_TRUE(a->ReadUntil("MSG x 1 10\r\n0123456789\r\n")) << a->buffer();
  old->Send("PUB x 11\r\n0123456789a\r\n");
  EXPECT_TRUE(old->ReadUntil(kPayloadViolation)) << old->buffer();
  EXPECT_TRUE(old->WaitClosed());
  a->Send("HPUB x 12 13\r\nNATS/1.0\r\n\r\n\r\n0\r\n");
  EXPECT_TRUE(a->ReadUntil(kPayloadViolation)) << a->buffer();
  EXPECT_TRUE(a->WaitClosed());
  EXPECT_EQ(ClosedFor("Maximum Message Payload Exceeded", 2, "A"), 2);
}

TEST_P(AccountLimitsTest, LibnatsSeesTheAccountMaxPayload) {
  Start(kConfig);
  natsOptions* opts = LocalClientOptions(port_);
  natsOptions_SetUserInfo(opts, "a", "pa");
  natsConnection* nc = nullptr;
  ASSERT_EQ(natsConnection_Connect(&nc, opts), NATS_OK);
  // The INFO follows the connect's PONG; a flush has read it.
  ASSERT_EQ(natsConnection_Flush(nc), NATS_OK);
  EXPECT_EQ(natsConnection_GetMaxPayload(nc), 10);
  EXPECT_EQ(natsConnection_PublishString(nc, "x", "0123456789"), NATS_OK);
  EXPECT_EQ(natsConnection_PublishString(nc, "x", "0123456789a"), NATS_MAX_PAYLOAD);
  natsConnection_Destroy(nc);
  natsOptions_Destroy(opts);
}

TEST_P(AccountLimitsTest, ReloadLowersTheConnectionLimit) {
  // nats-server 2.9 registers each client with its account again and each
  // counts itself, so it closes clients until one fewer than the limit is
  // left, and one more on any reload while the account is at its limit.
  // nats-server 2.10 and the gateway close clients only while the account
  // is over its limit.
  const bool recounts = IsReference() && !harness::NatsServerAtLeast(2, 10);
  Start(kUnlimited);
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(Connect("a"));
  Reload(absl::StrCat(
      "accounts { A: { users: [{user: a, password: pa}], limits: { max_connections: 3 } } }"));
  const int expect_closed = recounts ? 2 : 1;
  EXPECT_EQ(WaitForClosed(clients, expect_closed), expect_closed);
  int errors = 0;
  std::vector<std::unique_ptr<RawClient>> left;
  for (auto& c : clients) {
    if (c->closed()) {
      errors += absl::StrContains(c->buffer(), kTooManyConnections) ? 1 : 0;
    } else {
      left.push_back(std::move(c));
    }
  }
  EXPECT_EQ(errors, expect_closed);
  ASSERT_EQ(left.size(), 4u - expect_closed);
  for (auto& c : left) EXPECT_TRUE(Sync(c.get())) << c->buffer();
  // The new limit holds for newcomers.
  if (recounts) left.push_back(Connect("a"));
  auto refused = Open("a");
  EXPECT_TRUE(refused->ReadUntil(kTooManyConnections)) << refused->buffer();
  EXPECT_TRUE(refused->WaitClosed());

  // At the limit, a reload that changes nothing.
  Reload(absl::StrCat(
      "accounts { A: { users: [{user: a, password: pa}], limits: { max_connections: 3 } } }"));
  const int again = recounts ? 1 : 0;
  EXPECT_EQ(WaitForClosed(left, recounts ? 1 : 3), again);
  int open = 0;
  for (auto& c : left) open += c->closed() ? 0 : (Sync(c.get()) ? 1 : 0);
  EXPECT_EQ(open, 3 - again);
}

TEST_P(AccountLimitsTest, ReloadLowersTheSubscriptionAndPayloadLimits) {
  Start(kUnlimited);
  auto three = Connect("a");
  auto two = Connect("a");
  auto one = Connect("a");
  three->Send("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n");
  two->Send("SUB a 1\r\nSUB b 2\r\n");
  one->Send("SUB a 1\r\nPUB a 6\r\n012345\r\n");
  for (RawClient* c : {three.get(), two.get(), one.get()}) ASSERT_TRUE(Sync(c)) << c->buffer();
  ASSERT_TRUE(absl::StrContains(one->buffer(), "MSG a 1 6\r\n012345\r\n")) << one->buffer();
  Reload(
      absl::StrCat("accounts { A: { users: [{user: a, password: pa}], "
                   "limits: { max_subscriptions: 2, max_payload: 5 } } }"));
  // A client with more subscriptions than the new limit is closed;
  // nats-server also closes one with exactly as many, the gateway keeps it.
  EXPECT_TRUE(three->ReadUntil(kTooManySubscriptions)) << three->buffer();
  EXPECT_TRUE(three->WaitClosed());
  if (IsReference()) {
    EXPECT_TRUE(two->ReadUntil(kTooManySubscriptions)) << two->buffer();
    EXPECT_TRUE(two->WaitClosed());
  } else {
    ASSERT_TRUE(Sync(two.get())) << two->buffer();
    EXPECT_FALSE(absl::StrContains(two->buffer(), kTooManySubscriptions)) << two->buffer();
  }
  // The one below keeps its connection, under the new limits and with no
  // new INFO.
  one->Clear();
  one->Send("SUB b 2\r\nSUB c 3\r\n");
  ASSERT_TRUE(Sync(one.get())) << one->buffer();
  EXPECT_EQ(Count(one->buffer(), kTooManySubscriptions), 1u) << one->buffer();
  one->Send("PUB a 5\r\n01234\r\n");
  EXPECT_TRUE(one->ReadUntil("MSG a 1 5\r\n01234\r\n")) << one->buffer();
  EXPECT_FALSE(absl::StrContains(one->buffer(), "INFO")) << one->buffer();
  one->Send("PUB a 6\r\n012345\r\n");
  EXPECT_TRUE(one->ReadUntil(kPayloadViolation)) << one->buffer();
  EXPECT_TRUE(one->WaitClosed());
  auto late = Connect("a");
  EXPECT_TRUE(late->ReadUntil("\"max_payload\":5,")) << late->buffer();
}

INSTANTIATE_TEST_SUITE_P(Servers, AccountLimitsTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
