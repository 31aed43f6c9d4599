#include "common/grpc/grpc_status.h"

#include "common/status.h"
#include "gtest/gtest.h"

namespace jsengine::common::grpc {
namespace {

TEST(GrpcStatusTest, RoundTripKeepsJetStreamCodes) {
  absl::Status original = JsError(JsErrorId::kStreamNameExist);
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), original.code());
  EXPECT_EQ(back.message(), original.message());
  EXPECT_EQ(ToErrorDetail(back).err_code(), 10058);
}

TEST(GrpcStatusTest, RoundTripKeepsPlainCodes) {
  absl::Status back = FromGrpcStatus(ToGrpcStatus(absl::AlreadyExistsError("dup")));
  EXPECT_EQ(back.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(back.message(), "dup");
  EXPECT_TRUE(FromGrpcStatus(::grpc::Status::OK).ok());
}

}  // namespace
}  // namespace jsengine::common::grpc
