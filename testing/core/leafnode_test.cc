// Leaf node connections (core NATS), run for each pairing of hub and leaf
// among the gateway binary and the reference nats-server (nats-server with
// nats-server is the reference for every expectation): a leaf server
// connects to its hub's leaf port with user/password from the remote URL;
// messages (with reply subjects and headers) flow both ways, plain and
// queue subscriptions propagate both ways (a queue group spanning hub and
// leaf gets each message once), requests are answered across, the leaf
// reconnects after the hub restarts, a wrong password is refused, and a
// remote's deny_exports/deny_imports keep subjects on their side. Clients
// on both sides are libnats connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/http_get.h"
#include "testing/util/temp_dir.h"
#include "testing/util/test_certs.h"

namespace jsengine::testing::core {
namespace {

struct Node {
  std::unique_ptr<harness::Process> process;
  int port = 0;          // clients
  int monitor_port = 0;  // HTTP monitoring
};

// Starts `binary` with a configuration file holding `body`.
std::unique_ptr<Node> StartWithConfig(const std::string& binary, const std::string& body) {
  const std::string conf = util::MakeTempDir("leaf-conf-") + "/server.conf";
  std::ofstream(conf) << body;
  auto node = std::make_unique<Node>();
  auto ports = StartOnFreePort(binary, {"-c", conf, "-m", "-1"}, &node->process);
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok()) return nullptr;
  node->port = *common::PortOf(ports->nats.front());
  if (!ports->monitoring.empty()) node->monitor_port = *common::PortOf(ports->monitoring.front());
  return node;
}

// A hub accepting leafs on `leaf_port` with user "leaf", password "pw",
// and `extra` in its leafnodes block.
std::string HubConfig(int leaf_port, const std::string& extra = "") {
  return absl::StrCat("leafnodes {\n  listen: 127.0.0.1:", leaf_port,
                      "\n  authorization { user: leaf, password: pw }\n", extra, "}\n");
}

// A leaf of the hub on `leaf_port`, with `remote_extra` in its remote.
std::string LeafConfig(int leaf_port, const std::string& password = "pw",
                       const std::string& remote_extra = "") {
  return absl::StrCat("leafnodes {\n  reconnect: 1\n  remotes [ {\n    url: \"nats-leaf://leaf:",
                      password, "@127.0.0.1:", leaf_port, "\"\n", remote_extra, "  } ]\n}\n");
}

// A libnats connection, closed and destroyed with the object.
class Client {
 public:
  // `user`: connects as that user, whose password is the same.
  explicit Client(int port, const char* user = nullptr) {
    natsOptions* opts = LocalClientOptions(port);
    if (user != nullptr) natsOptions_SetUserInfo(opts, user, user);
    status_ = natsConnection_Connect(&nc_, opts);
    natsOptions_Destroy(opts);
  }
  ~Client() {
    for (natsSubscription* s : subs_) natsSubscription_Destroy(s);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }
  bool ok() const { return status_ == NATS_OK; }
  natsConnection* nc() { return nc_; }

  natsSubscription* Sub(const std::string& subject, const std::string& queue = "") {
    natsSubscription* s = nullptr;
    const natsStatus st =
        queue.empty() ? natsConnection_SubscribeSync(&s, nc_, subject.c_str())
                      : natsConnection_QueueSubscribeSync(&s, nc_, subject.c_str(), queue.c_str());
    EXPECT_EQ(st, NATS_OK) << subject;
    EXPECT_EQ(natsConnection_Flush(nc_), NATS_OK);
    if (s != nullptr) subs_.push_back(s);
    return s;
  }
  void Unsub(natsSubscription* s) {
    natsSubscription_Unsubscribe(s);
    natsConnection_Flush(nc_);
  }
  bool Pub(const std::string& subject, const std::string& body, const std::string& reply = "") {
    const natsStatus s = reply.empty()
                             ? natsConnection_PublishString(nc_, subject.c_str(), body.c_str())
                             : natsConnection_PublishRequestString(nc_, subject.c_str(),
                                                                   reply.c_str(), body.c_str());
    return s == NATS_OK && natsConnection_Flush(nc_) == NATS_OK;
  }

