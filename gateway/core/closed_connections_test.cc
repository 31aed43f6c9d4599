#include "gateway/core/closed_connections.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(ClosedConnectionsTest, KeepsTheNewestUpToCapacity) {
  ClosedConnections closed(2);
  for (uint64_t cid : {1, 2, 3}) {
    ConnectionInfo info;
    info.cid = cid;
    closed.Add(info);
  }
  const std::vector<ConnectionInfo> list = closed.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].cid, 2u);
  EXPECT_EQ(list[1].cid, 3u);
}

TEST(ClosedConnectionsTest, ZeroCapacityKeepsNothing) {
  ClosedConnections closed(0);
  closed.Add(ConnectionInfo{});
  EXPECT_TRUE(closed.List().empty());
}

TEST(ClosedReasonTextTest, NamesReasonsAsNatsServer) {
  EXPECT_EQ(ClosedReasonText("client closed connection"), "Client Closed");
  EXPECT_EQ(ClosedReasonText("authentication failed"), "Authentication Failure");
  EXPECT_EQ(ClosedReasonText("server shutdown"), "Server Shutdown");
  EXPECT_EQ(ClosedReasonText("max account connections"), "Maximum Account Connections Exceeded");
  EXPECT_EQ(ClosedReasonText("max subscriptions"), "Maximum Subscriptions Exceeded");
  EXPECT_EQ(ClosedReasonText("max payload"), "Maximum Message Payload Exceeded");
  EXPECT_EQ(ClosedReasonText("something new"), "something new");
}

}  // namespace
}  // namespace jsengine::gateway::core
