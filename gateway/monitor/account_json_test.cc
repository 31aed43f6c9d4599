#include "gateway/monitor/account_json.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::monitor {
namespace {

TEST(AccountJsonTest, ExportsAsNatsServerListsThem) {
  core::AccountOptions a;
  a.stream_exports.push_back({"news.>", {}});
  a.service_exports.push_back({"help.>", {"B"}});
  EXPECT_EQ(AccountExportsJson(a).dump(),
            R"([{"subject":"news.>","type":"stream"},)"
            R"({"subject":"help.>","type":"service","response_type":"Singleton",)"
            R"("approved_accounts":["B"]}])");
}

TEST(AccountJsonTest, ImportsShowBothSidesSubjects) {
  core::AccountOptions b;
  b.stream_imports.push_back({"A", "news.>", "a.news.>"});
  b.stream_imports.push_back({"A", "same", ""});
  b.service_imports.push_back({"A", "help.>", "ask.>"});
  EXPECT_EQ(AccountImportsJson(b).dump(),
            R"([{"subject":"news.>","account":"A","local_subject":"a.news.>","type":"stream",)"
            R"("invalid":false,"share":false,"tracking":false},)"
            R"({"subject":"same","account":"A","local_subject":"same","type":"stream",)"
            R"("invalid":false,"share":false,"tracking":false},)"
            R"({"subject":"help.>","account":"A","to":"ask.>","local_subject":"ask.>",)"
            R"("type":"service",)"
            R"("invalid":false,"share":false,"tracking":false}])");
  EXPECT_TRUE(AccountImportsJson(core::AccountOptions{}).empty());
}

}  // namespace
}  // namespace jsengine::gateway::monitor
