#include "gateway/core/service_export_config.h"

#include "absl/strings/match.h"
#include "gateway/core/options.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

absl::StatusOr<AccountExport> OnlyExport(const std::string& exports) {
  ServerOptions o;
  absl::Status s = ApplyConfigText("accounts { S: { exports: [" + exports + "] } }", &o);
  if (!s.ok()) return s;
  const AccountOptions& a = o.accounts.at(0);
  return a.service_exports.empty() ? a.stream_exports.at(0) : a.service_exports.at(0);
}

TEST(ServiceExportConfigTest, ResponseTypes) {
  using Type = AccountExport::ResponseType;
  EXPECT_EQ(OnlyExport(R"({service: "a"})")->response_type, Type::kSingleton);
  EXPECT_EQ(OnlyExport(R"({service: "a", response_type: stream})")->response_type, Type::kStream);
  EXPECT_EQ(OnlyExport(R"({service: "a", response: Chunked})")->response_type, Type::kChunked);
  EXPECT_EQ(OnlyExport(R"({response_type: singleton, service: "a"})")->response_type,
            Type::kSingleton);
}

TEST(ServiceExportConfigTest, Latency) {
  absl::StatusOr<AccountExport> e = OnlyExport(R"({service: "a", latency: "lat.a"})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->latency_subject, "lat.a");
  EXPECT_EQ(e->latency_sampling, 100);
  e = OnlyExport(R"({service: "a", latency: {sampling: "25%", subject: "lat.a"}})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->latency_sampling, 25);
  e = OnlyExport(R"({service: "a", latency: {sampling: 40, subject: "lat.a"}})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->latency_sampling, 40);
  e = OnlyExport(R"({service: "a", latency: {sampling: headers, subject: "lat.a"}})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->latency_headers);
}

TEST(ServiceExportConfigTest, Errors) {
  for (const auto& [exports, error] : std::vector<std::pair<const char*, const char*>>{
           {R"({service: "a", response_type: bulk})", "Unknown response type"},
           {R"({service: "a", latency: {sampling: 0, subject: "l"}})", "range [1..100]"},
           {R"({service: "a", latency: {sampling: "x%", subject: "l"}})", "latency sample"},
           {R"({service: "a", latency: {sampling: 50}})", "subject required"},
           {R"({service: "a", latency: "l.*"})", "literal subject"},
           {R"({stream: "a", latency: "l"})", "latency directive on non-service"},
           {R"({stream: "a", response_type: stream})", "response directive on non-service"},
       }) {
    absl::StatusOr<AccountExport> e = OnlyExport(exports);
    ASSERT_FALSE(e.ok()) << exports;
    EXPECT_TRUE(absl::StrContains(e.status().message(), error)) << e.status();
  }
}

}  // namespace
}  // namespace jsengine::gateway::core
