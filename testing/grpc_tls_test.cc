// The three-process deployment with every gRPC link over mutual TLS
// (--grpc_tls_cert/--grpc_tls_key/--grpc_tls_ca on storesvc, consumersvc and
// the gateway): the official NATS C client publishes and consumes through
// it, the admin CLI reaches the services with a client certificate, and gRPC
// clients without a certificate the CA issued are refused while the others
// keep being served. Bad TLS files stop a service at startup, saying which.
// Certificates are made at run time (testing/util/test_certs.h).
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/tls_credentials.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/harness.h"
#include "testing/harness/jetstream_client.h"
#include "testing/harness/topology.h"
#include "testing/util/temp_dir.h"
#include "testing/util/test_certs.h"
#include "tools/jsm/jsm_runner.h"

namespace jsengine::testing {
namespace {

using common::grpc::GrpcCredentials;
using common::grpc::GrpcTlsFiles;

class GrpcTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ok_ = util::MakeTestCerts(&certs_); }

  void SetUp() override { ASSERT_TRUE(certs_ok_) << "openssl failed in " << certs_.dir; }

  static GrpcCredentials Credentials(const GrpcTlsFiles& files) {
    absl::StatusOr<GrpcCredentials> credentials = GrpcCredentials::Load(files);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return credentials.ok() ? *credentials : GrpcCredentials();
  }

  static GrpcTlsFiles ServiceFiles() { return {certs_.service, certs_.service_key, certs_.ca}; }

  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static inline util::TestCerts certs_;
  static inline bool certs_ok_ = false;
};

TEST_F(GrpcTlsTest, SeparateServicesOverMutualTls) {
  auto engine = harness::Topology::StartWithGrpcTls(harness::Topology::kSeparate, ServiceFiles());
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_NE(ReadAll((*engine)->gateway()->log_path()).find("(mutual TLS)"), std::string::npos);

  harness::JetStreamClient client;
  ASSERT_TRUE(client.Connect((*engine)->nats_url()).ok());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {"orders.>"};
  config.Name = "ORDERS";
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  jsErrCode error;
  ASSERT_EQ(js_AddStream(nullptr, client.js(), &config, nullptr, &error), NATS_OK) << error;
  for (int i = 1; i <= 5; ++i) {
    const std::string data = absl::StrCat("order-", i);
    jsPubAck* ack = nullptr;
    ASSERT_EQ(js_Publish(&ack, client.js(), "orders.new", data.data(),
                         static_cast<int>(data.size()), nullptr, &error),
              NATS_OK)
        << error;
    EXPECT_EQ(ack->Sequence, static_cast<uint64_t>(i));
    jsPubAck_Destroy(ack);
  }

  natsSubscription* sub = nullptr;
  ASSERT_EQ(js_PullSubscribe(&sub, client.js(), "orders.>", "worker", nullptr, nullptr, &error),
            NATS_OK)
      << error;
  std::vector<std::string> got;
  while (got.size() < 5) {
    natsMsgList list{};
    ASSERT_EQ(natsSubscription_Fetch(&list, sub, 5, 10000, &error), NATS_OK) << error;
    for (int i = 0; i < list.Count; ++i) {
      got.emplace_back(natsMsg_GetData(list.Msgs[i]), natsMsg_GetDataLength(list.Msgs[i]));
      EXPECT_EQ(natsMsg_AckSync(list.Msgs[i], nullptr, &error), NATS_OK) << error;
    }
    natsMsgList_Destroy(&list);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"order-1", "order-2", "order-3", "order-4", "order-5"}));
  natsSubscription_Destroy(sub);

  const GrpcCredentials client_cert = Credentials({certs_.client, certs_.client_key, certs_.ca});
  const GrpcCredentials stranger = Credentials({certs_.stranger, certs_.stranger_key, certs_.ca});
  const GrpcCredentials no_cert = Credentials({"", "", certs_.ca});
  for (const std::string& address : {(*engine)->store_address(), (*engine)->consumer_address()}) {
    SCOPED_TRACE(address);
    EXPECT_EQ(harness::CheckGrpcHealth(address, GrpcCredentials()).code(),
              absl::StatusCode::kUnavailable);
    EXPECT_EQ(harness::CheckGrpcHealth(address, no_cert).code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(harness::CheckGrpcHealth(address, stranger).code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(harness::CheckGrpcHealth(address, client_cert).ok());
  }

  // The admin CLI, with and without a client certificate.
  const std::string jsm = harness::RunfilePath("tools/jsm/jsm");
  const std::vector<std::string> where = {"--store",    (*engine)->store_address(),
                                          "--consumer", (*engine)->consumer_address(),
                                          "--timeout",  "5s"};
  std::vector<std::string> with_cert = where;
  with_cert.insert(with_cert.end(), {"--grpc-tls-ca", certs_.ca, "--grpc-tls-cert", certs_.client,
                                     "--grpc-tls-key", certs_.client_key, "info", "ORDERS"});
  absl::StatusOr<tools::jsm::JsmResult> info = tools::jsm::RunJsm(jsm, with_cert);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->exit_code, 0) << info->err;
  EXPECT_NE(info->out.find("ORDERS"), std::string::npos) << info->out;
  std::vector<std::string> plaintext = where;
  plaintext.insert(plaintext.end(), {"info", "ORDERS"});
  absl::StatusOr<tools::jsm::JsmResult> refused = tools::jsm::RunJsm(jsm, plaintext);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_NE(refused->exit_code, 0) << refused->out;

  // The refusals left the data plane serving.
  jsPubAck* ack = nullptr;
  ASSERT_EQ(js_Publish(&ack, client.js(), "orders.new", "order-6", 7, nullptr, &error), NATS_OK)
      << error;
  EXPECT_EQ(ack->Sequence, 6u);
  jsPubAck_Destroy(ack);
}

