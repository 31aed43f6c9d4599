// Cluster routes between servers (core NATS), run the same way against the
// gateway binary and the reference nats-server: servers started with
// -cluster/-routes on free ports form a full mesh (a server joining through
// one seed learns the others by gossip), messages published on one server
// reach subscribers on the others, a queue group gets each message once
// across the cluster, clients learn the other servers' URLs (connect_urls,
// async INFO), and routes with the wrong cluster name or credentials are
// refused. A raw socket speaking the route protocol checks RS+/RS- and route
// permissions. Routes over TLS (`cluster { tls {} }`, configuration files,
// certificates made at run time) join servers, gateway and nats-server
// mixed too, and refuse plaintext peers and untrusted certificates.
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

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/core/tls_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"
#include "testing/util/test_certs.h"

namespace jsengine::testing::core {
namespace {

struct Node {
  std::unique_ptr<harness::Process> process;
  int port = 0;          // clients
  int cluster_port = 0;  // routes
};

// A connected raw client (protocol 1, headers, no verbose).
std::unique_ptr<RawClient> Connect(int port) {
  auto c = std::make_unique<RawClient>(port);
  EXPECT_TRUE(c->ReadUntil("\r\n"));
  EXPECT_TRUE(c->Send(
      "CONNECT {\"verbose\":false,\"protocol\":1,\"headers\":true,\"echo\":true}\r\nPING\r\n"));
  EXPECT_TRUE(c->ReadUntil("PONG\r\n"));
  c->Clear();
  return c;
}

size_t Count(const std::string& text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Starts `binary` in cluster `name`, soliciting `routes` (route URLs).
std::unique_ptr<Node> StartNode(const std::string& binary, const std::vector<std::string>& routes,
                                const std::string& name = "abc",
                                const std::vector<std::string>& extra = {}) {
  auto node = std::make_unique<Node>();
  node->cluster_port = FreePort();
  std::vector<std::string> args = {
      "-cluster", absl::StrCat("nats://127.0.0.1:", node->cluster_port), "-cluster_name", name};
  if (!routes.empty()) {
    std::string joined;
    for (const std::string& r : routes) absl::StrAppend(&joined, joined.empty() ? "" : ",", r);
    args.push_back("-routes");
    args.push_back(joined);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto ports = StartOnFreePort(binary, args, &node->process);
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok()) return nullptr;
  node->port = *common::PortOf(ports->nats.front());
  return node;
}

std::string RouteUrl(const Node& n) { return absl::StrCat("nats://127.0.0.1:", n.cluster_port); }

// Starts `binary` in cluster "abc" from a configuration file whose cluster
// block adds `extra` (e.g. a tls block) and solicits `routes`.
std::unique_ptr<Node> StartConfigured(const std::string& binary,
                                      const std::vector<std::string>& routes,
                                      const std::string& extra) {
  auto node = std::make_unique<Node>();
  node->cluster_port = FreePort();
  const std::string conf = util::MakeTempDir("cluster-conf-") + "/cluster.conf";
  std::string route_list;
  for (const std::string& r : routes) absl::StrAppend(&route_list, "\"", r, "\" ");
  std::ofstream(conf) << "cluster {\n  listen: 127.0.0.1:" << node->cluster_port
                      << "\n  name: abc\n  routes: [" << route_list << "]\n"
                      << extra << "\n}\n";
  auto ports = StartOnFreePort(binary, {"-c", conf}, &node->process);
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok()) return nullptr;
  node->port = *common::PortOf(ports->nats.front());
  return node;
}

// A cluster tls block presenting `cert` and trusting `ca`, with `more`
// settings.
std::string TlsBlock(const std::string& cert, const std::string& key, const std::string& ca,
                     const std::string& more = "") {
  return absl::StrCat("  tls {\n    cert_file: \"", cert, "\"\n    key_file: \"", key,
                      "\"\n    ca_file: \"", ca, "\"\n    timeout: 2\n", more, "  }");
}

// Subscribes `sub` to a fresh probe subject and publishes to it from `pub`
// until it arrives: then the route between their servers carries the
// interest `sub` registered before. False if it does not in `attempts`
// tries (100 ms each).
bool WaitForRoute(RawClient* pub, RawClient* sub, const std::string& probe, int attempts = 200) {
  if (!sub->Send("SUB " + probe + " 999\r\nPING\r\n") || !sub->ReadUntil("PONG\r\n")) return false;
  for (int i = 0; i < attempts; ++i) {
    if (!pub->Send("PUB " + probe + " 1\r\nx\r\n")) return false;
    if (sub->ReadUntil("MSG " + probe, 100)) {
      sub->Send("UNSUB 999\r\nPING\r\n");
      sub->ReadUntil("PONG\r\n");
      sub->Drain(100);
      sub->Clear();
      return true;
    }
  }
  return false;
}

class ClusterTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
  }

