#include "gateway/core/cluster_config.h"

#include <string>
#include <vector>

#include "gateway/core/config.h"
#include "gateway/core/options.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(ClusterConfigTest, ReadsTheClusterBlock) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
cluster {
  name: east
  listen: "127.0.0.1:6222"
  routes: ["nats://127.0.0.1:6223", "nats-route://u:p@10.0.0.2:6224"]
  no_advertise: true
  advertise: "east.example.com:6222"
  connect_retries: 3
  authorization { user: ruser, password: rpass, timeout: 0.5 }
  pool_size: 3
}
)",
                              &o)
                  .ok());
  EXPECT_TRUE(o.cluster.enabled);
  EXPECT_EQ(o.cluster.name, "east");
  EXPECT_EQ(o.cluster.host, "127.0.0.1");
  EXPECT_EQ(o.cluster.port, 6222);
  EXPECT_EQ(o.cluster.routes,
            (std::vector<std::string>{"nats://127.0.0.1:6223", "nats-route://u:p@10.0.0.2:6224"}));
  EXPECT_TRUE(o.cluster.no_advertise);
  EXPECT_EQ(o.cluster.advertise, "east.example.com:6222");
  EXPECT_EQ(o.cluster.connect_retries, 3);
  EXPECT_EQ(o.cluster.username, "ruser");
  EXPECT_EQ(o.cluster.password, "rpass");
  EXPECT_EQ(o.cluster.auth_timeout, absl::Milliseconds(500));
  EXPECT_EQ(o.cluster.pool_size, 3);
}

TEST(ClusterConfigTest, HostAndPortKeys) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("cluster { host: 127.0.0.2, port: 7000 }", &o).ok());
  EXPECT_EQ(o.cluster.host, "127.0.0.2");
  EXPECT_EQ(o.cluster.port, 7000);
  EXPECT_FALSE(ServerOptions().cluster.enabled);
}

TEST(ClusterConfigTest, AnyFreePortAndPermissions) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
cluster {
  listen: 127.0.0.1:-1
  permissions { import: "in.>", export: { allow: "*", deny: "secret" } }
}
)",
                              &o)
                  .ok());
  EXPECT_EQ(o.cluster.port, 0);
  EXPECT_TRUE(o.cluster.has_permissions);
  EXPECT_EQ(o.cluster.permissions.publish.allow, std::vector<std::string>{"in.>"});
  EXPECT_EQ(o.cluster.permissions.subscribe.allow, std::vector<std::string>{"*"});
  EXPECT_EQ(o.cluster.permissions.subscribe.deny, std::vector<std::string>{"secret"});
  ServerOptions port;
  ASSERT_TRUE(ApplyConfigText("cluster { port: -1 }", &port).ok());
  EXPECT_EQ(port.cluster.port, 0);
}

TEST(ClusterConfigTest, RefusesUnknownKeysAndBadValues) {
  for (const char* text :
       {"cluster { permissions { allow_responses: true } }", "cluster { port: -2 }",
        "cluster { tls { } }", "cluster { listen: \"x:y\" }",
        "cluster { routes: [\"nats://nohost\"] }", "cluster { authorization { token: x } }",
        "cluster: 5", "cluster { name: \"a b\" }"}) {
    ServerOptions o;
    EXPECT_FALSE(ApplyConfigText(text, &o).ok()) << text;
  }
}

TEST(ClusterConfigTest, ReadsTheTlsBlockAlwaysVerifying) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
cluster {
  tls {
    cert_file: "r.pem", key_file: "r-key.pem", ca_file: "ca.pem"
    timeout: 0.5, insecure: true, verify_and_map: true
  }
}
)",
                              &o)
                  .ok());
  EXPECT_FALSE(o.tls.enabled);
  EXPECT_TRUE(o.cluster.tls.enabled);
  EXPECT_EQ(o.cluster.tls.cert_file, "r.pem");
  EXPECT_EQ(o.cluster.tls.key_file, "r-key.pem");
  EXPECT_EQ(o.cluster.tls.ca_file, "ca.pem");
  EXPECT_EQ(o.cluster.tls.timeout, absl::Milliseconds(500));
  EXPECT_TRUE(o.cluster.tls.insecure);
  EXPECT_TRUE(o.cluster.tls.verify_and_map);
  EXPECT_TRUE(o.cluster.tls.verify);

  ServerOptions plain;
  ASSERT_TRUE(ApplyConfigText("cluster { tls { cert_file: c, key_file: k } }", &plain).ok());
  EXPECT_TRUE(plain.cluster.tls.verify);
  EXPECT_FALSE(plain.cluster.tls.insecure);
  EXPECT_EQ(plain.cluster.tls.timeout, absl::Seconds(2));

  ServerOptions known;
  ASSERT_TRUE(ApplyConfigText("cluster { tls { cert_file: c, key_file: k, "
                              "verify_cert_and_check_known_urls: true } }",
                              &known)
                  .ok());
  EXPECT_TRUE(known.cluster.tls.check_known_urls);
  EXPECT_TRUE(known.cluster.tls.verify);
  EXPECT_FALSE(plain.cluster.tls.check_known_urls);
}

TEST(ClusterConfigTest, ParsesFlags) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(
      ParseServerArgs({"-cluster", "nats://ru:rp@127.0.0.1:6222", "--cluster_name=abc", "-routes",
                       "nats://127.0.0.1:6223, nats://127.0.0.1:6224", "--no_advertise",
                       "--cluster_advertise", "h:1", "--connect_retries", "2"},
                      &o, &rest)
          .ok());
  EXPECT_TRUE(rest.empty());
  EXPECT_TRUE(o.cluster.enabled);
  EXPECT_EQ(o.cluster.host, "127.0.0.1");
  EXPECT_EQ(o.cluster.port, 6222);
  EXPECT_EQ(o.cluster.username, "ru");
  EXPECT_EQ(o.cluster.password, "rp");
  EXPECT_EQ(o.cluster.name, "abc");
  EXPECT_EQ(o.cluster.routes,
            (std::vector<std::string>{"nats://127.0.0.1:6223", "nats://127.0.0.1:6224"}));
  EXPECT_TRUE(o.cluster.no_advertise);
  EXPECT_EQ(o.cluster.advertise, "h:1");
  EXPECT_EQ(o.cluster.connect_retries, 2);

  ServerOptions listen;
  ASSERT_TRUE(ParseServerArgs({"--cluster_listen", "nats://:7222"}, &listen, &rest).ok());
  EXPECT_EQ(listen.cluster.host, "0.0.0.0");
  EXPECT_EQ(listen.cluster.port, 7222);
  EXPECT_FALSE(ParseServerArgs({"-routes", "nats://nohost"}, &listen, &rest).ok());
  EXPECT_FALSE(ParseServerArgs({"--connect_retries", "x"}, &listen, &rest).ok());
}

TEST(ClusterConfigTest, ParsesRouteUrls) {
  RouteUrl u;
  ASSERT_TRUE(ParseRouteUrl("nats-route://user:pa:ss@[::1]:6222/", &u).ok());
  EXPECT_EQ(u.user, "user");
  EXPECT_EQ(u.password, "pa:ss");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 6222);
  EXPECT_FALSE(ParseRouteUrl("nats://host:99999", &u).ok());
  EXPECT_FALSE(ParseRouteUrl("host", &u).ok());
}

}  // namespace
}  // namespace jsengine::gateway::core
