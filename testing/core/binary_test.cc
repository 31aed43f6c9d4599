// Runs the real //gateway binary on a free port and talks to it with libnats.
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "testing/core/raw_client.h"
#include "testing/util/temp_dir.h"

namespace jsengine {
namespace testing {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(BinaryTest, ServesNatsClientsAndStopsOnSigterm) {
  const int port = FreePort();
  const std::string port_arg = std::to_string(port);
  const std::string store_dir = util::MakeTempDir("binary_test-");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("gateway/gateway", "gateway", "-a", "127.0.0.1", "-p", port_arg.c_str(), "--auth",
          "t0k", "-sd", store_dir.c_str(), "--grpc_listen=127.0.0.1:0",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    RawClient probe(port);
    up = probe.connected();
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(up);

  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, ("nats://127.0.0.1:" + port_arg).c_str());
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

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::filesystem::remove_all(store_dir);
}

}  // namespace
}  // namespace testing
}  // namespace jsengine