  std::unique_ptr<Node> Start(const std::vector<std::string>& routes,
                              const std::string& name = "abc") {
    return StartNode(binary_, routes, name);
  }

  // Starts a seed `a`, and `b` and `c` that only know the seed.
  bool StartThree(std::unique_ptr<Node>* a, std::unique_ptr<Node>* b, std::unique_ptr<Node>* c) {
    *a = Start({});
    if (*a == nullptr) return false;
    *b = Start({RouteUrl(**a)});
    *c = Start({RouteUrl(**a)});
    return *b != nullptr && *c != nullptr;
  }

  std::string binary_;
};

// Messages (with a reply subject, with headers) published on `a`'s server
// reach `b`'s subscription, and a request goes back the other way.
void ExpectMessagesFlow(RawClient* a, RawClient* b) {
  ASSERT_TRUE(b->Send("SUB foo.* 1\r\n"));
  ASSERT_TRUE(WaitForRoute(a, b, "probe.ab"));
  ASSERT_TRUE(
      a->Send("PUB foo.bar reply.to 5\r\nhello\r\n"
              "HPUB foo.baz 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n"));
  ASSERT_TRUE(b->ReadUntil("hi\r\n"));
  EXPECT_TRUE(absl::StrContains(b->buffer(), "MSG foo.bar 1 reply.to 5\r\nhello\r\n"))
      << b->buffer();
  EXPECT_TRUE(absl::StrContains(b->buffer(), "HMSG foo.baz 1 18 20\r\nNATS/1.0\r\nA: b\r\n"))
      << b->buffer();
  // And back the other way: a request answered across the route.
  ASSERT_TRUE(a->Send("SUB back 2\r\n"));
  ASSERT_TRUE(WaitForRoute(b, a, "probe.ba"));
  ASSERT_TRUE(b->Send("PUB back 3\r\nyes\r\n"));
  EXPECT_TRUE(a->ReadUntil("MSG back 2 3\r\nyes\r\n")) << a->buffer();
}

TEST_P(ClusterTest, MessagesFlowBetweenServers) {
  auto a = Start({});
  ASSERT_NE(a, nullptr);
  auto b = Start({RouteUrl(*a)});
  ASSERT_NE(b, nullptr);
  auto on_a = Connect(a->port);
  auto on_b = Connect(b->port);
  ExpectMessagesFlow(on_a.get(), on_b.get());
}

// Publishes `n` distinct messages to `subject` from `pub` and reads what the
// members `a` and `b` of a queue group get; false when some message is
// missing or came twice.
::testing::AssertionResult EachOnce(RawClient* pub, RawClient* a, RawClient* b, int n) {
  a->Clear();
  b->Clear();
  std::string pubs;
  for (int i = 0; i < n; ++i) {
    const std::string body = absl::StrCat("m", 1000 + i);
    absl::StrAppend(&pubs, "PUB work ", body.size(), "\r\n", body, "\r\n");
  }
  if (!pub->Send(pubs + "PING\r\n") || !pub->ReadUntil("PONG\r\n")) {
    return ::testing::AssertionFailure() << "publish failed";
  }
  size_t total = 0;
  for (int round = 0; round < 200 && total < static_cast<size_t>(n); ++round) {
    a->Drain(25);
    b->Drain(25);
    total = Count(a->buffer(), "MSG work") + Count(b->buffer(), "MSG work");
  }
  std::set<std::string> seen;
  for (const std::string* buffer : {&a->buffer(), &b->buffer()}) {
    for (size_t at = buffer->find("\r\nm1"); at != std::string::npos;
         at = buffer->find("\r\nm1", at + 1)) {
      if (!seen.insert(buffer->substr(at + 2, 5)).second) {
        return ::testing::AssertionFailure() << "duplicate " << buffer->substr(at + 2, 5);
      }
    }
  }
  if (seen.size() != static_cast<size_t>(n)) {
    return ::testing::AssertionFailure() << seen.size() << " of " << n << " messages arrived";
  }
  return ::testing::AssertionSuccess()
         << Count(a->buffer(), "MSG work") << " / " << Count(b->buffer(), "MSG work");
}