 private:
  natsConnection* nc_ = nullptr;
  natsStatus status_ = NATS_ERR;
  std::vector<natsSubscription*> subs_;
};

// The next message on `sub` within `ms` (its data), or "" (none).
std::string Next(natsSubscription* sub, int ms = 100) {
  natsMsg* m = nullptr;
  if (natsSubscription_NextMsg(&m, sub, ms) != NATS_OK) return "";
  std::string data(natsMsg_GetData(m), natsMsg_GetDataLength(m));
  natsMsg_Destroy(m);
  return data;
}

// Subscribes `to` to a fresh probe subject and publishes to it from `from`
// until a message arrives: then interest registered on `to`'s server before
// has crossed the leaf connection. False if not within 20 s.
bool WaitForInterest(Client* from, Client* to, const std::string& probe) {
  natsSubscription* sub = to->Sub(probe);
  if (sub == nullptr) return false;
  for (int i = 0; i < 200; ++i) {
    if (!from->Pub(probe, "probe")) return false;
    if (!Next(sub).empty()) {
      to->Unsub(sub);
      return true;
    }
  }
  return false;
}

// A tls block presenting the certificate that names 127.0.0.1 (good for
// both ends) and trusting the test CA.
std::string TlsBlock(const util::TestCerts& certs) {
  return absl::StrCat("tls {\n cert_file: \"", certs.service, "\"\n key_file: \"",
                      certs.service_key, "\"\n ca_file: \"", certs.ca, "\"\n timeout: 2\n}\n");
}

struct Pairing {
  Backend hub;
  Backend leaf;
};

std::string PairingName(const ::testing::TestParamInfo<Pairing>& info) {
  return absl::StrCat("hub_", info.param.hub.name, "_leaf_", info.param.leaf.name);
}

class LeafNodeTest : public ::testing::TestWithParam<Pairing> {
 protected:
  void SetUp() override {
    for (const Backend* b : {&GetParam().hub, &GetParam().leaf}) {
      if (access(b->binary().c_str(), X_OK) != 0) GTEST_SKIP() << b->binary() << " is missing";
    }
    leaf_port_ = FreePort();
    hub_ = StartWithConfig(GetParam().hub.binary(), HubConfig(leaf_port_));
    ASSERT_NE(hub_, nullptr);
  }

  // Starts the leaf with `config` and connects a client to each side.
  void StartLeaf(const std::string& config) {
    leaf_ = StartWithConfig(GetParam().leaf.binary(), config);
    ASSERT_NE(leaf_, nullptr);
    on_hub_ = std::make_unique<Client>(hub_->port);
    on_leaf_ = std::make_unique<Client>(leaf_->port);
    ASSERT_TRUE(on_hub_->ok());
    ASSERT_TRUE(on_leaf_->ok());
  }

  // Replaces the hub by one whose leaf port requires TLS, with `certs`.
  void RestartHubWithTls(util::TestCerts* certs) {
    ASSERT_TRUE(util::MakeTestCerts(certs)) << "openssl failed in " << certs->dir;
    hub_->process->Stop(SIGTERM);
    hub_ = StartWithConfig(GetParam().hub.binary(), HubConfig(leaf_port_, TlsBlock(*certs)));
    ASSERT_NE(hub_, nullptr);
  }

  // Replaces the hub by one binding leaf user "leaf" (password "pw") to
  // account A, which `accounts` (an accounts block) defines.
  void RestartHubBindingA(const std::string& accounts) {
    hub_->process->Stop(SIGTERM);
    hub_ = StartWithConfig(
        GetParam().hub.binary(),
        absl::StrCat(
            "leafnodes {\n  listen: 127.0.0.1:", leaf_port_,
            "\n  authorization { users [ { user: leaf, password: pw, account: A } ] }\n}\n",
            accounts));
    ASSERT_NE(hub_, nullptr);
  }

