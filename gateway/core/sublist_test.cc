#include "gateway/core/sublist.h"

#include <algorithm>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

SubscriptionPtr MakeSub(std::string subject, std::string queue = "", std::string sid = "") {
  auto sub = std::make_shared<Subscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  sub->sid = std::move(sid);
  return sub;
}

bool Contains(const std::vector<SubscriptionPtr>& v, const SubscriptionPtr& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(SublistTest, LiteralAndWildcards) {
  Sublist sl;
  auto lit = MakeSub("foo.bar");
  auto pwc = MakeSub("foo.*");
  auto fwc = MakeSub("foo.>");
  auto all = MakeSub(">");
  auto mid = MakeSub("*.bar");
  for (auto& s : {lit, pwc, fwc, all, mid}) ASSERT_TRUE(sl.Insert(s).ok());
  EXPECT_EQ(sl.Count(), 5u);

  auto r = sl.Match("foo.bar");
  EXPECT_EQ(r->psubs.size(), 5u);
  r = sl.Match("foo.baz");
  EXPECT_EQ(r->psubs.size(), 3u);
  EXPECT_TRUE(Contains(r->psubs, pwc));
  EXPECT_TRUE(Contains(r->psubs, fwc));
  EXPECT_TRUE(Contains(r->psubs, all));
  r = sl.Match("foo.bar.baz");
  EXPECT_EQ(r->psubs.size(), 2u);
  r = sl.Match("foo");
  EXPECT_EQ(r->psubs.size(), 1u);
  EXPECT_TRUE(Contains(r->psubs, all));
  EXPECT_TRUE(sl.Match("")->empty());
}

TEST(SublistTest, RejectsInvalidSubjects) {
  Sublist sl;
  EXPECT_FALSE(sl.Insert(MakeSub("foo.")).ok());
  EXPECT_FALSE(sl.Insert(MakeSub("a..b")).ok());
  EXPECT_FALSE(sl.Insert(MakeSub(">.a")).ok());
  EXPECT_FALSE(sl.Insert(MakeSub("foo", "bad queue")).ok());
  EXPECT_EQ(sl.Count(), 0u);
}

TEST(SublistTest, QueueGroupsAreGroupedAcrossNodes) {
  Sublist sl;
  auto a1 = MakeSub("orders.new", "a");
  auto a2 = MakeSub("orders.*", "a");
  auto b1 = MakeSub("orders.>", "b");
  auto plain = MakeSub("orders.new");
  for (auto& s : {a1, a2, b1, plain}) ASSERT_TRUE(sl.Insert(s).ok());
  auto r = sl.Match("orders.new");
  EXPECT_EQ(r->psubs.size(), 1u);
  ASSERT_EQ(r->qsubs.size(), 2u);
  size_t sizes[2] = {r->qsubs[0].size(), r->qsubs[1].size()};
  std::sort(sizes, sizes + 2);
  EXPECT_EQ(sizes[0], 1u);
  EXPECT_EQ(sizes[1], 2u);
}

TEST(SublistTest, CacheFollowsInsertsAndRemoves) {
  Sublist sl;
  auto s1 = MakeSub("a.b");
  ASSERT_TRUE(sl.Insert(s1).ok());
  EXPECT_EQ(sl.Match("a.b")->psubs.size(), 1u);
  EXPECT_EQ(sl.Match("a.b")->psubs.size(), 1u);  // cached
  auto s2 = MakeSub("a.*");
  ASSERT_TRUE(sl.Insert(s2).ok());
  EXPECT_EQ(sl.Match("a.b")->psubs.size(), 2u);
  EXPECT_TRUE(sl.Remove(s1));
  auto r = sl.Match("a.b");
  ASSERT_EQ(r->psubs.size(), 1u);
  EXPECT_EQ(r->psubs[0], s2);
  EXPECT_TRUE(sl.Remove(s2));
  EXPECT_TRUE(sl.Match("a.b")->empty());
  EXPECT_FALSE(sl.Remove(s2));
  EXPECT_EQ(sl.Count(), 0u);
}

TEST(SublistTest, RemovePrunesAndKeepsSiblings) {
  Sublist sl;
  auto deep = MakeSub("a.b.c.d");
  auto sib = MakeSub("a.b");
  auto q = MakeSub("a.b", "q");
  for (auto& s : {deep, sib, q}) ASSERT_TRUE(sl.Insert(s).ok());
  EXPECT_TRUE(sl.Remove(deep));
  EXPECT_EQ(sl.Match("a.b")->psubs.size(), 1u);
  EXPECT_EQ(sl.Match("a.b")->qsubs.size(), 1u);
  EXPECT_TRUE(sl.Remove(q));
  EXPECT_TRUE(sl.Match("a.b")->qsubs.empty());
  EXPECT_TRUE(sl.Match("a.b.c.d")->empty());
  EXPECT_FALSE(sl.Remove(MakeSub("x.y")));
}

TEST(SublistTest, SameSubjectTwiceIsTwoSubscriptions) {
  Sublist sl;
  auto s1 = MakeSub("x");
  auto s2 = MakeSub("x");
  ASSERT_TRUE(sl.Insert(s1).ok());
  ASSERT_TRUE(sl.Insert(s2).ok());
  EXPECT_EQ(sl.Match("x")->psubs.size(), 2u);
  sl.Remove(s1);
  EXPECT_EQ(sl.Match("x")->psubs.size(), 1u);
}

TEST(SublistTest, CacheIsPerThreadAndStaysCorrect) {
  Sublist sl;
  auto s = MakeSub("t.*");
  ASSERT_TRUE(sl.Insert(s).ok());
  EXPECT_EQ(sl.Match("t.1")->psubs.size(), 1u);
  std::thread other([&] {
    EXPECT_EQ(sl.Match("t.1")->psubs.size(), 1u);
    sl.Remove(s);
    EXPECT_TRUE(sl.Match("t.1")->empty());
  });
  other.join();
  EXPECT_TRUE(sl.Match("t.1")->empty());
}

// A cached result comes back as the same object.
TEST(SublistTest, OneOffSubjectsDoNotDisplaceCachedOnes) {
  Sublist sl;
  ASSERT_TRUE(sl.Insert(MakeSub("orders.*")).ok());
  ASSERT_TRUE(sl.Insert(MakeSub("_INBOX.abc.*")).ok());
  sl.Match("orders.new");
  std::shared_ptr<const MatchResult> cached = sl.Match("orders.new");
  ASSERT_EQ(cached->psubs.size(), 1u);
  ASSERT_EQ(sl.Match("orders.new"), cached);
  for (int i = 0; i < 20000; ++i) {
    EXPECT_EQ(sl.Match("_INBOX.abc." + std::to_string(i))->psubs.size(), 1u);
  }
  EXPECT_EQ(sl.Match("orders.new"), cached);
  EXPECT_EQ(sl.Match("_INBOX.abc.7")->psubs.size(), 1u);
  EXPECT_TRUE(sl.Match("_INBOX.xyz.7")->empty());
}

TEST(SublistTest, TwoSublistsOnOneThreadDoNotShareCache) {
  Sublist a, b;
  ASSERT_TRUE(a.Insert(MakeSub("k")).ok());
  EXPECT_EQ(a.Match("k")->psubs.size(), 1u);
  EXPECT_TRUE(b.Match("k")->empty());
  EXPECT_EQ(a.Match("k")->psubs.size(), 1u);
}

// Subscriptions without a client are internal ones: never client interest.
TEST(SublistTest, InternalSubscriptionsAreNotClientInterest) {
  Sublist sl;
  std::vector<bool> calls;
  const uint64_t id = sl.WatchClientInterest("svc.x", "", [&](bool h) { calls.push_back(h); });
  ASSERT_NE(id, 0u);
  auto wide = MakeSub(">");
  auto exact = MakeSub("svc.x", "q");
  ASSERT_TRUE(sl.Insert(wide).ok());
  ASSERT_TRUE(sl.Insert(exact).ok());
  EXPECT_FALSE(sl.HasClientInterest("svc.x", ""));
  EXPECT_FALSE(sl.HasClientInterest("svc.x", "q"));
  EXPECT_EQ(sl.Match("svc.x")->psubs.size(), 1u);
  EXPECT_TRUE(sl.Remove(wide));
  EXPECT_EQ(calls, std::vector<bool>{false});
  sl.UnwatchClientInterest(id);
}

TEST(SublistTest, WatchesNeedALiteralSubject) {
  Sublist sl;
  auto ignore = [](bool) {};
  EXPECT_EQ(sl.WatchClientInterest("a.*", "", ignore), 0u);
  EXPECT_EQ(sl.WatchClientInterest("a.>", "", ignore), 0u);
  EXPECT_EQ(sl.WatchClientInterest("a..b", "", ignore), 0u);
  EXPECT_EQ(sl.WatchClientInterest("a", "q q", ignore), 0u);
  EXPECT_NE(sl.WatchClientInterest("a", "q", ignore), 0u);
}

}  // namespace
}  // namespace jsengine::gateway::core
