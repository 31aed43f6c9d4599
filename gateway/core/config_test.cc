#include "gateway/core/config.h"

#include <cstdio>
#include <filesystem>
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
  EXPECT_EQ(o.port, 0);  // any free port, as -p -1
  ASSERT_TRUE(ApplyConfigText("http: \"127.0.0.1:-1\"", &o).ok());
  EXPECT_EQ(o.http_port, kRandomPort);
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
  EXPECT_TRUE(ApplyConfigText("jetstream { limits { max_ha_assets: 1 } }", &o).ok());
  EXPECT_FALSE(ApplyConfigText("jetstream { limits { max_bogus: 1 } }", &o).ok());
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
  EXPECT_EQ(error("port: abc"), "config line 1: 'port' must be a port number or -1");
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
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, min_version: \"1.1\" }"),
            "config line 1: 'min_version' must be \"1.2\" or \"1.3\"");
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, curve_preferences: [CurveP256, P999] }"),
            "config line 1: 'curve_preferences' unrecognized curve preference P999");
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, pinned_certs: [abc] }"),
            "config line 1: 'pinned_certs' entry abc does not look like lower case hex-encoded "
            "sha256 of DER encoded SubjectPublicKeyInfo");
  EXPECT_EQ(error("tls { cert_file: c, key_file: k, verify_cert_and_check_known_urls: true }"),
            "config line 1: 'verify_cert_and_check_known_urls' is not supported (it checks "
            "certificates against cluster, gateway and leafnode URLs, which a single node has "
            "none of)");
  EXPECT_FALSE(o.tls.enabled);
  EXPECT_TRUE(ApplyConfigText("tls { cert_file: c, key_file: k, verify_and_map: false }", &o).ok());
}

TEST(ConfigTest, TlsKeysOfNatsServer) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(tls {
    cert_file: c, key_file: k
    cipher_suites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
    curve_preferences: [X25519, CurveP384]
    pinned_certs: ["A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"]
    insecure: true
    verify_and_map: true
  })",
                              &o)
                  .ok());
  EXPECT_EQ(o.tls.cipher_suites, std::vector<std::string>{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
  EXPECT_EQ(o.tls.curves, (std::vector<std::string>{"X25519", "P-384"}));
  EXPECT_TRUE(o.tls.verify_and_map);
  EXPECT_TRUE(o.tls.verify);
  EXPECT_EQ(
      o.tls.pinned_certs,
      std::vector<std::string>{"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"});
}

TEST(ConfigTest, ProfPort) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("prof_port: 6543", &o).ok());
  EXPECT_EQ(o.prof_port, 6543);
  ASSERT_TRUE(ApplyConfigText("prof_port: -1", &o).ok());
  EXPECT_EQ(o.prof_port, kRandomPort);
  EXPECT_EQ(ApplyConfigText("prof_port: 70000", &o).message(),
            "config line 1: 'prof_port' must be a port number or -1");
  EXPECT_EQ(ApplyConfigText("prof_block_rate: 1", &o).message(),
            "config line 1: 'prof_block_rate' is not supported (Go's blocking profile has no "
            "counterpart in a C++ process)");
}

TEST(ConfigTest, CipherSuitesTakeNatsServerNames) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(tls {
    cert_file: c, key_file: k
    cipher_suites: ["TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"]
  })",
                              &o)
                  .ok());
  EXPECT_EQ(o.tls.cipher_suites,
            (std::vector<std::string>{"TLS_RSA_WITH_RC4_128_SHA",
                                      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"}));
  ServerOptions p;
  EXPECT_EQ(ApplyConfigText(R"(tls {
    cert_file: c, key_file: k
    cipher_suites: [
      "TLS_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_AES_128_GCM_SHA256"
    ]
  })",
                            &p)
                .message(),
            "config line 5: unrecognized cipher TLS_RSA_WITH_AES_128_GCM_SHA256");
}