  int leaf_port_ = 0;
  std::unique_ptr<Node> hub_, leaf_;
  std::unique_ptr<Client> on_hub_, on_leaf_;
};

TEST_P(LeafNodeTest, MessagesFlowBothWays) {
  StartLeaf(LeafConfig(leaf_port_));
  natsSubscription* down = on_leaf_->Sub("down.*");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.down"));
  ASSERT_TRUE(on_hub_->Pub("down.a", "hello", "reply.to"));
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, down, 5000), NATS_OK);
  EXPECT_STREQ(natsMsg_GetSubject(m), "down.a");
  EXPECT_STREQ(natsMsg_GetReply(m), "reply.to");
  EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), "hello");
  natsMsg_Destroy(m);

  natsSubscription* up = on_hub_->Sub("up.>");
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.up"));
  natsMsg* h = nullptr;
  ASSERT_EQ(natsMsg_Create(&h, "up.x.y", nullptr, "with-header", 11), NATS_OK);
  ASSERT_EQ(natsMsgHeader_Set(h, "Key", "value"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishMsg(on_leaf_->nc(), h), NATS_OK);
  natsMsg_Destroy(h);
  ASSERT_EQ(natsSubscription_NextMsg(&m, up, 5000), NATS_OK);
  EXPECT_STREQ(natsMsg_GetSubject(m), "up.x.y");
  const char* value = nullptr;
  EXPECT_EQ(natsMsgHeader_Get(m, "Key", &value), NATS_OK);
  EXPECT_STREQ(value, "value");
  natsMsg_Destroy(m);

  // Unsubscribing on the leaf removes the interest from the hub: nothing
  // more crosses, which a later probe on the same connection confirms.
  on_leaf_->Unsub(down);
  natsSubscription* after = on_leaf_->Sub("down.after");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.down2"));
  ASSERT_TRUE(on_hub_->Pub("down.a", "dropped"));
  ASSERT_TRUE(on_hub_->Pub("down.after", "kept"));
  EXPECT_EQ(Next(after, 5000), "kept");
}

// Publishes `n` distinct messages to "work" from `pub` and collects what
// the members `a` and `b` of a queue group get; fails when one is missing
// or came twice.
::testing::AssertionResult EachOnce(Client* pub, natsSubscription* a, natsSubscription* b, int n) {
  for (int i = 0; i < n; ++i) {
    if (!pub->Pub("work", absl::StrCat("m", 1000 + i))) {
      return ::testing::AssertionFailure() << "publish failed";
    }
  }
  std::multiset<std::string> seen;
  int got_a = 0, got_b = 0;
  for (int idle = 0; idle < 20 && static_cast<int>(seen.size()) < n;) {
    std::string m = Next(a, 50);
    if (!m.empty()) {
      ++got_a;
      seen.insert(m);
    }
    std::string m2 = Next(b, 50);
    if (!m2.empty()) {
      ++got_b;
      seen.insert(m2);
    }
    idle = m.empty() && m2.empty() ? idle + 1 : 0;
  }
  // Nothing more (a duplicate) shortly after.
  for (std::string m = Next(a, 200); !m.empty(); m = Next(a, 200)) seen.insert(m);
  for (std::string m = Next(b, 200); !m.empty(); m = Next(b, 200)) seen.insert(m);
  std::set<std::string> unique(seen.begin(), seen.end());
  if (unique.size() != static_cast<size_t>(n) || seen.size() != static_cast<size_t>(n)) {
    return ::testing::AssertionFailure()
           << seen.size() << " deliveries of " << unique.size() << " distinct, of " << n;
  }
  return ::testing::AssertionSuccess() << got_a << " / " << got_b;
}

TEST_P(LeafNodeTest, QueueGroupSpansHubAndLeaf) {
  StartLeaf(LeafConfig(leaf_port_));
  natsSubscription* on_hub = on_hub_->Sub("work", "workers");
  natsSubscription* on_leaf = on_leaf_->Sub("work", "workers");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.q1"));
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.q2"));
  EXPECT_TRUE(EachOnce(on_hub_.get(), on_hub, on_leaf, 200));
  EXPECT_TRUE(EachOnce(on_leaf_.get(), on_hub, on_leaf, 200));
  // With the hub's member gone, the leaf's gets what the hub's clients send.
  on_hub_->Unsub(on_hub);
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.q3"));
  ASSERT_TRUE(on_hub_->Pub("work", "only-leaf"));
  EXPECT_EQ(Next(on_leaf, 5000), "only-leaf");
}

