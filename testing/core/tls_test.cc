// TLS on the client port, run the same way against the gateway binary and
// the reference nats-server: INFO in plaintext with tls_required (and
// tls_verify), libnats over TLS, client certificates with --tlsverify (and
// on /connz?auth=1 as tls_peer_certs), plaintext clients and clients that
// never handshake closed.
//
// The CA, server and client certificates are made at run time
// (testing/util/test_certs.h).
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/core/tls_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"
#include "testing/util/test_certs.h"

namespace jsengine::testing::core {
namespace {

using Certs = util::TestCerts;

bool RunQuietly(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// What a client that starts TLS at once (nats-server 2.10's handshake_first)
// reads: the first line, then the reply to CONNECT and PING. Empty when the
// handshake fails.
std::string TlsFirstExchange(int port, const std::string& ca) {
  TlsClient tls(port, ca);
  if (!tls.connected()) return "";
  tls.ReadUntil("\r\n");
  if (tls.Write("CONNECT {\"verbose\":false}\r\nPING\r\n")) tls.ReadUntil("PONG\r\n");
  return tls.got();
}

// The answer to an HTTPS GET of `path` on 127.0.0.1:`port`, the server
// checked against `ca`, compacted (no blanks after ':'); empty when the
// handshake fails.
std::string HttpsGet(int port, const std::string& path, const std::string& ca) {
  TlsClient tls(port, ca);
  if (!tls.connected()) return "";
  if (tls.Write("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")) tls.ReadUntil("");
  return std::regex_replace(tls.got(), std::regex("\": +"), "\":");
}

// Whether a TLS 1.2 handshake, after the plaintext INFO, succeeds when the
// client offers only `ciphers` (OpenSSL names).
bool Tls12HandshakeOffering(int port, const std::string& ca, const char* ciphers) {
  RawClient raw(port);
  if (!raw.ReadUntil("\r\n")) return false;
  timeval timeout{5, 0};
  setsockopt(raw.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_set_cipher_list(ctx, ciphers), 1) << ciphers;
  SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, raw.fd());
  const bool ok = SSL_connect(ssl) == 1;
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return ok;
}

// Lower case hex SHA-256 of what `command` prints; empty on failure.
std::string Sha256Of(const std::string& command) {
  FILE* out = popen(command.c_str(), "r");
  if (out == nullptr) return "";
  char buf[128] = {};
  const size_t n = fread(buf, 1, sizeof(buf) - 1, out);
  pclose(out);
  const std::string line(buf, n);
  return line.size() >= 64 ? line.substr(0, 64) : "";
}

// Of the DER SubjectPublicKeyInfo of the certificate in `pem` (what
// pinned_certs lists).
std::string SpkiSha256(const std::string& pem) {
  return Sha256Of(absl::StrCat("openssl x509 -in ", pem,
                               " -pubkey -noout | openssl pkey -pubin -outform der | sha256sum"));
}

// Of the DER certificate in `pem`.
std::string CertSha256(const std::string& pem) {
  return Sha256Of(absl::StrCat("openssl x509 -in ", pem, " -outform der | sha256sum"));
}

struct Conn {
  natsConnection* nc = nullptr;
  ~Conn() {
    if (nc != nullptr) natsConnection_Destroy(nc);
  }
};

class TlsTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() { certs_ok_ = util::MakeTestCerts(&certs_); }

  void SetUp() override {
    ASSERT_TRUE(certs_ok_) << "openssl could not make the certificates in " << certs_.dir;
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
  }

