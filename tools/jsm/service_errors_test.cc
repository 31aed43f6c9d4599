#include "tools/jsm/service_errors.h"

#include "common/status.h"
#include "gtest/gtest.h"

namespace jsengine::tools::jsm {
namespace {

constexpr std::chrono::milliseconds kTimeout{1500};

TEST(ExplainServiceErrorTest, NamesTheServiceGrpcCouldNotReach) {
  EXPECT_EQ(
      ExplainServiceError(absl::UnavailableError("refused"), "store", "h:1", kTimeout).message(),
      "cannot reach the store service at h:1: refused");
  EXPECT_EQ(
      ExplainServiceError(absl::DeadlineExceededError("x"), "consumer", "h:2", kTimeout).message(),
      "no answer from the consumer service at h:2 within 1.5s");
  EXPECT_EQ(
      ExplainServiceError(absl::UnimplementedError("unknown service"), "consumer", "h:3", kTimeout)
          .message(),
      "the service at h:3 is not the consumer service: unknown service");
}

TEST(ExplainServiceErrorTest, KeepsTheServicesOwnErrors) {
  const absl::Status not_found = common::JsError(common::JsErrorId::kStreamNotFound);
  EXPECT_EQ(ExplainServiceError(not_found, "store", "h:1", kTimeout), not_found);
  EXPECT_TRUE(ExplainServiceError(absl::OkStatus(), "store", "h:1", kTimeout).ok());
}

}  // namespace
}  // namespace jsengine::tools::jsm