// Answers each request on `sub` with "re:" and its data, `n` times.
void Answer(Client* c, natsSubscription* sub, int n) {
  for (int i = 0; i < n; ++i) {
    natsMsg* m = nullptr;
    if (natsSubscription_NextMsg(&m, sub, 5000) != NATS_OK) return;
    const std::string data = "re:" + std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m));
    natsConnection_PublishString(c->nc(), natsMsg_GetReply(m), data.c_str());
    natsConnection_Flush(c->nc());
    natsMsg_Destroy(m);
  }
}

TEST_P(LeafNodeTest, RequestsAreAnsweredAcross) {
  StartLeaf(LeafConfig(leaf_port_));
  natsSubscription* service = on_leaf_->Sub("svc.leaf");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.r1"));
  std::thread responder([&] { Answer(on_leaf_.get(), service, 1); });
  EXPECT_EQ(RequestText(on_hub_->nc(), "svc.leaf", "ping"), "re:ping");
  responder.join();

  natsSubscription* hub_service = on_hub_->Sub("svc.hub", "q");
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.r2"));
  std::thread hub_responder([&] { Answer(on_hub_.get(), hub_service, 1); });
  EXPECT_EQ(RequestText(on_leaf_->nc(), "svc.hub", "pong"), "re:pong");
  hub_responder.join();
}

TEST_P(LeafNodeTest, LeafReconnectsAfterHubRestarts) {
  StartLeaf(LeafConfig(leaf_port_));
  natsSubscription* down = on_leaf_->Sub("down");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.before"));
  on_hub_.reset();
  hub_->process->Stop(SIGTERM);
  hub_ = StartWithConfig(GetParam().hub.binary(), HubConfig(leaf_port_));
  ASSERT_NE(hub_, nullptr);
  on_hub_ = std::make_unique<Client>(hub_->port);
  ASSERT_TRUE(on_hub_->ok());
  // The leaf's existing subscription is announced again on reconnect.
  bool arrived = false;
  for (int i = 0; i < 200 && !arrived; ++i) {
    ASSERT_TRUE(on_hub_->Pub("down", "again"));
    arrived = !Next(down, 100).empty();
  }
  EXPECT_TRUE(arrived);
  natsSubscription* up = on_hub_->Sub("up");
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.after"));
  ASSERT_TRUE(on_leaf_->Pub("up", "back"));
  EXPECT_EQ(Next(up, 5000), "back");
}

TEST_P(LeafNodeTest, WrongPasswordIsRefused) {
  StartLeaf(LeafConfig(leaf_port_, "wrong"));
  natsSubscription* down = on_leaf_->Sub("down");
  // Over a few reconnect attempts nothing crosses.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(on_hub_->Pub("down", "x"));
    EXPECT_EQ(Next(down, 100), "");
  }
}

TEST_P(LeafNodeTest, DenyExportsAndImportsKeepSubjectsOnTheirSide) {
  StartLeaf(LeafConfig(leaf_port_, "pw",
                       "    deny_exports: [\"secret.up\"]\n    deny_imports: [\"secret.down\"]\n"));
  natsSubscription* down_secret = on_leaf_->Sub("secret.down");
  natsSubscription* down_open = on_leaf_->Sub("open.down");
  natsSubscription* up_secret = on_hub_->Sub("secret.up");
  natsSubscription* up_open = on_hub_->Sub("open.up");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.d1"));
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.d2"));
  ASSERT_TRUE(on_hub_->Pub("secret.down", "no"));
  ASSERT_TRUE(on_hub_->Pub("open.down", "yes"));
  ASSERT_TRUE(on_leaf_->Pub("secret.up", "no"));
  ASSERT_TRUE(on_leaf_->Pub("open.up", "yes"));
  // The open messages were sent after the secret ones on the same
  // connections: once they arrived, the secret ones would have too.
  EXPECT_EQ(Next(down_open, 5000), "yes");
  EXPECT_EQ(Next(up_open, 5000), "yes");
  EXPECT_EQ(Next(down_secret, 200), "");
  EXPECT_EQ(Next(up_secret, 200), "");
}