  // Starts the server with `args` added; sets port_. Unless `tls_optional`,
  // the ports file must list a tls:// URL.
  void StartServer(std::vector<std::string> args, bool tls_optional = false) {
    auto ports = StartOnFreePort(binary_, args, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    if (!tls_optional) EXPECT_TRUE(absl::StartsWith(url, "tls://")) << url;
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
    if (!ports->monitoring.empty()) {
      monitoring_url_ = ports->monitoring.front();
      http_port_ = std::stoi(monitoring_url_.substr(monitoring_url_.rfind(':') + 1));
    }
  }

  // TLS 1.2 clients offering one of `accepted` (OpenSSL names) connect, one
  // offering `refused` does not, and libnats (TLS 1.3) publishes and receives.
  void ExpectTls12Suites(const std::vector<const char*>& accepted, const char* refused) {
    for (const char* suite : accepted) {
      EXPECT_TRUE(Tls12HandshakeOffering(port_, certs_.ca, suite)) << suite;
    }
    EXPECT_FALSE(Tls12HandshakeOffering(port_, certs_.ca, refused)) << refused;
    Conn c;
    ASSERT_EQ(Connect(&c, true), NATS_OK);
    ExpectPubSub(&c);
  }

  // A monitoring page (e.g. "/varz"), compacted: no blanks after ':'.
  std::string Monitoring(const std::string& path) {
    RawClient http(http_port_);
    EXPECT_TRUE(http.Send("GET " + path + " HTTP/1.0\r\n\r\n"));
    http.WaitClosed(5000);
    return std::regex_replace(http.buffer(), std::regex("\": +"), "\":");
  }

  std::vector<std::string> TlsFlags() const {
    return {"--tls", "--tlscert", certs_.server, "--tlskey", certs_.server_key};
  }
  std::vector<std::string> VerifyFlags() const {
    return {"--tlsverify",     "--tlscert",   certs_.server, "--tlskey",
            certs_.server_key, "--tlscacert", certs_.ca};
  }

  // libnats over TLS, verifying the server against the CA; with a client
  // certificate when `cert` is given.
  natsStatus Connect(Conn* c, bool secure, const std::string& cert = "",
                     const std::string& key = "") {
    natsOptions* opts = LocalClientOptions(port_);
    if (secure) {
      natsOptions_SetSecure(opts, true);
      EXPECT_EQ(natsOptions_LoadCATrustedCertificates(opts, certs_.ca.c_str()), NATS_OK);
      if (!cert.empty()) {
        EXPECT_EQ(natsOptions_LoadCertificatesChain(opts, cert.c_str(), key.c_str()), NATS_OK);
      }
    }
    natsStatus s = natsConnection_Connect(&c->nc, opts);
    natsOptions_Destroy(opts);
    return s;
  }

  // Subscribes, publishes and receives over `c`.
  static void ExpectPubSub(Conn* c) {
    natsSubscription* sub = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&sub, c->nc, "tls.>"), NATS_OK);
    ASSERT_EQ(natsConnection_Flush(c->nc), NATS_OK);
    // Bigger than one TLS record, to cross record boundaries both ways.
    const std::string big(100 * 1024, 'x');
    ASSERT_EQ(natsConnection_PublishString(c->nc, "tls.a", "hello"), NATS_OK);
    ASSERT_EQ(natsConnection_Publish(c->nc, "tls.b", big.data(), big.size()), NATS_OK);
    for (const std::string& want : {std::string("hello"), big}) {
      natsMsg* m = nullptr;
      ASSERT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK);
      EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), want);
      natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(sub);
  }

  // The INFO a raw TCP client gets before any TLS.
  std::string PlaintextInfo(RawClient* raw) {
    EXPECT_TRUE(raw->connected());
    EXPECT_TRUE(raw->ReadUntil("\r\n"));
    return raw->buffer();
  }

  // A fresh connection's plaintext INFO requires TLS, and a client
  // certificate exactly when `verify`.
  void ExpectTlsInfo(bool verify) {
    RawClient raw(port_);
    const std::string info = PlaintextInfo(&raw);
    EXPECT_TRUE(absl::StartsWith(info, "INFO {")) << info;
    EXPECT_TRUE(absl::StrContains(info, "\"tls_required\":true")) << info;
    EXPECT_EQ(absl::StrContains(info, "\"tls_verify\":true"), verify) << info;
  }

  static inline Certs certs_;
  static inline bool certs_ok_ = false;
  std::string binary_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
  int http_port_ = 0;
  std::string monitoring_url_;
};

