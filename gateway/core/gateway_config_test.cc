#include "gateway/core/gateway_config.h"

#include <string>
#include <vector>

#include "gateway/core/config.h"
#include "gateway/core/options.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(GatewayConfigTest, ReadsTheGatewayBlock) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
gateway {
  NAME: "A"
  listen: "127.0.0.1:5227"
  authorization { user: gwu, password: gwp, timeout: 0.5 }
  advertise: "a.example.com:5227"
  connect_retries: 4
  reject_unknown_cluster: true
  gateways [
    { name: "A", url: "nats://127.0.0.1:5227" }
    { name: "B", urls: ["nats://u:p@127.0.0.1:5228", " nats://10.0.0.2:5228 "] }
  ]
}
)",
                              &o)
                  .ok());
  EXPECT_EQ(o.gateway.name, "A");
  EXPECT_EQ(o.gateway.host, "127.0.0.1");
  EXPECT_EQ(o.gateway.port, 5227);
  EXPECT_EQ(o.gateway.username, "gwu");
  EXPECT_EQ(o.gateway.password, "gwp");
  EXPECT_EQ(o.gateway.auth_timeout, absl::Milliseconds(500));
  EXPECT_EQ(o.gateway.advertise, "a.example.com:5227");
  EXPECT_EQ(o.gateway.connect_retries, 4);
  EXPECT_TRUE(o.gateway.reject_unknown);
  ASSERT_EQ(o.gateway.gateways.size(), 2u);
  EXPECT_EQ(o.gateway.gateways[0].name, "A");
  EXPECT_EQ(o.gateway.gateways[0].urls, std::vector<std::string>{"nats://127.0.0.1:5227"});
  EXPECT_EQ(o.gateway.gateways[1].urls,
            (std::vector<std::string>{"nats://u:p@127.0.0.1:5228", "nats://10.0.0.2:5228"}));
  EXPECT_TRUE(ValidateGatewayOptions(o.gateway).ok());
  EXPECT_FALSE(o.cluster.enabled);
}

TEST(GatewayConfigTest, PortMinusOneIsAnyPortAndDistinctFromNone) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("gateway { name: A, port: -1 }", &o).ok());
  EXPECT_EQ(o.gateway.port, kRandomPort);
  EXPECT_TRUE(ValidateGatewayOptions(o.gateway).ok());
}

TEST(GatewayConfigTest, ReadsTlsAlwaysVerifying) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
gateway {
  tls { cert_file: "s.pem", key_file: "s-key.pem", ca_file: "ca.pem", verify_and_map: true,
        timeout: 2 }
  authorization { user = "CN=localhost,OU=NATS.io Operators" }
  gateways [ { name: B, url: "nats://127.0.0.1:1", tls { cert_file: c, key_file: k } } ]
}
)",
                              &o)
                  .ok());
  EXPECT_TRUE(o.gateway.tls.enabled);
  EXPECT_TRUE(o.gateway.tls.verify);
  EXPECT_TRUE(o.gateway.tls.verify_and_map);
  EXPECT_EQ(o.gateway.tls.timeout, absl::Seconds(2));
  EXPECT_EQ(o.gateway.username, "CN=localhost,OU=NATS.io Operators");
  ASSERT_EQ(o.gateway.gateways.size(), 1u);
  EXPECT_TRUE(o.gateway.gateways[0].tls.enabled);
  EXPECT_TRUE(o.gateway.gateways[0].tls.verify);
  EXPECT_EQ(GatewayTlsOptions(o.gateway).size(), 2u);
  EXPECT_FALSE(o.tls.enabled);
  // Neither a name nor a port: no gateway, as nats-server.
  EXPECT_FALSE(o.gateway.configured());
  EXPECT_TRUE(CheckGatewayCanRun(o.gateway).ok());
}

TEST(GatewayConfigTest, RefusesWhatNatsServerRefusesWhileParsing) {
  const std::pair<const char*, const char*> cases[] = {
      {"gateway: 1", "Expected gateway to be a map"},
      {"gateway { name: A, port: -1,\n authorization { token: x } }",
       "config line 2: 'token' Gateway authorization does not support tokens"},
      {"gateway { authorization { users: [{user: a, password: b}] } }",
       "Gateway authorization does not allow multiple users"},
      {"gateway {\n foo: 1 }", "config line 2"},
      {"gateway { gateways: 3 }", "Expected gateways field to be an array"},
      {"gateway { gateways: [ 3 ] }", "Expected gateway entry to be a map"},
      {"gateway { gateways: [ {name: B, foo: 2} ] }", "foo"},
      {"gateway { gateways: [ {name: B, url: \"nats://nohost\"} ] }", "error parsing gateway url"},
      {"gateway { tls { } }", "needs cert_file"},
      {"gateway { port: -2 }", "port"},
  };
  for (const auto& [text, error] : cases) {
    ServerOptions o;
    absl::Status s = ApplyConfigText(text, &o);
    EXPECT_NE(s.message().find(error), std::string::npos) << text << " => " << s;
  }
}

TEST(GatewayConfigTest, StartUpChecksAsNatsServer) {
  const std::pair<const char*, const char*> cases[] = {
      {"gateway { name: A }", "gateway \"A\" has no port specified (select -1 for random port)"},
      {"gateway { port: 5000 }", "gateway has no name"},
      {"gateway { name: A, port: -1, gateways [ {url: \"nats://x:1\"} ] }",
       "gateway in the list 0 has no name"},
      {"gateway { name: A, port: -1, gateways [ {name: B} ] }", "gateway \"B\" has no URL"},
  };
  for (const auto& [text, error] : cases) {
    ServerOptions o;
    ASSERT_TRUE(ApplyConfigText(text, &o).ok()) << text;
    absl::Status s = ValidateGatewayOptions(o.gateway);
    EXPECT_EQ(s.message(), error) << text;
    EXPECT_EQ(CheckGatewayCanRun(o.gateway), s) << text;
  }
}

TEST(GatewayConfigTest, AValidGatewayIsRefusedAtStartAsNotImplemented) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("gateway { name: A, port: -1 }", &o).ok());
  absl::Status s = CheckGatewayCanRun(o.gateway);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("not implemented"), std::string::npos) << s;
}

TEST(GatewayConfigTest, ClusterAuthorizationKeepsItsOwnWording) {
  ServerOptions o;
  absl::Status s = ApplyConfigText("cluster { authorization { token: x } }", &o);
  EXPECT_NE(s.message().find("Cluster authorization does not support tokens"), std::string::npos)
      << s;
}

}  // namespace
}  // namespace jsengine::gateway::core