TEST_P(LeafNodeTest, MessagesFlowOverTls) {
  util::TestCerts certs;
  ASSERT_NO_FATAL_FAILURE(RestartHubWithTls(&certs));
  StartLeaf(LeafConfig(leaf_port_, "pw", TlsBlock(certs)));
  natsSubscription* down = on_leaf_->Sub("down");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.tls1"));
  ASSERT_TRUE(on_hub_->Pub("down", "secure"));
  EXPECT_EQ(Next(down, 5000), "secure");
  natsSubscription* up = on_hub_->Sub("up", "q");
  ASSERT_TRUE(WaitForInterest(on_leaf_.get(), on_hub_.get(), "probe.tls2"));
  ASSERT_TRUE(on_leaf_->Pub("up", "secure-up"));
  EXPECT_EQ(Next(up, 5000), "secure-up");
}

TEST_P(LeafNodeTest, PlaintextLeafGetsNothingFromTlsHub) {
  util::TestCerts certs;
  ASSERT_NO_FATAL_FAILURE(RestartHubWithTls(&certs));
  StartLeaf(LeafConfig(leaf_port_));
  natsSubscription* down = on_leaf_->Sub("down");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(on_hub_->Pub("down", "x"));
    EXPECT_EQ(Next(down, 100), "");
  }
}

// A message on `subject` from `from` (a bound account) reaches `to` (the
// other side's bound account); one from `other_from` (another account) does
// not reach `other_to` (that account on the other side).
void ExpectOnlyBoundAccountsTalk(Client* from, Client* other_from, Client* to, Client* other_to,
                                 const std::string& subject) {
  natsSubscription* sub = to->Sub(subject);
  natsSubscription* other_sub = other_to->Sub(subject);
  ASSERT_TRUE(WaitForInterest(from, to, "probe." + subject));
  ASSERT_TRUE(other_from->Pub(subject, "other"));
  ASSERT_TRUE(from->Pub(subject, "bound"));
  EXPECT_EQ(Next(sub, 5000), "bound");
  EXPECT_EQ(Next(other_sub, 200), "");
}

// The hub binds the leaf to its account A (the leafnodes users entry), the
// leaf binds the connection to its account B (the remote's `account`):
// A's clients and B's clients talk; the other accounts see nothing.
TEST_P(LeafNodeTest, ConnectionBindsOneAccountOnEachSide) {
  ASSERT_NO_FATAL_FAILURE(
      RestartHubBindingA("accounts {\n  A { users [ { user: a, password: a } ] }\n"
                         "  G { users [ { user: g, password: g } ] }\n}\n"));
  leaf_ = StartWithConfig(GetParam().leaf.binary(),
                          LeafConfig(leaf_port_, "pw", "    account: B\n") +
                              "accounts {\n  B { users [ { user: b, password: b } ] }\n"
                              "  G { users [ { user: g, password: g } ] }\n}\n");
  ASSERT_NE(leaf_, nullptr);
  Client on_a(hub_->port, "a"), on_b(leaf_->port, "b");
  Client hub_other(hub_->port, "g"), leaf_other(leaf_->port, "g");
  ASSERT_TRUE(on_a.ok() && on_b.ok() && hub_other.ok() && leaf_other.ok());
  ExpectOnlyBoundAccountsTalk(&on_a, &hub_other, &on_b, &leaf_other, "down");
  ExpectOnlyBoundAccountsTalk(&on_b, &leaf_other, &on_a, &hub_other, "up");
}

// The number of leaf connections /leafz lists on `node`.
int NumLeafs(const Node& node);