TEST_P(TlsTest, InfoIsPlaintextAndSaysTlsIsRequired) {
  StartServer(TlsFlags());
  ExpectTlsInfo(false);
}

TEST_P(TlsTest, LibnatsPublishesAndSubscribesOverTls) {
  StartServer(TlsFlags());
  Conn c;
  ASSERT_EQ(Connect(&c, true), NATS_OK);
  ExpectPubSub(&c);
}

// TLS 1.2 needs ECDHE and an AEAD cipher, as with nats-server's default
// suites (nats.c's SSLCiphers expects a refusal for others).
TEST_P(TlsTest, Tls12AcceptsOnlyEcdheAeadCiphers) {
  StartServer(TlsFlags());
  EXPECT_FALSE(Tls12HandshakeOffering(port_, certs_.ca, "ECDHE-ECDSA-AES128-SHA"));
  EXPECT_FALSE(Tls12HandshakeOffering(port_, certs_.ca, "ECDHE-ECDSA-AES256-SHA384"));
  EXPECT_TRUE(Tls12HandshakeOffering(port_, certs_.ca, "ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_TRUE(Tls12HandshakeOffering(port_, certs_.ca, "ECDHE-ECDSA-CHACHA20-POLY1305"));
  EXPECT_TRUE(Tls12HandshakeOffering(port_, certs_.ca, "ECDHE-ECDSA-AES256-GCM-SHA384"));
}

TEST_P(TlsTest, PlaintextClientsAreRefused) {
  StartServer(TlsFlags());
  Conn c;
  EXPECT_NE(Connect(&c, false), NATS_OK) << "libnats itself refuses once INFO requires TLS";
  RawClient raw(port_);
  PlaintextInfo(&raw);
  raw.Clear();
  ASSERT_TRUE(raw.Send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  EXPECT_TRUE(raw.WaitClosed(5000)) << "a plaintext CONNECT fails the handshake";
  EXPECT_FALSE(absl::StrContains(raw.buffer(), "PONG")) << raw.buffer();
}

TEST_P(TlsTest, VerifyRequiresAClientCertificateFromTheCa) {
  StartServer(VerifyFlags());
  ExpectTlsInfo(true);

  Conn with_cert;
  ASSERT_EQ(Connect(&with_cert, true, certs_.client, certs_.client_key), NATS_OK);
  ExpectPubSub(&with_cert);

  Conn without_cert;
  EXPECT_NE(Connect(&without_cert, true), NATS_OK);
  Conn stranger;
  EXPECT_NE(Connect(&stranger, true, certs_.stranger, certs_.stranger_key), NATS_OK);
}

TEST_P(TlsTest, ConnzWithAuthShowsTheClientCertificate) {
  std::vector<std::string> args = VerifyFlags();
  args.insert(args.end(), {"-m", "-1"});
  StartServer(args);
  Conn with_cert;
  ASSERT_EQ(Connect(&with_cert, true, certs_.client, certs_.client_key), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(with_cert.nc), NATS_OK);

  auto connections = [&](const std::string& path) {
    const std::string page = Monitoring(path);
    const size_t body = page.find("\r\n\r\n");
    EXPECT_NE(body, std::string::npos) << page;
    const nlohmann::json connz =
        nlohmann::json::parse(page.substr(body == std::string::npos ? 0 : body), nullptr, false);
    EXPECT_TRUE(connz.is_object()) << page;
    return connz.is_object() ? connz.value("connections", nlohmann::json::array())
                             : nlohmann::json::array();
  };
  const nlohmann::json with_auth = connections("/connz?auth=1");
  ASSERT_EQ(with_auth.size(), 1u) << with_auth.dump();
  // Leaf first; libnats (OpenSSL) sends the CA's certificate too, from the
  // trust store it verifies the server with.
  auto described = [](const std::string& pem, const std::string& subject) {
    return nlohmann::json{
        {"subject", subject}, {"spki_sha256", SpkiSha256(pem)}, {"cert_sha256", CertSha256(pem)}};
  };
  const nlohmann::json expected =
      nlohmann::json::array({described(certs_.client, "CN=client"), described(certs_.ca, "CN=ca")});
  EXPECT_EQ(with_auth[0].value("tls_peer_certs", nlohmann::json()), expected) << with_auth.dump();
  const nlohmann::json without_auth = connections("/connz");
  ASSERT_EQ(without_auth.size(), 1u) << without_auth.dump();
  EXPECT_FALSE(without_auth[0].contains("tls_peer_certs")) << without_auth.dump();
}

TEST_P(TlsTest, ConfigBlockAndHandshakeTimeout) {
  const std::string conf = certs_.dir + "/tls-" + GetParam().name + ".conf";
  std::ofstream(conf) << "tls {\n  cert_file: \"" << certs_.server << "\"\n  key_file: \""
                      << certs_.server_key << "\"\n  timeout: 0.5\n}\n";
  StartServer({"-c", conf, "-m", "-1"});
  Conn c;
  ASSERT_EQ(Connect(&c, true), NATS_OK);
  ExpectPubSub(&c);
  const std::string varz = Monitoring("/varz");
  EXPECT_TRUE(absl::StrContains(varz, "\"tls_required\":true")) << varz;
  EXPECT_TRUE(absl::StrContains(varz, "\"tls_timeout\":0.5")) << varz;
  EXPECT_FALSE(absl::StrContains(varz, "tls_verify")) << varz;
  const std::string connz = Monitoring("/connz");
  EXPECT_TRUE(absl::StrContains(connz, "\"tls_version\":\"1.3\"")) << connz;
  EXPECT_TRUE(absl::StrContains(connz, "\"tls_cipher_suite\":\"TLS_")) << connz;

  RawClient idle(port_);
  PlaintextInfo(&idle);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.WaitClosed(5000)) << "a client that never handshakes is closed";
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LE(waited, std::chrono::milliseconds(3000));
}

// A config file with a tls block of the server certificate plus `extra`.
std::string TlsConfig(const Certs& certs, const std::string& name, const std::string& extra) {
  const std::string conf = certs.dir + "/" + name + ".conf";
  std::ofstream(conf) << "tls {\n  cert_file: \"" << certs.server << "\"\n  key_file: \""
                      << certs.server_key << "\"\n  ca_file: \"" << certs.ca << "\"\n"
                      << extra << "\n}\n";
  return conf;
}

TEST_P(TlsTest, CipherSuitesLimitTls12Suites) {
  StartServer({"-c", TlsConfig(certs_, absl::StrCat("ciphers-", GetParam().name),
                               "cipher_suites: [\"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\", "
                               "\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305\"]\n"
                               "curve_preferences: [\"CurveP256\", \"X25519\"]")});
  ExpectTls12Suites({"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"},
                    "ECDHE-ECDSA-AES128-GCM-SHA256");
}

// nats-server's own tls_ciphers.conf list: RC4 and 3DES names included,
// which nats-server (Go) still offers and the gateway (OpenSSL 3) leaves out
// with a warning. The suites both have are the ones TLS 1.2 clients get.
TEST_P(TlsTest, CipherSuitesWithNamesOpenSslLacks) {
  StartServer({"-c", TlsConfig(certs_, absl::StrCat("old-ciphers-", GetParam().name),
                               "cipher_suites: [\n"
                               "  \"TLS_RSA_WITH_RC4_128_SHA\",\n"
                               "  \"TLS_RSA_WITH_3DES_EDE_CBC_SHA\",\n"
                               "  \"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA\",\n"
                               "  \"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA\",\n"
                               "  \"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA\",\n"
                               "  \"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA\",\n"
                               "  \"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"\n"
                               "]")});
  ExpectTls12Suites({"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES128-GCM-SHA256"},
                    "ECDHE-ECDSA-AES256-GCM-SHA384");
}

TEST_P(TlsTest, PinnedCertsAcceptOnlyThoseKeys) {
  const std::string client_pin = SpkiSha256(certs_.client);
  const std::string server_pin = SpkiSha256(certs_.server);
  ASSERT_EQ(client_pin.size(), 64u);
  ASSERT_NE(client_pin, server_pin);
  StartServer(
      {"-c", TlsConfig(certs_, absl::StrCat("pinned-", GetParam().name),
                       absl::StrCat("verify: true\npinned_certs: [\"", client_pin, "\"]"))});
  Conn pinned;
  ASSERT_EQ(Connect(&pinned, true, certs_.client, certs_.client_key), NATS_OK);
  ExpectPubSub(&pinned);
  server_.reset();

  StartServer(
      {"-c", TlsConfig(certs_, absl::StrCat("not-pinned-", GetParam().name),
                       absl::StrCat("verify: true\npinned_certs: [\"", server_pin, "\"]"))});
  Conn other;
  EXPECT_NE(Connect(&other, true, certs_.client, certs_.client_key), NATS_OK);
}

// verify_and_map: the certificate's subject (here CN=client) names the user.
TEST_P(TlsTest, VerifyAndMapAuthenticatesByCertificate) {
  const std::string mapped = absl::StrCat(
      "verify_and_map: true\n}\nauthorization {\n  users = [\n",
      "    {user: \"CN=client\", permissions: {publish: \"tls.>\", subscribe: \"tls.>\"}}\n",
      "    {user: other, password: pw}\n  ]");
  StartServer({"-c", TlsConfig(certs_, absl::StrCat("map-", GetParam().name), mapped)});
  ExpectTlsInfo(true);
  Conn c;
  ASSERT_EQ(Connect(&c, true, certs_.client, certs_.client_key), NATS_OK);
  ExpectPubSub(&c);
  server_.reset();

  const std::string unmapped =
      absl::StrCat("verify_and_map: true\n}\nauthorization {\n  users = [{user: \"CN=somebody\"}]");
  StartServer({"-c", TlsConfig(certs_, absl::StrCat("unmapped-", GetParam().name), unmapped)});
  Conn refused;
  EXPECT_NE(Connect(&refused, true, certs_.client, certs_.client_key), NATS_OK);
}

TEST_P(TlsTest, HandshakeFirstSendsInfoOverTls) {
  if (std::string(GetParam().name) != "gateway") GTEST_SKIP() << "a nats-server 2.10 option";
  const std::string conf = certs_.dir + "/tls-first.conf";
  std::ofstream(conf) << "tls {\n  cert_file: \"" << certs_.server << "\"\n  key_file: \""
                      << certs_.server_key << "\"\n  handshake_first: true\n}\n";
  StartServer({"-c", conf});
  const std::string got = TlsFirstExchange(port_, certs_.ca);
  EXPECT_TRUE(absl::StartsWith(got, "INFO {")) << got;
  EXPECT_TRUE(absl::StrContains(got, "\"tls_required\":true")) << got;
  EXPECT_TRUE(absl::EndsWith(got, "PONG\r\n")) << got;

  RawClient plain(port_);
  EXPECT_FALSE(plain.ReadMore(300)) << "no plaintext INFO: " << plain.buffer();
}

TEST_P(TlsTest, AllowNonTlsLetsEachClientChoose) {
  const std::string conf = certs_.dir + "/mixed-" + GetParam().name + ".conf";
  std::ofstream(conf) << "tls {\n  cert_file: \"" << certs_.server << "\"\n  key_file: \""
                      << certs_.server_key << "\"\n}\nallow_non_tls: true\n";
  StartServer({"-c", conf}, /*tls_optional=*/true);
  RawClient raw(port_);
  const std::string info = PlaintextInfo(&raw);
  EXPECT_TRUE(absl::StrContains(info, "\"tls_available\":true")) << info;
  EXPECT_FALSE(absl::StrContains(info, "tls_required")) << info;
  raw.Clear();
  ASSERT_TRUE(raw.Send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  EXPECT_TRUE(raw.ReadUntil("PONG\r\n")) << raw.buffer();

  // A client that starts TLS after the plaintext INFO gets it. (libnats
  // 3.4.1 itself refuses a secure connection unless INFO says tls_required.)
  EXPECT_TRUE(Tls12HandshakeOffering(port_, certs_.ca, "ECDHE-ECDSA-AES128-GCM-SHA256"));
  Conn plain;
  ASSERT_EQ(Connect(&plain, false), NATS_OK);
  ExpectPubSub(&plain);
}

TEST_P(TlsTest, CheckConfigLoadsTheCertificates) {
  const std::string dir = certs_.dir + "/" + GetParam().name;
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::ofstream(dir + "/good.conf") << "tls { cert_file: \"" << certs_.server << "\", key_file: \""
                                    << certs_.server_key << "\" }\n";
  std::ofstream(dir + "/bad.conf") << "tls { cert_file: \"" << dir << "/missing.pem\", key_file: \""
                                   << certs_.server_key << "\" }\n";
  std::ofstream(dir + "/mismatch.conf") << "tls { cert_file: \"" << certs_.server
                                        << "\", key_file: \"" << certs_.client_key << "\" }\n";
  EXPECT_TRUE(RunQuietly(absl::StrCat(binary_, " -t -c ", dir, "/good.conf")));
  EXPECT_FALSE(RunQuietly(absl::StrCat(binary_, " -t -c ", dir, "/bad.conf")));
  EXPECT_FALSE(RunQuietly(absl::StrCat(binary_, " -t -c ", dir, "/mismatch.conf")));
}

TEST_P(TlsTest, HttpsMonitoringUsesTheServerCertificate) {
  std::vector<std::string> args = TlsFlags();
  args.insert(args.end(), {"-ms", "-1"});
  StartServer(args);
  EXPECT_TRUE(absl::StartsWith(monitoring_url_, "https://127.0.0.1:")) << monitoring_url_;
  const std::string varz = HttpsGet(http_port_, "/varz", certs_.ca);
  EXPECT_TRUE(absl::StartsWith(varz, "HTTP/1.")) << varz;
  EXPECT_TRUE(absl::StrContains(varz.substr(0, varz.find('\n')), " 200 OK")) << varz;
  // nats-server 2.9.10 reports the port asked for (-1 here), ours the bound one.
  EXPECT_TRUE(absl::StrContains(varz, absl::StrCat("\"https_port\":", http_port_)) ||
              absl::StrContains(varz, "\"https_port\":-1"))
      << varz;
  EXPECT_TRUE(absl::StrContains(varz, "\"http_port\":0")) << varz;
  EXPECT_EQ(HttpsGet(http_port_, "/varz", certs_.client), "") << "a CA that did not sign it";
  EXPECT_FALSE(absl::StrContains(Monitoring("/varz"), "200 OK")) << "plain HTTP is not served";
}

TEST_P(TlsTest, HttpsMonitoringNeedsACertificateAndNoHttpPort) {
  // `timeout`: a server that started anyway is stopped, and fails the test.
  EXPECT_FALSE(RunQuietly(absl::StrCat("timeout 20 ", binary_, " -a 127.0.0.1 -p -1 -ms -1")));
  EXPECT_FALSE(RunQuietly(absl::StrCat("timeout 20 ", binary_, " -a 127.0.0.1 -p -1 -m -1 -ms -1 ",
                                       absl::StrJoin(TlsFlags(), " "))));
}

INSTANTIATE_TEST_SUITE_P(Servers, TlsTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
