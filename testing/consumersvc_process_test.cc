// The consumersvc binary as a process: serves gRPC health, answers every
// ConsumerService RPC with UNIMPLEMENTED and a message, exits cleanly on SIGTERM.
#include <signal.h>
#include <sys/wait.h>

#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "proto/consumer.grpc.pb.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

TEST(ConsumerSvcProcessTest, ServesHealthAndExplainsMissingRpcs) {
  const std::string ports_dir = util::MakeTempDir("ports-");
  auto process = harness::Process::Start(harness::RunfilePath("consumersvc/consumersvc"),
                                         {"--listen=127.0.0.1:0", "--ports_file_dir=" + ports_dir});
  ASSERT_TRUE(process.ok()) << process.status();
  auto ports = (*process)->WaitForPortsFile(ports_dir, absl::Seconds(30));
  ASSERT_TRUE(ports.ok()) << ports.status();
  ASSERT_EQ(ports->grpc.size(), 1u);
  const std::string address = ports->grpc[0];
  ASSERT_TRUE(harness::WaitForGrpcHealth(address, absl::Seconds(30)).ok());

  auto stub = v1::ConsumerService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  v1::CreateConsumerRequest request;
  v1::ConsumerInfo info;
  grpc::Status status = stub->CreateConsumer(&context, request, &info);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(status.error_message().find("CreateConsumer"), std::string::npos);

  int wait_status = (*process)->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(wait_status)) << "killed instead of exiting; log: " << (*process)->log_path();
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
}

}  // namespace
}  // namespace jsengine::testing
