#include "common/host_ports.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::EndsWith;
using ::testing::Not;
using ::testing::StartsWith;

TEST(ReachableHostPortsTest, ASpecificHostIsItself) {
  EXPECT_EQ(ReachableHostPorts("127.0.0.1", 4222), std::vector<std::string>{"127.0.0.1:4222"});
  EXPECT_EQ(ReachableHostPorts("localhost", 1), std::vector<std::string>{"localhost:1"});
  EXPECT_EQ(ReachableHostPorts("::1", 80), std::vector<std::string>{"[::1]:80"});
}

TEST(ReachableHostPortsTest, AWildcardHostIsEveryInterface) {
  std::vector<std::string> v4 = ReachableHostPorts("0.0.0.0", 4222);
  EXPECT_THAT(v4, Contains("127.0.0.1:4222"));
  EXPECT_THAT(v4, Each(EndsWith(":4222")));
  EXPECT_THAT(v4, Each(Not(StartsWith("["))));
  EXPECT_THAT(v4, Not(Contains("0.0.0.0:4222")));
  EXPECT_THAT(ReachableHostPorts("::", 4222), Contains("127.0.0.1:4222"));
}

TEST(HostOfAddressTest, DropsThePort) {
  EXPECT_EQ(HostOfAddress("127.0.0.1:4250"), "127.0.0.1");
  EXPECT_EQ(HostOfAddress("localhost:0"), "localhost");
  EXPECT_EQ(HostOfAddress("[::1]:4250"), "::1");
  EXPECT_EQ(HostOfAddress("0.0.0.0:1"), "0.0.0.0");
  EXPECT_EQ(HostOfAddress(":4250"), "");
}

}  // namespace
}  // namespace jsengine::common