// An account with max_leafnodes: 1 takes one leaf; a second leaf bound to
// it is refused (and keeps retrying) while the first stays.
TEST_P(LeafNodeTest, AccountLeafLimitRefusesTheSecondLeaf) {
  ASSERT_NO_FATAL_FAILURE(RestartHubBindingA("accounts { A { limits { max_leafnodes: 1 } } }\n"));
  StartLeaf(LeafConfig(leaf_port_));
  for (int i = 0; i < 200 && NumLeafs(*hub_) < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(NumLeafs(*hub_), 1);
  auto second = StartWithConfig(GetParam().leaf.binary(), LeafConfig(leaf_port_));
  ASSERT_NE(second, nullptr);
  // Over a few of its reconnect attempts the second never gets in.
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(NumLeafs(*second), 0);
  }
  EXPECT_EQ(NumLeafs(*hub_), 1);
}

// The monitoring JSON at `path` of `node`.
nlohmann::json Monitoring(const Node& node, const std::string& path) {
  const util::HttpAnswer a = util::HttpGet(node.monitor_port, path);
  EXPECT_EQ(a.status, 200) << path;
  return nlohmann::json::parse(a.body, nullptr, false);
}

TEST_P(LeafNodeTest, MonitoringShowsTheConnectionOnBothSides) {
  StartLeaf(LeafConfig(leaf_port_));
  natsSubscription* down = on_leaf_->Sub("down");
  ASSERT_TRUE(WaitForInterest(on_hub_.get(), on_leaf_.get(), "probe.m"));
  ASSERT_TRUE(on_hub_->Pub("down", "counted"));
  ASSERT_EQ(Next(down, 5000), "counted");
  nlohmann::json hub = Monitoring(*hub_, "/leafz");
  nlohmann::json leaf = Monitoring(*leaf_, "/leafz");
  ASSERT_EQ(hub["leafnodes"], 1) << hub.dump();
  ASSERT_EQ(leaf["leafnodes"], 1) << leaf.dump();
  EXPECT_EQ(hub["leafs"][0]["account"], "$G");
  EXPECT_EQ(leaf["leafs"][0]["account"], "$G");
  EXPECT_EQ(hub["leafs"][0]["ip"], "127.0.0.1");
  EXPECT_GE(hub["leafs"][0]["out_msgs"].get<int>(), 2) << hub.dump();
  EXPECT_GE(leaf["leafs"][0]["in_msgs"].get<int>(), 2) << leaf.dump();
  EXPECT_GE(hub["leafs"][0]["subscriptions"].get<int>(), 1) << hub.dump();
  nlohmann::json hub_varz = Monitoring(*hub_, "/varz");
  nlohmann::json leaf_varz = Monitoring(*leaf_, "/varz");
  EXPECT_EQ(hub_varz["leafnodes"], 1);
  EXPECT_EQ(leaf_varz["leafnodes"], 1);
  EXPECT_EQ(hub_varz["leaf"]["port"], leaf_port_) << hub_varz["leaf"].dump();
  EXPECT_EQ(hub_varz["leaf"]["host"], "127.0.0.1");
  EXPECT_EQ(leaf_varz["leaf"]["remotes"][0]["urls"][0], absl::StrCat("127.0.0.1:", leaf_port_))
      << leaf_varz["leaf"].dump();
}

int NumLeafs(const Node& node) {
  nlohmann::json z = Monitoring(node, "/leafz");
  return z.is_object() && z["leafnodes"].is_number() ? z["leafnodes"].get<int>() : -1;
}

std::vector<Pairing> AllPairings() {
  const Backend gateway{"gateway", &GatewayBinary};
  const Backend nats{"nats_server", &harness::NatsServerBinary};
  return {{nats, gateway}, {gateway, nats}, {nats, nats}, {gateway, gateway}};
}

INSTANTIATE_TEST_SUITE_P(Servers, LeafNodeTest, ::testing::ValuesIn(AllPairings()), PairingName);

