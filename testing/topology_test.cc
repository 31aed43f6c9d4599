// Both deployments come up as real processes, answer gRPC health on the
// service addresses, and accept the official NATS C client (PING/PONG).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/topology.h"

namespace jsengine::testing {
namespace {

std::string ReadInfoLine(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::string line;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  }
  close(fd);
  return line;
}

class TopologyTest : public ::testing::TestWithParam<harness::Topology::Kind> {};

TEST_P(TopologyTest, ServesHealthAndNatsClients) {
  auto engine = harness::Topology::Start(GetParam());
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_TRUE(harness::CheckGrpcHealth((*engine)->store_address()).ok());
  EXPECT_TRUE(harness::CheckGrpcHealth((*engine)->consumer_address()).ok());

  std::string info = ReadInfoLine((*engine)->nats_port());
  EXPECT_EQ(info.rfind("INFO {", 0), 0u) << info;
  EXPECT_NE(info.find("\"server_id\":"), std::string::npos) << info;
  EXPECT_NE(info.find("\"headers\":true"), std::string::npos) << info;
  EXPECT_NE(info.find("\"jetstream\":true"), std::string::npos) << info;
  EXPECT_NE(info.find("\"max_payload\":1048576"), std::string::npos) << info;

  natsConnection* nc = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&nc, (*engine)->nats_url().c_str()), NATS_OK)
      << nats_GetLastError(nullptr);
  EXPECT_EQ(natsConnection_Flush(nc), NATS_OK);
  natsConnection_Destroy(nc);
}

INSTANTIATE_TEST_SUITE_P(Deployments, TopologyTest,
                         ::testing::Values(harness::Topology::kEmbedded,
                                           harness::Topology::kSeparate),
                         [](const auto& info) { return harness::Topology::Name(info.param); });

}  // namespace
}  // namespace jsengine::testing
