#include "common/status.h"

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(JsErrorTest, CarriesCodesAndDescription) {
  absl::Status status = JsError(JsErrorId::kStreamNotFound);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  v1::ErrorDetail detail = ToErrorDetail(status);
  EXPECT_EQ(detail.code(), 404);
  EXPECT_EQ(detail.err_code(), 10059);
  EXPECT_EQ(detail.description(), "stream not found");
}

TEST(JsErrorTest, FillsPlaceholders) {
  absl::Status status = JsErrorF(JsErrorId::kStreamInvalidConfig, {{"err", "bad subject"}});
  v1::ErrorDetail detail = ToErrorDetail(status);
  EXPECT_EQ(detail.code(), 500);
  EXPECT_EQ(detail.err_code(), 10052);
  EXPECT_EQ(detail.description(), "bad subject");
}

TEST(JsErrorTest, IsJsErrorComparesErrCodes) {
  absl::Status status = FromErrorDetail(ToErrorDetail(JsError(JsErrorId::kStreamNotFound)));
  EXPECT_TRUE(IsJsError(status, JsErrorId::kStreamNotFound));
  EXPECT_FALSE(IsJsError(status, JsErrorId::kConsumerNotFound));
  EXPECT_FALSE(IsJsError(absl::NotFoundError("stream not found"), JsErrorId::kStreamNotFound));
  EXPECT_FALSE(IsJsError(absl::OkStatus(), JsErrorId::kStreamNotFound));
}

TEST(JsErrorTest, PlainStatusGetsDerivedCode) {
  v1::ErrorDetail detail = ToErrorDetail(absl::UnavailableError("store down"));
  EXPECT_EQ(detail.code(), 503);
  EXPECT_EQ(detail.err_code(), 0);
  EXPECT_EQ(detail.description(), "store down");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::Status Quarter(int x, int* out) {
  JSE_ASSIGN_OR_RETURN(int half, Half(x));
  JSE_ASSIGN_OR_RETURN(*out, Half(half));
  JSE_RETURN_IF_ERROR(absl::OkStatus());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateErrors) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Quarter(6, &out).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jsengine::common
