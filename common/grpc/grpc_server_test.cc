#include "common/grpc/grpc_server.h"

#include <string>

#include "gtest/gtest.h"

namespace jsengine::common::grpc {
namespace {

TEST(GrpcServerTest, PicksAFreePortForPortZero) {
  auto server = GrpcServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
}

// With SO_REUSEPORT (gRPC's default) the second server would start and take a
// share of the first one's connections.
TEST(GrpcServerTest, RefusesAPortAnotherServerHolds) {
  auto first = GrpcServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string address = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = GrpcServer::Start(address, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(address), std::string::npos)
      << second.status().message();

  (*first)->Shutdown();
  first->reset();
  auto again = GrpcServer::Start(address, {});
  EXPECT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace jsengine::common::grpc