// A raw socket acting as a leaf server of a hub, checking the protocol.
class LeafProtocolTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (access(GetParam().binary().c_str(), X_OK) != 0) GTEST_SKIP() << "missing binary";
    leaf_port_ = FreePort();
    hub_ = StartWithConfig(GetParam().binary(), HubConfig(leaf_port_));
    ASSERT_NE(hub_, nullptr);
  }

  // Connects to the leaf port and sends CONNECT with `password`.
  std::unique_ptr<RawClient> RawLeaf(const std::string& password) {
    auto r = std::make_unique<RawClient>(leaf_port_);
    EXPECT_TRUE(r->ReadUntil("\r\n"));
    info_ = r->buffer();
    r->Clear();
    EXPECT_TRUE(r->Send(
        absl::StrCat("CONNECT {\"user\":\"leaf\",\"pass\":\"", password,
                     "\",\"server_id\":\"NRAWLEAF\",\"name\":\"rawleaf\",\"headers\":true}\r\n")));
    return r;
  }

  int leaf_port_ = 0;
  std::unique_ptr<Node> hub_;
  std::string info_;
};

// A hub client's interest and messages, as LS+/LS-/LMSG.
TEST_P(LeafProtocolTest, InterestAndMessagesInTheLeafDialect) {
  Client client(hub_->port);
  ASSERT_TRUE(client.ok());
  natsSubscription* early = client.Sub("early");
  auto leaf = RawLeaf("pw");
  EXPECT_NE(info_.find("\"leafnode_urls\""), std::string::npos) << info_;
  EXPECT_NE(info_.find("\"client_id\""), std::string::npos) << info_;
  ASSERT_TRUE(leaf->ReadUntil("LS+ early\r\n")) << leaf->buffer();
  ASSERT_TRUE(leaf->ReadUntil("LS+ $LDS.")) << leaf->buffer();
  natsSubscription* late = client.Sub("late", "grp");
  ASSERT_TRUE(leaf->ReadUntil("LS+ late grp 1\r\n")) << leaf->buffer();
  client.Unsub(early);
  ASSERT_TRUE(leaf->ReadUntil("LS- early\r\n")) << leaf->buffer();
  // The leaf's interest brings the hub's messages, with reply and queue.
  ASSERT_TRUE(leaf->Send("LS+ from.hub\r\nLS+ hq grp2 2\r\nPING\r\n"));
  ASSERT_TRUE(leaf->ReadUntil("PONG\r\n"));
  leaf->Clear();
  ASSERT_TRUE(client.Pub("from.hub", "hi", "rep"));
  ASSERT_TRUE(leaf->ReadUntil("LMSG from.hub rep 2\r\nhi\r\n")) << leaf->buffer();
  ASSERT_TRUE(client.Pub("hq", "q"));
  ASSERT_TRUE(leaf->ReadUntil("LMSG hq | grp2 1\r\nq\r\n")) << leaf->buffer();
  // A message from the leaf naming the queue group reaches its member.
  ASSERT_TRUE(
      leaf->Send("LMSG late | grp 3\r\nabc\r\nHMSG late | grp 12 14\r\nNATS/1.0\r\n\r\nhd\r\n"));
  EXPECT_EQ(Next(late, 5000), "abc");
  EXPECT_EQ(Next(late, 5000), "hd");
}

TEST_P(LeafProtocolTest, OwnLoopDetectionSubjectComingBackIsALoop) {
  auto leaf = RawLeaf("pw");
  ASSERT_TRUE(leaf->ReadUntil("LS+ $LDS.")) << leaf->buffer();
  const size_t at = leaf->buffer().find("LS+ $LDS.");
  ASSERT_TRUE(leaf->ReadUntil("\r\n"));
  while (leaf->buffer().find("\r\n", at) == std::string::npos) ASSERT_TRUE(leaf->ReadMore());
  const std::string& b = leaf->buffer();
  const std::string lds = b.substr(at + 4, b.find("\r\n", at) - at - 4);
  ASSERT_TRUE(leaf->Send("LS+ " + lds + "\r\n"));
  EXPECT_TRUE(leaf->ReadUntil("-ERR 'Loop detected")) << leaf->buffer();
  EXPECT_TRUE(leaf->WaitClosed());
}

TEST_P(LeafProtocolTest, WrongPasswordGetsAuthorizationViolation) {
  auto leaf = RawLeaf("nope");
  EXPECT_TRUE(leaf->ReadUntil("-ERR 'Authorization Violation'")) << leaf->buffer();
  EXPECT_TRUE(leaf->WaitClosed());
}

INSTANTIATE_TEST_SUITE_P(Servers, LeafProtocolTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
