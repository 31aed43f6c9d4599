#include "gateway/core/config.h"

#include <cstdio>
#include <fstream>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(ConfigTest, FullExample) {
  const char* text = R"(
# A server with users.
port: 4333
listen = "127.0.0.1:5222"   // listen overrides port
server_name "edge-1"
ports_file_dir: "/run/ports"
max_payload: 2MB
max_connections: 100
max_pending = 32MB
ping_interval: "30s"
ping_max: 3
jetstream {
  store_dir: "/tmp/js"
}
authorization {
  timeout: 1.5
  users = [
    {user: alice, password: "$2a$11$abc"}
    {user: "bob", password: pw, permissions: {
        publish: {allow: ["orders.>", "_INBOX.>"], deny: "orders.secret"}
        subscribe: ["orders.*"]
    }}
  ]
}
)";
  ServerOptions o;
  absl::Status s = ApplyConfigText(text, &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 5222);
  EXPECT_EQ(o.server_name, "edge-1");
  EXPECT_EQ(o.ports_file_dir, "/run/ports");
  EXPECT_EQ(o.max_payload, 2 * 1024 * 1024);
  EXPECT_EQ(o.max_connections, 100);
  EXPECT_EQ(o.max_pending, 32 * 1024 * 1024);
  EXPECT_EQ(o.ping_interval, absl::Seconds(30));
  EXPECT_EQ(o.ping_max, 3);
  EXPECT_TRUE(o.jetstream);
  EXPECT_EQ(o.store_dir, "/tmp/js");
  EXPECT_EQ(o.auth_timeout, absl::Milliseconds(1500));
  ASSERT_EQ(o.users.size(), 2u);
  EXPECT_EQ(o.users[0].user, "alice");
  EXPECT_EQ(o.users[0].password, "$2a$11$abc");
  EXPECT_EQ(o.users[1].user, "bob");
  EXPECT_EQ(o.users[1].permissions.publish.allow,
            (std::vector<std::string>{"orders.>", "_INBOX.>"}));
  EXPECT_EQ(o.users[1].permissions.publish.deny, (std::vector<std::string>{"orders.secret"}));
  EXPECT_EQ(o.users[1].permissions.subscribe.allow, (std::vector<std::string>{"orders.*"}));
}

TEST(ConfigTest, ListenWithAnyFreePort) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("listen: 127.0.0.1:-1", &o).ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, -1);
  ASSERT_TRUE(ApplyConfigText("http: \"127.0.0.1:-1\"", &o).ok());
  EXPECT_EQ(o.http_port, -1);
  EXPECT_FALSE(ApplyConfigText("listen: 127.0.0.1:-2", &o).ok());
}

TEST(ConfigTest, JetStreamServerLimits) {
  ServerOptions o;
  ASSERT_TRUE(
      ApplyConfigText("jetstream { limits { max_ack_pending: 123, max_request_batch: 7 } }", &o)
          .ok());
  EXPECT_TRUE(o.jetstream);
  EXPECT_EQ(o.jetstream_max_ack_pending, 123);
  EXPECT_EQ(o.jetstream_max_request_batch, 7);
  EXPECT_FALSE(ApplyConfigText("jetstream { limits { max_ha_assets: 1 } }", &o).ok());
}

TEST(ConfigTest, TokenAndSingleUser) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("authorization { token: \"s3cr3t\" }", &o).ok());
  EXPECT_EQ(o.token, "s3cr3t");
  ASSERT_TRUE(ApplyConfigText("authorization {\n user: u\n password: p\n}", &o).ok());
  EXPECT_EQ(o.username, "u");
  EXPECT_EQ(o.password, "p");
}

TEST(ConfigTest, JetStreamForms) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("jetstream: enabled", &o).ok());
  EXPECT_TRUE(o.jetstream);
  ASSERT_TRUE(ApplyConfigText("jetstream: false", &o).ok());
  EXPECT_FALSE(o.jetstream);
  ASSERT_TRUE(ApplyConfigText("jetstream {}", &o).ok());
  EXPECT_TRUE(o.jetstream);
}

TEST(ConfigTest, ProcessSettings) {
  ServerOptions o;
  ASSERT_TRUE(
      ApplyConfigText("pid_file: \"/run/n.pid\"\nlog_file: /var/log/n.log\nlogtime: false", &o)
          .ok());
  EXPECT_EQ(o.pid_file, "/run/n.pid");
  EXPECT_EQ(o.log_file, "/var/log/n.log");
  EXPECT_FALSE(o.logtime);
  ASSERT_TRUE(ApplyConfigText("pidfile: a.pid\nlogfile: a.log", &o).ok());
  EXPECT_EQ(o.pid_file, "a.pid");
  EXPECT_EQ(o.log_file, "a.log");
}

TEST(ConfigTest, MonitoringForms) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("http_port: 8222", &o).ok());
  EXPECT_EQ(o.http_port, 8222);
  ASSERT_TRUE(ApplyConfigText("monitor_port: 8333", &o).ok());
  EXPECT_EQ(o.http_port, 8333);
  ASSERT_TRUE(ApplyConfigText("http: \"127.0.0.1:8444\"", &o).ok());
  EXPECT_EQ(o.http_host, "127.0.0.1");
  EXPECT_EQ(o.http_port, 8444);
  ASSERT_TRUE(ApplyConfigText("http: 8555", &o).ok());
  EXPECT_EQ(o.http_port, 8555);
  EXPECT_EQ(o.http_host, "127.0.0.1");
  EXPECT_EQ(o.port, 4222) << "http must not touch the client port";
  ASSERT_TRUE(ApplyConfigText("https_port: 8666", &o).ok());
  EXPECT_EQ(o.https_port, 8666);
  ASSERT_TRUE(ApplyConfigText("https: \"127.0.0.2:8777\"", &o).ok());
  EXPECT_EQ(o.http_host, "127.0.0.2");
  EXPECT_EQ(o.https_port, 8777);
}