TEST(ConfigTest, NatsServerSettings) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
    max_subscriptions: 10
    no_header_support: true
    write_deadline: "5s"
    max_traced_msg_len: 256
    connect_error_reports: 10
    reconnect_error_reports: 5
    disable_sublist_cache: true
    max_closed_clients: 500
    server_tags: ["region:east", "ssd"]
    jetstream { sync_interval: "30s", max_memory_store: 1GB, max_file_store: 2G,
                unique_tag: az, max_outstanding_catchup: 64MB,
                limits { max_ack_pending: 100, duplicate_window: "1m" } }
  )",
                              &o)
                  .ok());
  EXPECT_EQ(o.max_subscriptions, 10);
  EXPECT_TRUE(o.no_header_support);
  EXPECT_EQ(o.jetstream_sync, "30s");
  EXPECT_EQ(o.compatibility.write_deadline, absl::Seconds(5));
  EXPECT_EQ(o.compatibility.server_tags, (std::vector<std::string>{"region:east", "ssd"}));
  EXPECT_EQ(o.jetstream_max_memory, 1024LL * 1024 * 1024);
  EXPECT_EQ(o.jetstream_max_store, 2000LL * 1000 * 1000);
  EXPECT_TRUE(ApplyConfigText("jetstream { sync: always }", &o).ok());
  EXPECT_EQ(o.jetstream_sync, "always");
}

TEST(ConfigTest, RefusesWhatItDoesNotImplementByName) {
  const std::pair<const char*, const char*> cases[] = {
      {"\nleafnodes { remotes [ { url: \"nats://h:1\", credentials: \"x.creds\" } ] }",
       "config line 2: 'credentials' is not supported"},
      {"tls { cert_file: c, key_file: k,\n verify_cert_and_check_known_urls: true }",
       "config line 2: 'verify_cert_and_check_known_urls' is not supported"},
      {"websocket { port: 8080 }", "config line 1: 'websocket' is not supported"},
      {"mqtt { port: 1883 }", "config line 1: 'mqtt' is not supported"},
      {"resolver_tls { ca_file: x }", "config line 1: 'resolver_tls' is not supported"},
      {"jetstream { key: s3cr3t }",
       "config line 1: 'key' is not supported (JetStream encryption at rest is not supported)"},
      {"jetstream { cipher: aes }", "config line 1: 'cipher' is not supported"},
  };
  for (const auto& [text, error] : cases) {
    ServerOptions o;
    absl::Status s = ApplyConfigText(text, &o);
    EXPECT_NE(s.message().find(error), std::string::npos) << text << " => " << s;
  }
}

TEST(ConfigTest, Variables) {
  ServerOptions o;
  setenv("JSENGINE_CONFIG_TEST_NAME", "from_env", 1);
  ASSERT_TRUE(ApplyConfigText(R"(
    PORT_VAR = 4333
    port: $PORT_VAR
    server_name: $JSENGINE_CONFIG_TEST_NAME
    LIMIT: 5
    authorization { timeout: $LIMIT, user: a, password: $2a$11$abc }
  )",
                              &o)
                  .ok());
  EXPECT_EQ(o.port, 4333);
  EXPECT_EQ(o.server_name, "from_env");
  EXPECT_EQ(o.password, "$2a$11$abc");
  EXPECT_EQ(o.auth_timeout, absl::Seconds(5));
  // A block's variables are not unknown keys there.
  ServerOptions p;
  ASSERT_TRUE(ApplyConfigText(R"(authorization {
    ADMIN = {publish: ">", subscribe: ">"}
    users = [{user: root, password: pw, permissions: $ADMIN}]
  })",
                              &p)
                  .ok());
  EXPECT_EQ(p.users[0].permissions.publish.allow, std::vector<std::string>{">"});
  EXPECT_FALSE(ApplyConfigText("authorization { UNUSED = 1 }", &p).ok());
  // Keys are case-insensitive.
  ServerOptions q;
  ASSERT_TRUE(ApplyConfigText("Max_Payload: 2KB\nAUTHORIZATION { TIMEOUT: 3 }", &q).ok());
  EXPECT_EQ(q.max_payload, 2048);
  EXPECT_EQ(q.auth_timeout, absl::Seconds(3));
  absl::Status s = ApplyConfigText("\nport: $NO_SUCH_VARIABLE_XYZ", &o);
  EXPECT_NE(s.message().find("config line 2: variable reference for 'NO_SUCH_VARIABLE_XYZ'"),
            std::string::npos)
      << s;
}

