#include "common/grpc/tls_credentials.h"

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "common/grpc/grpc_server.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "proto/health.grpc.pb.h"
#include "testing/util/test_certs.h"

namespace jsengine::common::grpc {
namespace {

using testing::util::TestCerts;

class TlsCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ok_ = testing::util::MakeTestCerts(&certs_); }

  void SetUp() override { ASSERT_TRUE(certs_ok_) << "openssl failed in " << certs_.dir; }

  static GrpcCredentials MustLoad(const GrpcTlsFiles& files) {
    absl::StatusOr<GrpcCredentials> credentials = GrpcCredentials::Load(files);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return credentials.ok() ? *credentials : GrpcCredentials();
  }

  // The code of one health check of `port` over `credentials`.
  static ::grpc::StatusCode HealthCheck(int port, const GrpcCredentials& credentials) {
    auto channel =
        ::grpc::CreateChannel("127.0.0.1:" + std::to_string(port), credentials.ForChannel());
    auto stub = ::grpc::health::v1::Health::NewStub(channel);
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ::grpc::health::v1::HealthCheckRequest request;
    ::grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response).error_code();
  }

  static inline TestCerts certs_;
  static inline bool certs_ok_ = false;
};

TEST_F(TlsCredentialsTest, NoFilesMeansPlaintext) {
  GrpcCredentials credentials = MustLoad({});
  EXPECT_FALSE(credentials.tls());
  EXPECT_EQ(credentials.Describe(), "plaintext");
  auto server = GrpcServer::Start("127.0.0.1:0", {}, credentials);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(HealthCheck((*server)->port(), credentials), ::grpc::StatusCode::OK);
}

TEST_F(TlsCredentialsTest, DescribesWhatItSecures) {
  EXPECT_EQ(MustLoad({certs_.service, certs_.service_key, ""}).Describe(), "TLS");
  GrpcCredentials mutual = MustLoad({certs_.service, certs_.service_key, certs_.ca});
  EXPECT_EQ(mutual.Describe(), "mutual TLS");
  EXPECT_TRUE(mutual.verifies_clients());
  EXPECT_FALSE(MustLoad({"", "", certs_.ca}).verifies_clients());
}

TEST_F(TlsCredentialsTest, UnreadableFileIsNamed) {
  const std::string missing = certs_.dir + "/missing.pem";
  for (const GrpcTlsFiles& files :
       {GrpcTlsFiles{missing, certs_.service_key, ""}, GrpcTlsFiles{certs_.service, missing, ""},
        GrpcTlsFiles{certs_.service, certs_.service_key, missing}}) {
    absl::StatusOr<GrpcCredentials> loaded = GrpcCredentials::Load(files);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(loaded.status().message().find(missing), absl::string_view::npos) << loaded.status();
  }
}

TEST_F(TlsCredentialsTest, NotPemIsNamed) {
  const std::string junk = certs_.dir + "/junk.pem";
  std::ofstream(junk) << "not a certificate\n";
  for (const GrpcTlsFiles& files :
       {GrpcTlsFiles{junk, certs_.service_key, ""}, GrpcTlsFiles{certs_.service, junk, ""},
        GrpcTlsFiles{"", "", junk}}) {
    absl::StatusOr<GrpcCredentials> loaded = GrpcCredentials::Load(files);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.status().message().find(junk), absl::string_view::npos) << loaded.status();
  }
}

TEST_F(TlsCredentialsTest, KeyOfAnotherCertificateIsRefused) {
  absl::StatusOr<GrpcCredentials> loaded =
      GrpcCredentials::Load({certs_.service, certs_.client_key, certs_.ca});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("does not match"), absl::string_view::npos)
      << loaded.status();
}

TEST_F(TlsCredentialsTest, CertificateNeedsItsKey) {
  EXPECT_FALSE(GrpcCredentials::Load({certs_.service, "", certs_.ca}).ok());
  EXPECT_FALSE(GrpcCredentials::Load({"", certs_.service_key, certs_.ca}).ok());
}

TEST_F(TlsCredentialsTest, ServerNeedsACertificate) {
  GrpcCredentials ca_only = MustLoad({"", "", certs_.ca});
  EXPECT_TRUE(ca_only.tls());
  EXPECT_FALSE(ca_only.ForServer().ok());
  EXPECT_FALSE(GrpcServer::Start("127.0.0.1:0", {}, ca_only).ok());
}

TEST_F(TlsCredentialsTest, ServerWithoutCaTakesAnyTlsClient) {
  auto server =
      GrpcServer::Start("127.0.0.1:0", {}, MustLoad({certs_.server, certs_.server_key, ""}));
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  EXPECT_EQ(HealthCheck(port, MustLoad({"", "", certs_.ca})), ::grpc::StatusCode::OK);
  EXPECT_EQ(HealthCheck(port, GrpcCredentials()), ::grpc::StatusCode::UNAVAILABLE);
  // The client verifies the server: a CA that did not issue it fails.
  EXPECT_EQ(HealthCheck(port, MustLoad({"", "", certs_.other_ca})),
            ::grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsCredentialsTest, MutualTlsRefusesClientsWithoutATrustedCertificate) {
  auto server = GrpcServer::Start("127.0.0.1:0", {},
                                  MustLoad({certs_.service, certs_.service_key, certs_.ca}));
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  const GrpcCredentials trusted = MustLoad({certs_.client, certs_.client_key, certs_.ca});
  EXPECT_EQ(HealthCheck(port, trusted), ::grpc::StatusCode::OK);
  EXPECT_EQ(HealthCheck(port, GrpcCredentials()), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HealthCheck(port, MustLoad({"", "", certs_.ca})), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HealthCheck(port, MustLoad({certs_.stranger, certs_.stranger_key, certs_.ca})),
            ::grpc::StatusCode::UNAVAILABLE);
  // Those refusals cost the others nothing.
  EXPECT_EQ(HealthCheck(port, trusted), ::grpc::StatusCode::OK);
  EXPECT_EQ(HealthCheck(port, MustLoad({certs_.service, certs_.service_key, certs_.ca})),
            ::grpc::StatusCode::OK);
}

}  // namespace
}  // namespace jsengine::common::grpc
