#include "gateway/core/account_exports.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(AccountExportsTest, ExportAllows) {
  const std::vector<AccountExport> exports = {{"public.>", {}}, {"private.*", {"B", "C"}}};
  EXPECT_TRUE(ExportAllows(exports, "public.>", "X"));
  EXPECT_TRUE(ExportAllows(exports, "public.a.b", "X"));
  EXPECT_TRUE(ExportAllows(exports, "private.a", "B"));
  EXPECT_TRUE(ExportAllows(exports, "private.*", "C"));
  EXPECT_FALSE(ExportAllows(exports, "private.a", "X"));
  EXPECT_FALSE(ExportAllows(exports, "private.>", "B"));
  EXPECT_FALSE(ExportAllows(exports, "other", "B"));
  EXPECT_FALSE(ExportAllows({}, "a", "B"));
}

TEST(AccountExportsTest, MappingValid) {
  EXPECT_TRUE(ImportMapping::Valid("a.>", "a.>"));
  EXPECT_TRUE(ImportMapping::Valid("a.>", "pre.a.>"));
  EXPECT_TRUE(ImportMapping::Valid("a.*.b", "x.*"));
  EXPECT_TRUE(ImportMapping::Valid("req", "other.req"));
  EXPECT_FALSE(ImportMapping::Valid("a.>", "x.*"));
  EXPECT_FALSE(ImportMapping::Valid("a.*", "x"));
  EXPECT_FALSE(ImportMapping::Valid("a", "x..y"));
}

TEST(AccountExportsTest, Map) {
  EXPECT_EQ(ImportMapping::Map("a.>", "a.>", "a.b.c"), "a.b.c");
  EXPECT_EQ(ImportMapping::Map("a.>", "pre.a.>", "a.b.c"), "pre.a.b.c");
  EXPECT_EQ(ImportMapping::Map("a.*.>", "x.*.y.>", "a.1.2.3"), "x.1.y.2.3");
  EXPECT_EQ(ImportMapping::Map("req", "svc.req", "req"), "svc.req");
  EXPECT_EQ(ImportMapping::Map("a.*", "b.*", "a.q"), "b.q");
}

}  // namespace
}  // namespace jsengine::gateway::core
