#include "storesvc/subject_filters.h"

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

TEST(SubjectFiltersTest, NoneEmptyOrFullWildcardMatchEverything) {
  for (const SubjectFilters& f :
       {SubjectFilters(), SubjectFilters(std::vector<std::string>{}), SubjectFilters(""),
        SubjectFilters(">"), SubjectFilters({"a.b", ">"}), SubjectFilters({"a.*", ""})}) {
    EXPECT_TRUE(f.all());
    EXPECT_TRUE(f.literals().empty());
    EXPECT_FALSE(f.has_wildcards());
    EXPECT_TRUE(f.Matches("any.subject"));
  }
}

TEST(SubjectFiltersTest, MatchesAnyFilter) {
  SubjectFilters f({"orders.new", "users.*", "orders.new", "a.>"});
  EXPECT_FALSE(f.all());
  EXPECT_EQ(f.literals(), std::vector<std::string>{"orders.new"}) << "repeats dropped";
  EXPECT_TRUE(f.has_wildcards());
  EXPECT_TRUE(f.Matches("orders.new"));
  EXPECT_TRUE(f.Matches("users.7"));
  EXPECT_TRUE(f.Matches("a.b.c"));
  EXPECT_FALSE(f.Matches("orders.paid"));
  EXPECT_FALSE(f.Matches("users.7.x"));
  EXPECT_FALSE(f.Matches("a"));
}

TEST(SubjectFiltersTest, LiteralsOnly) {
  SubjectFilters f({"b", "a.x"});
  EXPECT_FALSE(f.has_wildcards());
  EXPECT_EQ(f.literals(), (std::vector<std::string>{"a.x", "b"}));
  EXPECT_TRUE(f.Matches("b"));
  EXPECT_FALSE(f.Matches("a"));
}

}  // namespace
}  // namespace jsengine::storesvc