TEST(ConfigTest, MinusOneIsAnyFreePort) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText("listen: 127.0.0.1:-1\nhttp: -1\n", &o).ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.http_port, kRandomPort);
  ServerOptions p;
  ASSERT_TRUE(ApplyConfigText("port: -1\nhttps: \":-1\"\n", &p).ok());
  EXPECT_EQ(p.port, 0);
  EXPECT_EQ(p.https_port, kRandomPort);
  EXPECT_FALSE(ApplyConfigText("port: -2", &p).ok());
  EXPECT_FALSE(ApplyConfigText("listen: \"h:-2\"", &p).ok());
}

TEST(ConfigTest, Include) {
  const std::string dir = ::testing::TempDir() + "/include_test";
  std::filesystem::create_directories(dir + "/sub");
  std::ofstream(dir + "/main.conf") << "NAME = main\nport: 4333\ninclude sub/auth.conf\n"
                                    << "accounts {\n  include 'sub/accounts.conf'\n}\n";
  std::ofstream(dir + "/sub/auth.conf") << "server_name: $NAME\ninclude more.conf\n";
  std::ofstream(dir + "/sub/more.conf") << "max_payload: 2KB\n";
  std::ofstream(dir + "/sub/accounts.conf") << "A: { users: [{user: a, password: pa}] }\n";
  ServerOptions o;
  absl::Status s = ApplyConfigFile(dir + "/main.conf", &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.port, 4333);
  EXPECT_EQ(o.server_name, "main");
  EXPECT_EQ(o.max_payload, 2048);
  ASSERT_EQ(o.accounts.size(), 1u);
  EXPECT_EQ(o.users[0].account, "A");

  std::ofstream(dir + "/bad.conf") << "include nowhere.conf\n";
  s = ApplyConfigFile(dir + "/bad.conf", &o);
  EXPECT_NE(s.message().find("config line 1: error parsing include file 'nowhere.conf'"),
            std::string::npos)
      << s;
  std::ofstream(dir + "/loop.conf") << "include loop.conf\n";
  EXPECT_FALSE(ApplyConfigFile(dir + "/loop.conf", &o).ok());
  std::ofstream(dir + "/sub/broken.conf") << "port: 1\nmax_payload: {\n";
  std::ofstream(dir + "/broken_main.conf") << "include sub/broken.conf\n";
  s = ApplyConfigFile(dir + "/broken_main.conf", &o);
  EXPECT_NE(s.message().find("sub/broken.conf: config line"), std::string::npos) << s;
}

TEST(ConfigTest, Mappings) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(mappings {
    "a.*": "b.$1"
    canary: [{destination: c.new, weight: 10%}, {destination: c.old, weight: 90}]
  })",
                              &o)
                  .ok());
  ASSERT_EQ(o.mappings.size(), 2u);
  EXPECT_EQ(o.mappings[0].source, "a.*");
  EXPECT_EQ(o.mappings[0].destinations[0].subject, "b.$1");
  EXPECT_EQ(o.mappings[1].destinations[1].weight, 90);
  const std::pair<const char*, const char*> errors[] = {
      {"mappings { a: [{destination: b}] }", "Missing weight for mapping destination \"b\""},
      {"mappings { a: [{destination: b, weight: 101}] }", "Invalid weight 101"},
      {"mappings { a: [{destination: b, weight: 60}, {destination: c, weight: 50}] }",
       "total weight needs to be <= 100"},
      {"mappings { a: [{destination: b, weight: 10, color: red}] }", "Unknown field \"color\""},
      {"mappings { \"a.*\": \"b.$2\" }", "Error adding mapping for \"a.*\""},
  };
  for (const auto& [text, error] : errors) {
    ServerOptions bad;
    absl::Status s = ApplyConfigText(text, &bad);
    EXPECT_NE(s.message().find(error), std::string::npos) << text << " => " << s;
  }
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
