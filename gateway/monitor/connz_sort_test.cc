#include "gateway/monitor/connz_sort.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::monitor {
namespace {

std::vector<uint64_t> Cids(const std::vector<core::ConnectionInfo>& v) {
  std::vector<uint64_t> cids;
  for (const auto& c : v) cids.push_back(c.cid);
  return cids;
}

class ConnzSortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint64_t cid = 1; cid <= 3; ++cid) {
      core::ConnectionInfo c;
      c.cid = cid;
      conns_.push_back(c);
    }
    // cid 2 started first and was active last; cid 3 has the most of all.
    conns_[0].start = now_ - absl::Seconds(20);
    conns_[1].start = now_ - absl::Seconds(30);
    conns_[2].start = now_ - absl::Seconds(10);
    conns_[0].last_activity = now_ - absl::Seconds(5);
    conns_[1].last_activity = now_ - absl::Seconds(1);
    conns_[2].last_activity = now_ - absl::Seconds(9);
    conns_[2].subscriptions = 5;
    conns_[0].subscriptions = 1;
    conns_[2].counts.in_msgs = 7;
    conns_[2].counts.out_bytes = 9;
  }

  std::vector<uint64_t> Sorted(std::string_view by) {
    std::vector<core::ConnectionInfo> v = conns_;
    absl::Status s = SortConnections(by, now_, false, &v);
    EXPECT_TRUE(s.ok()) << s;
    return Cids(v);
  }

  const absl::Time now_ = absl::Now();
  std::vector<core::ConnectionInfo> conns_;
};

TEST_F(ConnzSortTest, Orders) {
  using V = std::vector<uint64_t>;
  EXPECT_EQ(Sorted(""), (V{1, 2, 3}));
  EXPECT_EQ(Sorted("cid"), (V{1, 2, 3}));
  EXPECT_EQ(Sorted("start"), (V{2, 1, 3}));
  EXPECT_EQ(Sorted("uptime"), (V{2, 1, 3}));
  EXPECT_EQ(Sorted("subs"), (V{3, 1, 2}));
  EXPECT_EQ(Sorted("msgs_from"), (V{3, 1, 2}));
  EXPECT_EQ(Sorted("bytes_to"), (V{3, 1, 2}));
  EXPECT_EQ(Sorted("msgs_to"), (V{1, 2, 3}));  // all equal: cid order
  EXPECT_EQ(Sorted("last"), (V{2, 1, 3}));
  EXPECT_EQ(Sorted("idle"), (V{3, 1, 2}));
}

TEST_F(ConnzSortTest, ErrorsAsNatsServer) {
  EXPECT_EQ(SortConnections("bogus", now_, false, &conns_).message(),
            "invalid sorting option: bogus");
  EXPECT_EQ(SortConnections("stop", now_, false, &conns_).message(),
            "sort by stop only valid on closed connections");
}

TEST_F(ConnzSortTest, ClosedConnectionsSortByStopAndReason) {
  conns_[0].stop = now_ - absl::Seconds(1);
  conns_[1].stop = now_ - absl::Seconds(3);
  conns_[2].stop = now_ - absl::Seconds(2);
  conns_[0].reason = "Stale Connection";
  conns_[1].reason = "Client Closed";
  conns_[2].reason = "Server Shutdown";
  std::vector<core::ConnectionInfo> v = conns_;
  ASSERT_TRUE(SortConnections("stop", now_, true, &v).ok());
  EXPECT_EQ(Cids(v), (std::vector<uint64_t>{1, 3, 2}));
  v = conns_;
  ASSERT_TRUE(SortConnections("reason", now_, true, &v).ok());
  EXPECT_EQ(Cids(v), (std::vector<uint64_t>{2, 3, 1}));
}

}  // namespace
}  // namespace jsengine::gateway::monitor