TEST_F(GrpcTlsTest, EmbeddedGatewayServesAdminOverMutualTls) {
  auto engine = harness::Topology::StartWithGrpcTls(harness::Topology::kEmbedded, ServiceFiles());
  ASSERT_TRUE(engine.ok()) << engine.status();
  const std::string& address = (*engine)->store_address();
  EXPECT_EQ(harness::CheckGrpcHealth(address, GrpcCredentials()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(
      harness::CheckGrpcHealth(address, Credentials({certs_.client, certs_.client_key, certs_.ca}))
          .ok());
}

TEST_F(GrpcTlsTest, GatewayWithACertificateFromAnotherCaIsRefused) {
  // storesvc and consumersvc trust `ca`; this gateway's certificate comes from
  // another CA, so the services refuse it and it cannot start.
  auto engine = harness::Topology::StartWithGrpcTls(harness::Topology::kSeparate, ServiceFiles());
  ASSERT_TRUE(engine.ok()) << engine.status();
  const std::string ports_dir = util::MakeTempDir("ports-");
  auto gateway = harness::Process::Start(
      harness::RunfilePath("gateway/gateway"),
      {"-a", "127.0.0.1", "-p", "-1", "-js", "--store=" + (*engine)->store_address(),
       "--consumer=" + (*engine)->consumer_address(), "--grpc_tls_cert=" + certs_.stranger,
       "--grpc_tls_key=" + certs_.stranger_key, "--grpc_tls_ca=" + certs_.ca, "--ports_file_dir",
       ports_dir});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  EXPECT_FALSE((*gateway)->WaitForPortsFile(ports_dir, absl::Seconds(60)).ok());
  const int status = (*gateway)->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
  EXPECT_NE(ReadAll((*gateway)->log_path()).find("cannot start: UNAVAILABLE"), std::string::npos)
      << ReadAll((*gateway)->log_path());

  // The services still serve the gateway that has a good certificate.
  harness::JetStreamClient good;
  ASSERT_TRUE(good.Connect((*engine)->nats_url()).ok());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = "SERVED";
  jsErrCode error;
  EXPECT_EQ(js_AddStream(nullptr, good.js(), &config, nullptr, &error), NATS_OK) << error;
}

TEST_F(GrpcTlsTest, BadFilesStopAServiceAtStartup) {
  struct Case {
    std::string name;
    GrpcTlsFiles files;
    std::string says;
  };
  const std::string missing = certs_.dir + "/missing.pem";
  const std::vector<Case> cases = {
      {"missing", {missing, certs_.service_key, certs_.ca}, missing},
      {"mismatched", {certs_.service, certs_.client_key, certs_.ca}, "does not match"},
      {"no key", {certs_.service, "", certs_.ca}, "--grpc_tls_key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string ports_dir = util::MakeTempDir("ports-");
    auto store = harness::Process::Start(
        harness::RunfilePath("storesvc/storesvc"),
        {"--listen=127.0.0.1:0", "--data_dir=" + util::MakeTempDir("data-"),
         "--grpc_tls_cert=" + c.files.cert_file, "--grpc_tls_key=" + c.files.key_file,
         "--grpc_tls_ca=" + c.files.ca_file, "--ports_file_dir", ports_dir});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_FALSE((*store)->WaitForPortsFile(ports_dir, absl::Seconds(60)).ok());
    const int status = (*store)->Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
    EXPECT_NE(ReadAll((*store)->log_path()).find(c.says), std::string::npos)
        << ReadAll((*store)->log_path());

    const std::string gateway_ports = util::MakeTempDir("ports-");
    auto gateway = harness::Process::Start(
        harness::RunfilePath("gateway/gateway"),
        {"-a", "127.0.0.1", "-p", "-1", "-js", "-sd", util::MakeTempDir("data-"),
         "--grpc_listen=127.0.0.1:0", "--grpc_tls_cert=" + c.files.cert_file,
         "--grpc_tls_key=" + c.files.key_file, "--grpc_tls_ca=" + c.files.ca_file,
         "--ports_file_dir", gateway_ports});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    EXPECT_FALSE((*gateway)->WaitForPortsFile(gateway_ports, absl::Seconds(60)).ok());
    (*gateway)->Stop(SIGTERM);
    EXPECT_NE(ReadAll((*gateway)->log_path()).find(c.says), std::string::npos)
        << ReadAll((*gateway)->log_path());
  }
}

}  // namespace
}  // namespace jsengine::testing
