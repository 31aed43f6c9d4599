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