TEST_P(ClusterTest, QueueGroupGetsEachMessageOnceAcrossServers) {
  std::unique_ptr<Node> a, b, c;
  ASSERT_TRUE(StartThree(&a, &b, &c));
  auto on_a = Connect(a->port);
  auto on_b = Connect(b->port);
  auto on_c = Connect(c->port);
  ASSERT_TRUE(on_a->Send("SUB work workers 1\r\n"));
  ASSERT_TRUE(on_b->Send("SUB work workers 1\r\n"));
  ASSERT_TRUE(WaitForRoute(on_c.get(), on_a.get(), "probe.ca"));
  ASSERT_TRUE(WaitForRoute(on_c.get(), on_b.get(), "probe.cb"));
  ASSERT_TRUE(WaitForRoute(on_a.get(), on_b.get(), "probe.ab"));
  // From a server without members, and from one with a member.
  EXPECT_TRUE(EachOnce(on_c.get(), on_a.get(), on_b.get(), 200));
  EXPECT_TRUE(EachOnce(on_a.get(), on_a.get(), on_b.get(), 200));
  // Both members get some: the group spans the servers.
  EXPECT_GT(Count(on_a->buffer(), "MSG work"), 0u);
  EXPECT_GT(Count(on_b->buffer(), "MSG work"), 0u);
}

TEST_P(ClusterTest, ThirdServerJoiningThroughOneSeedGetsFullMesh) {
  std::unique_ptr<Node> a, b, c;
  ASSERT_TRUE(StartThree(&a, &b, &c));
  auto on_b = Connect(b->port);
  auto on_c = Connect(c->port);
  // b and c only know a: they exchange messages over the implicit route.
  ASSERT_TRUE(WaitForRoute(on_b.get(), on_c.get(), "probe.bc"));
  ASSERT_TRUE(WaitForRoute(on_c.get(), on_b.get(), "probe.cb"));
  // Stopping the seed leaves the b-c route in place.
  a->process->Stop(SIGTERM);
  ASSERT_TRUE(on_c->Send("SUB after.seed 5\r\n"));
  ASSERT_TRUE(WaitForRoute(on_b.get(), on_c.get(), "probe.bc2"));
  ASSERT_TRUE(on_b->Send("PUB after.seed 2\r\nok\r\n"));
  EXPECT_TRUE(on_c->ReadUntil("MSG after.seed 5 2\r\nok\r\n")) << on_c->buffer();
}

