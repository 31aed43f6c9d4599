#include "gateway/core/account.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(AccountTest, ResponseRoutesLeadBackOnce) {
  Account exporter("A");
  Account importer("B");
  const absl::Time now = absl::FromUnixSeconds(1000);
  const std::string r1 = exporter.AddResponseRoute(&importer, "inbox.1", now);
  const std::string r2 = exporter.AddResponseRoute(&importer, "inbox.2", now);
  EXPECT_NE(r1, r2);
  EXPECT_TRUE(Account::IsResponseSubject(r1));
  EXPECT_FALSE(Account::IsResponseSubject("inbox.1"));
  Account* to = nullptr;
  std::string reply;
  ASSERT_TRUE(exporter.TakeResponseRoute(r2, &to, &reply, now));
  EXPECT_EQ(to, &importer);
  EXPECT_EQ(reply, "inbox.2");
  EXPECT_FALSE(exporter.TakeResponseRoute(r2, &to, &reply, now));
  EXPECT_FALSE(exporter.TakeResponseRoute(r1, &to, &reply, now + Account::kResponseTimeout));
}

TEST(AccountTest, ConnectionLimit) {
  Account a("A");
  EXPECT_TRUE(a.TryAddConnection());
  EXPECT_TRUE(a.TryAddConnection());
  EXPECT_FALSE(a.TryDropConnectionOverLimit());
  AccountLimits limits;
  limits.max_connections = 3;
  a.SetLimits(limits);
  EXPECT_TRUE(a.TryAddConnection());
  EXPECT_FALSE(a.TryAddConnection());
  EXPECT_EQ(a.connections(), 3);
  a.AddConnection(-1);
  EXPECT_TRUE(a.TryAddConnection());
  // At its limit, a reload's check drops nobody.
  EXPECT_FALSE(a.TryDropConnectionOverLimit());
  EXPECT_EQ(a.connections(), 3);
  // A reload lowering the limit to 1 with 3 clients: each client checked in
  // turn until the limit is left.
  limits.max_connections = 1;
  a.SetLimits(limits);
  EXPECT_TRUE(a.TryDropConnectionOverLimit());
  EXPECT_TRUE(a.TryDropConnectionOverLimit());
  EXPECT_FALSE(a.TryDropConnectionOverLimit());
  EXPECT_EQ(a.connections(), 1);
  limits.max_connections = 0;
  a.SetLimits(limits);
  EXPECT_FALSE(a.TryAddConnection());
  limits.max_connections = -1;
  a.SetLimits(limits);
  EXPECT_TRUE(a.TryAddConnection());
  EXPECT_FALSE(a.TryDropConnectionOverLimit());
}

TEST(AccountTest, PayloadAndSubscriptionLimits) {
  Account a("A");
  EXPECT_EQ(a.max_payload(), -1);
  EXPECT_EQ(a.max_subscriptions(), -1);
  AccountLimits limits;
  limits.max_payload = 100;
  limits.max_subscriptions = 5;
  a.SetLimits(limits);
  EXPECT_EQ(a.max_payload(), 100);
  EXPECT_EQ(a.max_subscriptions(), 5);
}

TEST(AccountTest, Routes) {
  Account a("A");
  Account b("B");
  EXPECT_FALSE(a.has_routes());
  AccountLinks a_links;
  a_links.stream_routes.push_back({&b, "news.>", "a.news.>"});
  a.SetLinks(std::move(a_links));
  AccountLinks b_links;
  b_links.service_routes.push_back({&a, "time.*", "clock.*"});
  b.SetLinks(std::move(b_links));
  EXPECT_TRUE(a.has_routes());
  EXPECT_TRUE(b.has_routes());
  EXPECT_EQ(a.stream_routes()[0].to, "a.news.>");
  EXPECT_EQ(b.service_routes()[0].exporter, &a);
}

}  // namespace
}  // namespace jsengine::gateway::core