TEST(ConfigTest, ClearErrors) {
  ServerOptions o;
  auto error = [&](const char* text) {
    absl::Status s = ApplyConfigText(text, &o);
    EXPECT_FALSE(s.ok()) << text;
    return std::string(s.message());
  };
  EXPECT_EQ(error("port: 1\nfoo: 2"), "config line 2: unsupported key 'foo'");
  EXPECT_EQ(error("port: abc"), "config line 1: 'port' must be a non-negative integer");
  EXPECT_EQ(error("max_payload: lots"), "config line 1: 'max_payload' must be a non-negative number");
  EXPECT_EQ(error("authorization {\n users = [ {password: x} ]\n}"),
            "config line 2: 'users' entry has no user");
  EXPECT_EQ(error("authorization {"), "config line 1: missing '}'");
  EXPECT_EQ(error("server_name: \"abc"), "config line 1: unterminated string");
  EXPECT_EQ(error("authorization { users: [ {user: a, permissions: {publish: {maybe: x}}} ] }"),
            "config line 1: unsupported key 'maybe' in publish");
  EXPECT_EQ(error("ping_interval: soon"),
            "config line 1: 'ping_interval' must be a duration like \"2m\" or a number of seconds");
}

TEST(ConfigTest, TlsBlock) {
  ServerOptions o;
  absl::Status s = ApplyConfigText(R"(
tls {
  cert_file: "/certs/server.pem"
  key_file: "/certs/server-key.pem"
  ca_file: "/certs/ca.pem"
  verify: true
  timeout: 0.5
  min_version: "1.3"
}
)",
                                   &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(o.tls.enabled);
  EXPECT_EQ(o.tls.cert_file, "/certs/server.pem");
  EXPECT_EQ(o.tls.key_file, "/certs/server-key.pem");
  EXPECT_EQ(o.tls.ca_file, "/certs/ca.pem");
  EXPECT_TRUE(o.tls.verify);
  EXPECT_EQ(o.tls.timeout, absl::Milliseconds(500));
  EXPECT_EQ(o.tls.min_version, "1.3");
  EXPECT_FALSE(o.tls.handshake_first);

  ServerOptions defaults;
  ASSERT_TRUE(ApplyConfigText("tls { cert_file: c, key_file: k }", &defaults).ok());
  EXPECT_TRUE(defaults.tls.enabled);
  EXPECT_FALSE(defaults.tls.verify);
  EXPECT_EQ(defaults.tls.timeout, absl::Seconds(2));
  EXPECT_EQ(defaults.tls.min_version, "1.2");

  ServerOptions first;
  ASSERT_TRUE(
      ApplyConfigText("tls { cert_file: c, key_file: k, handshake_first: true }", &first).ok());
  EXPECT_TRUE(first.tls.handshake_first);
}

TEST(ConfigTest, TlsErrors) {
  ServerOptions o;
  auto error = [&](const char* text) {
    absl::Status s = ApplyConfigText(text, &o);
    EXPECT_FALSE(s.ok()) << text;
    return std::string(s.message());
  };
  EXPECT_EQ(error("tls { key_file: k }"), "config line 1: 'tls' needs cert_file");
  EXPECT_EQ(error("tls { cert_file: c }"), "config line 1: 'tls' needs key_file");
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, verify_and_map: true }"),
            "config line 1: 'verify_and_map' is not supported (users are not mapped from client "
            "certificates); use verify");
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, min_version: \"1.1\" }"),
            "config line 1: 'min_version' must be \"1.2\" or \"1.3\"");
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, cipher_suites: [x] }"),
            "config line 1: unsupported key 'cipher_suites' in tls");
  EXPECT_FALSE(o.tls.enabled);
  EXPECT_TRUE(ApplyConfigText("tls { cert_file: c, key_file: k, verify_and_map: false }", &o).ok());
}

TEST(ConfigTest, MissingFile) {
  ServerOptions o;
  EXPECT_EQ(ApplyConfigFile("/nonexistent/x.conf", &o).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace jsengine::gateway::core

namespace jsengine::gateway::core {
namespace {

TEST(ConfigTest, JetStreamDomain) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("jetstream { domain: HUB }", &o).ok());
  EXPECT_TRUE(o.jetstream);
  EXPECT_EQ(o.jetstream_domain, "HUB");
  for (const char* bad : {"jetstream { domain: \"a.b\" }", "jetstream { domain: \"a b\" }",
                          "jetstream { domain: \"*\" }"}) {
    ServerOptions b;
    EXPECT_FALSE(ApplyConfigText(bad, &b).ok()) << bad;
  }
}

TEST(ConfigTest, SizeSuffixesAsNatsServer) {
  for (const auto& [text, want] : std::vector<std::pair<std::string, int64_t>>{{"1k", 1000},
                                                                               {"1K", 1000},
                                                                               {"1KB", 1024},
                                                                               {"1Ki", 1024},
                                                                               {"1M", 1000000},
                                                                               {"1MB", 1048576},
                                                                               {"1MiB", 1048576},
                                                                               {"2G", 2000000000},
                                                                               {"1GB", 1073741824},
                                                                               {"5", 5}}) {
    ServerOptions o;
    absl::Status s = ApplyConfigText("max_payload: " + text, &o);
    ASSERT_TRUE(s.ok()) << text << ": " << s;
    EXPECT_EQ(o.max_payload, want) << text;
  }
}

}  // namespace
}  // namespace jsengine::gateway::core