TEST_P(ClusterTest, ClientsLearnOtherServersFromAsyncInfo) {
  auto a = Start({});
  ASSERT_NE(a, nullptr);
  auto on_a = Connect(a->port);
  auto b = Start({RouteUrl(*a)});
  ASSERT_NE(b, nullptr);
  const std::string b_url = absl::StrCat("\"127.0.0.1:", b->port, "\"");
  ASSERT_TRUE(on_a->ReadUntil(b_url, 20000)) << on_a->buffer();
  EXPECT_TRUE(absl::StrContains(on_a->buffer(), "INFO {")) << on_a->buffer();
  EXPECT_TRUE(absl::StrContains(on_a->buffer(), absl::StrCat("\"127.0.0.1:", a->port, "\"")))
      << on_a->buffer();
  EXPECT_TRUE(absl::StrContains(on_a->buffer(), "\"cluster\":\"abc\"")) << on_a->buffer();
  // A new client of b gets both URLs in its first INFO (once b, too, has
  // registered the route).
  std::string info;
  for (int i = 0; i < 200; ++i) {
    RawClient fresh(b->port);
    ASSERT_TRUE(fresh.ReadUntil("\r\n"));
    info = fresh.buffer();
    if (absl::StrContains(info, absl::StrCat("\"127.0.0.1:", a->port, "\""))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(absl::StrContains(info, "connect_urls")) << info;
  EXPECT_TRUE(absl::StrContains(info, absl::StrCat("\"127.0.0.1:", a->port, "\""))) << info;
  // b leaving is announced too.
  on_a->Clear();
  b->process->Stop(SIGTERM);
  ASSERT_TRUE(on_a->ReadUntil("INFO {", 20000)) << on_a->buffer();
  ASSERT_TRUE(on_a->ReadUntil("\r\n"));
  EXPECT_FALSE(absl::StrContains(on_a->buffer(), b_url)) << on_a->buffer();
}

// Acts as a route to `node`: sends CONNECT and INFO in cluster `name`.
std::unique_ptr<RawClient> RawRoute(const Node& node, const std::string& name,
                                    const std::string& credentials = "") {
  auto r = std::make_unique<RawClient>(node.cluster_port);
  EXPECT_TRUE(r->ReadUntil("\r\n"));
  r->Clear();
  const std::string id = "NRAWROUTE" + std::to_string(node.cluster_port);
  EXPECT_TRUE(r->Send(absl::StrCat(
      "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,", credentials,
      "\"tls_required\":false,\"headers\":true,\"name\":\"", id, "\",\"cluster\":\"", name,
      "\"}\r\nINFO {\"server_id\":\"", id, "\",\"host\":\"127.0.0.1\",\"port\":1,\"cluster\":\"",
      name, "\",\"headers\":true}\r\nPING\r\n")));
  return r;
}

TEST_P(ClusterTest, RouteProtocolCarriesInterestAndMessages) {
  auto a = Start({});
  ASSERT_NE(a, nullptr);
  auto client = Connect(a->port);
  ASSERT_TRUE(client->Send("SUB early 1\r\nPING\r\n") && client->ReadUntil("PONG\r\n"));
  auto route = RawRoute(*a, "abc");
  ASSERT_TRUE(route->ReadUntil("RS+ $G early\r\n")) << route->buffer();
  ASSERT_TRUE(client->Send("SUB late grp 2\r\nPING\r\n") && client->ReadUntil("PONG\r\n"));
  ASSERT_TRUE(route->ReadUntil("RS+ $G late grp 1\r\n")) << route->buffer();
  ASSERT_TRUE(client->Send("UNSUB 1\r\nPING\r\n") && client->ReadUntil("PONG\r\n"));
  ASSERT_TRUE(route->ReadUntil("RS- $G early\r\n")) << route->buffer();
  // A routed message for the queue group reaches the local member.
  client->Clear();
  ASSERT_TRUE(route->Send("RMSG $G late | grp 3\r\nabc\r\n"));
  EXPECT_TRUE(client->ReadUntil("MSG late 2 3\r\nabc\r\n")) << client->buffer();
  // Interest of the route: messages published locally go to it.
  route->Clear();
  ASSERT_TRUE(route->Send("RS+ $G to.route\r\nPING\r\n"));
  ASSERT_TRUE(route->ReadUntil("PONG\r\n"));
  route->Clear();
  ASSERT_TRUE(client->Send("PUB to.route r 2\r\nok\r\n"));
  EXPECT_TRUE(route->ReadUntil("RMSG $G to.route r 2\r\nok\r\n")) << route->buffer();
}

TEST_P(ClusterTest, RouteWithAnotherClusterNameIsRefused) {
  auto a = Start({});
  ASSERT_NE(a, nullptr);
  auto route = RawRoute(*a, "other");
  EXPECT_TRUE(route->WaitClosed(10000));
  EXPECT_TRUE(absl::StrContains(route->buffer(), "-ERR")) << route->buffer();
  EXPECT_TRUE(absl::StrContains(route->buffer(), "cluster name")) << route->buffer();
}

TEST_P(ClusterTest, RouteCredentialsAreChecked) {
  // -cluster with user info sets the cluster's authorization.
  auto secured = std::make_unique<Node>();
  secured->cluster_port = FreePort();
  auto ports = StartOnFreePort(
      binary_,
      {"-cluster", absl::StrCat("nats://ruser:rpass@127.0.0.1:", secured->cluster_port),
       "-cluster_name", "abc"},
      &secured->process);
  ASSERT_TRUE(ports.ok()) << ports.status();
  secured->port = *common::PortOf(ports->nats.front());
  auto wrong = RawRoute(*secured, "abc", "\"user\":\"ruser\",\"pass\":\"nope\",");
  EXPECT_TRUE(wrong->WaitClosed(10000));
  EXPECT_TRUE(absl::StrContains(wrong->buffer(), "Authorization Violation")) << wrong->buffer();
  auto right = RawRoute(*secured, "abc", "\"user\":\"ruser\",\"pass\":\"rpass\",");
  EXPECT_TRUE(right->ReadUntil("PONG\r\n")) << right->buffer();
  // A server given the credentials in its route URL joins.
  auto b = Start({absl::StrCat("nats://ruser:rpass@127.0.0.1:", secured->cluster_port)});
  ASSERT_NE(b, nullptr);
  auto on_s = Connect(secured->port);
  auto on_b = Connect(b->port);
  EXPECT_TRUE(WaitForRoute(on_s.get(), on_b.get(), "probe.auth"));
}

TEST_P(ClusterTest, RoutePermissionsLimitInterestBothWays) {
  // import: which local interest routes are told of; export: which of a
  // route's interest is served.
  auto node = std::make_unique<Node>();
  node->cluster_port = FreePort();
  const std::string conf = util::MakeTempDir("route-perms-") + "/perms.conf";
  std::ofstream(conf) << "cluster {\n  listen: 127.0.0.1:" << node->cluster_port
                      << "\n  name: abc\n  permissions {\n    import: \"in.>\"\n"
                      << "    export: { allow: \"out.*\", deny: \"out.secret\" }\n  }\n}\n";
  auto ports = StartOnFreePort(binary_, {"-c", conf}, &node->process);
  ASSERT_TRUE(ports.ok()) << ports.status();
  node->port = *common::PortOf(ports->nats.front());
  auto client = Connect(node->port);
  ASSERT_TRUE(client->Send("SUB other.x 1\r\nSUB in.x 2\r\nPING\r\n"));
  ASSERT_TRUE(client->ReadUntil("PONG\r\n"));
  auto route = RawRoute(*node, "abc");
  ASSERT_TRUE(route->ReadUntil("PONG\r\n")) << route->buffer();
  ASSERT_TRUE(route->ReadUntil("RS+ $G in.x\r\n")) << route->buffer();
  ASSERT_TRUE(client->Send("SUB other.y 3\r\nSUB in.y 4\r\nPING\r\n"));
  ASSERT_TRUE(client->ReadUntil("PONG\r\n"));
  ASSERT_TRUE(route->ReadUntil("RS+ $G in.y\r\n")) << route->buffer();
  EXPECT_FALSE(absl::StrContains(route->buffer(), "other.")) << route->buffer();

  route->Clear();
  ASSERT_TRUE(route->Send("RS+ $G out.secret\r\nRS+ $G deny.me\r\nRS+ $G out.ok\r\nPING\r\n"));
  ASSERT_TRUE(route->ReadUntil("PONG\r\n"));
  route->Clear();
  ASSERT_TRUE(
      client->Send("PUB out.secret 1\r\na\r\nPUB deny.me 1\r\nb\r\nPUB out.ok 1\r\nc\r\nPING\r\n"));
  ASSERT_TRUE(client->ReadUntil("PONG\r\n"));
  ASSERT_TRUE(route->ReadUntil("RMSG $G out.ok 1\r\nc\r\n")) << route->buffer();
  EXPECT_FALSE(absl::StrContains(route->buffer(), "out.secret")) << route->buffer();
  EXPECT_FALSE(absl::StrContains(route->buffer(), "deny.me")) << route->buffer();
}

INSTANTIATE_TEST_SUITE_P(Servers, ClusterTest, BothServers(), BackendName);

// A mixed cluster: nats-server joins a gateway and messages flow both ways.
TEST(MixedClusterTest, NatsServerRoutesToGateway) {
  const std::string reference = harness::NatsServerBinary();
  if (access(reference.c_str(), X_OK) != 0) GTEST_SKIP() << reference << " is not installed";
  auto ours = StartNode(GatewayBinary(), {});
  ASSERT_NE(ours, nullptr);
  auto theirs = StartNode(reference, {RouteUrl(*ours)});
  ASSERT_NE(theirs, nullptr);
  auto on_ours = Connect(ours->port);
  auto on_theirs = Connect(theirs->port);
  EXPECT_TRUE(WaitForRoute(on_ours.get(), on_theirs.get(), "probe.to.theirs"));
  EXPECT_TRUE(WaitForRoute(on_theirs.get(), on_ours.get(), "probe.to.ours"));
}

// Route TLS, the same expectations for both servers.
class ClusterTlsTest : public ClusterTest {
 protected:
  static void SetUpTestSuite() { certs_ok_ = util::MakeTestCerts(&certs_); }
  void SetUp() override {
    ASSERT_TRUE(certs_ok_) << "openssl could not make the certificates in " << certs_.dir;
    ClusterTest::SetUp();
  }

  // The "service" certificate: 127.0.0.1 and localhost, server and client
  // use, signed by the trusted CA.
  static std::string GoodTls(const std::string& more = "") {
    return TlsBlock(certs_.service, certs_.service_key, certs_.ca, more);
  }
  std::unique_ptr<Node> StartTls(const std::vector<std::string>& routes) {
    return StartConfigured(binary_, routes, GoodTls());
  }

  // A route CONNECT from the holder of the client certificate (no DNS
  // name, CN "client") is refused.
  static void ExpectClientCertificateRouteRefused(const Node& node, const char* name) {
    TlsClient other(node.cluster_port, certs_.ca, certs_.client, certs_.client_key);
    ASSERT_TRUE(other.connected());
    ASSERT_TRUE(other.ReadUntil("\r\n")) << other.got();
    ASSERT_TRUE(other.Write(absl::StrCat("CONNECT {\"verbose\":false,\"name\":\"", name,
                                         "\",\"cluster\":\"abc\"}\r\nPING\r\n")));
    other.ReadUntil("");
    EXPECT_TRUE(absl::StrContains(other.got(), "Authorization Violation")) << other.got();
  }

  // A server with the service certificate routes to `node`, and messages
  // on `probe` cross.
  void ExpectServiceCertificateRouteJoins(const Node& node, const char* probe) {
    auto b = StartTls({RouteUrl(node)});
    ASSERT_NE(b, nullptr);
    auto on_a = Connect(node.port);
    auto on_b = Connect(b->port);
    EXPECT_TRUE(WaitForRoute(on_a.get(), on_b.get(), probe));
  }

  static inline util::TestCerts certs_;
  static inline bool certs_ok_ = false;
};

TEST_P(ClusterTlsTest, ServersJoinOverTlsRoutes) {
  auto a = StartTls({});
  ASSERT_NE(a, nullptr);
  auto b = StartTls({RouteUrl(*a)});
  ASSERT_NE(b, nullptr);
  auto on_a = Connect(a->port);
  auto on_b = Connect(b->port);
  ExpectMessagesFlow(on_a.get(), on_b.get());
}

TEST_P(ClusterTlsTest, RouteHandshakesTlsFirstThenSpeaksTheRouteProtocol) {
  auto a = StartTls({});
  ASSERT_NE(a, nullptr);
  auto client = Connect(a->port);
  ASSERT_TRUE(client->Send("SUB early 1\r\nPING\r\n") && client->ReadUntil("PONG\r\n"));
  // Nothing comes in plaintext: the server waits for a TLS handshake.
  RawClient plain(a->cluster_port);
  EXPECT_FALSE(plain.ReadUntil("\r\n", 500)) << plain.buffer();
  TlsClient route(a->cluster_port, certs_.ca, certs_.service, certs_.service_key);
  ASSERT_TRUE(route.connected());
  ASSERT_TRUE(route.ReadUntil("\r\n")) << route.got();
  EXPECT_TRUE(absl::StartsWith(route.got(), "INFO {")) << route.got();
  EXPECT_TRUE(absl::StrContains(route.got(), "\"tls_required\":true")) << route.got();
  EXPECT_TRUE(absl::StrContains(route.got(), "\"tls_verify\":true")) << route.got();
  const std::string id = "NRAWTLSROUTE";
  ASSERT_TRUE(route.Write(absl::StrCat(
      "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":true,"
      "\"headers\":true,\"name\":\"",
      id, "\",\"cluster\":\"abc\"}\r\nINFO {\"server_id\":\"", id,
      "\",\"host\":\"127.0.0.1\",\"port\":1,\"cluster\":\"abc\",\"headers\":true}\r\nPING\r\n")));
  ASSERT_TRUE(route.ReadUntil("RS+ $G early\r\n")) << route.got();
  ASSERT_TRUE(route.ReadUntil("PONG\r\n")) << route.got();
  route.Clear();
  ASSERT_TRUE(route.Write("RS+ $G late\r\nPING\r\n"));
  ASSERT_TRUE(route.ReadUntil("PONG\r\n")) << route.got();
  ASSERT_TRUE(client->Send("PUB late 2\r\nok\r\nPING\r\n") && client->ReadUntil("PONG\r\n"));
  EXPECT_TRUE(route.ReadUntil("RMSG $G late 2\r\nok\r\n")) << route.got();
}

TEST_P(ClusterTlsTest, PlaintextPeersAreRefusedAndTheClusterKeepsServing) {
  auto a = StartTls({});
  ASSERT_NE(a, nullptr);
  // A plaintext route's CONNECT is not a TLS handshake: closed unanswered.
  RawClient raw(a->cluster_port);
  ASSERT_TRUE(
      raw.Send("CONNECT {\"verbose\":false,\"name\":\"NPLAIN\",\"cluster\":\"abc\"}\r\nPING\r\n"));
  EXPECT_TRUE(raw.WaitClosed(10000));
  EXPECT_EQ(raw.buffer(), "");
  // A server without route TLS keeps trying; a TLS server still joins.
  auto plain = StartNode(binary_, {RouteUrl(*a)});
  ASSERT_NE(plain, nullptr);
  auto good = StartTls({RouteUrl(*a)});
  ASSERT_NE(good, nullptr);
  auto on_a = Connect(a->port);
  auto on_good = Connect(good->port);
  EXPECT_TRUE(WaitForRoute(on_a.get(), on_good.get(), "probe.good"));
  EXPECT_TRUE(WaitForRoute(on_good.get(), on_a.get(), "probe.a"));
  // (A route, had it formed, would have within these 2 s.)
  auto on_plain = Connect(plain->port);
  EXPECT_FALSE(WaitForRoute(on_a.get(), on_plain.get(), "probe.plain", 20));
}

TEST_P(ClusterTlsTest, UntrustedOrMissingCertificatesAreRefused) {
  auto a = StartTls({});
  ASSERT_NE(a, nullptr);
  {
    TlsClient stranger(a->cluster_port, certs_.ca, certs_.stranger, certs_.stranger_key);
    EXPECT_FALSE(stranger.connected() && stranger.ReadUntil("INFO")) << stranger.got();
  }
  {
    TlsClient anonymous(a->cluster_port, certs_.ca);
    EXPECT_FALSE(anonymous.connected() && anonymous.ReadUntil("INFO")) << anonymous.got();
  }
  {
    // The CA's client certificate is good enough to dial a route.
    TlsClient trusted(a->cluster_port, certs_.ca, certs_.client, certs_.client_key);
    ASSERT_TRUE(trusted.connected());
    EXPECT_TRUE(trusted.ReadUntil("INFO")) << trusted.got();
  }
  // A server presenting the stranger's certificate is refused; one with a
  // trusted certificate still joins.
  auto stranger = StartConfigured(binary_, {RouteUrl(*a)},
                                  TlsBlock(certs_.stranger, certs_.stranger_key, certs_.ca));
  ASSERT_NE(stranger, nullptr);
  auto good = StartTls({RouteUrl(*a)});
  ASSERT_NE(good, nullptr);
  auto on_a = Connect(a->port);
  auto on_good = Connect(good->port);
  EXPECT_TRUE(WaitForRoute(on_a.get(), on_good.get(), "probe.good"));
  auto on_stranger = Connect(stranger->port);
  EXPECT_FALSE(WaitForRoute(on_a.get(), on_stranger.get(), "probe.stranger", 20));
}

TEST_P(ClusterTlsTest, VerifyAndMapNamesTheRouteUserByCertificate) {
  auto a = StartConfigured(
      binary_, {},
      GoodTls("    verify_and_map: true\n") + "\n  authorization { user: \"CN=service\" }");
  ASSERT_NE(a, nullptr);
  ExpectClientCertificateRouteRefused(*a, "NMAPPED");
  ExpectServiceCertificateRouteJoins(*a, "probe.mapped");
}

TEST_P(ClusterTlsTest, CheckKnownUrlsAuthorizesRoutesNamingARouteHost) {
  // Only the host of a route URL counts: this one is never reached.
  auto a = StartConfigured(binary_, {"nats://localhost:1"},
                           GoodTls("    verify_cert_and_check_known_urls: true\n"));
  ASSERT_NE(a, nullptr);
  ExpectClientCertificateRouteRefused(*a, "NUNKNOWN");
  // The service certificate names localhost.
  ExpectServiceCertificateRouteJoins(*a, "probe.known");
}

INSTANTIATE_TEST_SUITE_P(Servers, ClusterTlsTest, BothServers(), BackendName);

// A mixed cluster over TLS routes: nats-server dials the gateway, the
// gateway dials nats-server, and the third pair meets by gossip.
TEST(MixedClusterTest, GatewayAndNatsServerRouteOverTls) {
  const std::string reference = harness::NatsServerBinary();
  if (access(reference.c_str(), X_OK) != 0) GTEST_SKIP() << reference << " is not installed";
  util::TestCerts certs;
  ASSERT_TRUE(util::MakeTestCerts(&certs)) << certs.dir;
  const std::string tls = TlsBlock(certs.service, certs.service_key, certs.ca);
  auto ours = StartConfigured(GatewayBinary(), {}, tls);
  ASSERT_NE(ours, nullptr);
  auto theirs = StartConfigured(reference, {RouteUrl(*ours)}, tls);
  ASSERT_NE(theirs, nullptr);
  auto ours2 = StartConfigured(GatewayBinary(), {RouteUrl(*theirs)}, tls);
  ASSERT_NE(ours2, nullptr);
  auto on_ours = Connect(ours->port);
  auto on_theirs = Connect(theirs->port);
  auto on_ours2 = Connect(ours2->port);
  EXPECT_TRUE(WaitForRoute(on_ours.get(), on_theirs.get(), "probe.to.theirs"));
  EXPECT_TRUE(WaitForRoute(on_theirs.get(), on_ours.get(), "probe.to.ours"));
  EXPECT_TRUE(WaitForRoute(on_theirs.get(), on_ours2.get(), "probe.to.ours2"));
  EXPECT_TRUE(WaitForRoute(on_ours2.get(), on_theirs.get(), "probe.from.ours2"));
  EXPECT_TRUE(WaitForRoute(on_ours.get(), on_ours2.get(), "probe.gossiped"));
}

// The gateway with JetStream in a cluster: JetStream stays per server. A
// request to the JetStream API is answered once, by the requester's server,
// even when a client of another server subscribes to the API subjects.
TEST(GatewayClusterTest, JetStreamStaysPerServer) {
  auto a = StartNode(GatewayBinary(), {}, "abc",
                     {"-js", "-sd", util::MakeTempDir("js-a-"), "--grpc_listen=127.0.0.1:0"});
  ASSERT_NE(a, nullptr);
  auto b = StartNode(GatewayBinary(), {RouteUrl(*a)}, "abc",
                     {"-js", "-sd", util::MakeTempDir("js-b-"), "--grpc_listen=127.0.0.1:0"});
  ASSERT_NE(b, nullptr);
  auto on_a = Connect(a->port);
  auto on_b = Connect(b->port);
  ASSERT_TRUE(on_b->Send("SUB $JS.API.> 1\r\n"));
  ASSERT_TRUE(WaitForRoute(on_a.get(), on_b.get(), "probe.js"));
  ASSERT_TRUE(on_a->Send("SUB inbox.1 7\r\nPUB $JS.API.INFO inbox.1 0\r\n\r\n"));
  ASSERT_TRUE(on_a->ReadUntil("\"type\":\"io.nats.jetstream.api.v1.account_info_response\""))
      << on_a->buffer();
  ASSERT_TRUE(on_b->ReadUntil("MSG $JS.API.INFO 1 inbox.1 0")) << on_b->buffer();
  // A second answer (from b) would come over the route before b's markers.
  ASSERT_TRUE(on_a->Send("SUB marker 8\r\nPING\r\n") && on_a->ReadUntil("PONG\r\n"));
  bool marked = false;
  for (int i = 0; i < 200 && !marked; ++i) {
    ASSERT_TRUE(on_b->Send("PUB marker 0\r\n\r\n"));
    marked = on_a->ReadUntil("MSG marker 8", 100);
  }
  ASSERT_TRUE(marked);
  EXPECT_EQ(Count(on_a->buffer(), "MSG inbox.1"), 1u) << on_a->buffer();
}

}  // namespace
}  // namespace jsengine::testing::core
