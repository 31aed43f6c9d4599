// Runs the real //gateway binary on a free port and talks to it with libnats.
#include <nats/nats.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <string>

#include "common/ports_file.h"
#include "gtest/gtest.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

TEST(BinaryTest, ServesNatsClientsAndStopsOnSigterm) {
  const std::string store_dir = util::MakeTempDir("binary_test-");
  const std::string ports_dir = util::MakeTempDir("ports-");
  auto gateway = harness::Process::Start(
      harness::RunfilePath("gateway/gateway"),
      {"-a", "127.0.0.1", "-p", "-1", "--auth", "t0k", "-js", "-sd", store_dir,
       "--grpc_listen=127.0.0.1:0", "--ports_file_dir", ports_dir});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  auto ports = (*gateway)->WaitForPortsFile(ports_dir, absl::Seconds(20));
  ASSERT_TRUE(ports.ok()) << ports.status();
  ASSERT_EQ(ports->nats.size(), 1u);
  ASSERT_EQ(ports->grpc.size(), 1u);

  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, ports->nats[0].c_str());
  natsOptions_SetToken(opts, "t0k");
  natsConnection* nc = nullptr;
  ASSERT_EQ(natsConnection_Connect(&nc, opts), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc, "bin.>"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(nc, "bin.x", "hello"), NATS_OK);
  natsMsg* msg = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&msg, sub, 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(msg)), "hello");
  natsMsg_Destroy(msg);
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, nc, "nobody", "x", 5000), NATS_NO_RESPONDERS);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
  natsOptions_Destroy(opts);

  int status = (*gateway)->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status)) << "killed instead of exiting; log: " << (*gateway)->log_path();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(std::filesystem::is_empty(ports_dir)) << "the ports file outlived the gateway";
  std::filesystem::remove_all(store_dir);
}

}  // namespace
}  // namespace jsengine::testing::core
