#include "common/subject_transform.h"

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

std::string Map(std::string_view src, std::string_view dest, std::string_view subject) {
  absl::StatusOr<SubjectTransform> t = SubjectTransform::Create(src, dest);
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return "<error>";
  return t->Match(subject).value_or("<no match>");
}

std::string CreateError(std::string_view src, std::string_view dest) {
  absl::StatusOr<SubjectTransform> t = SubjectTransform::Create(src, dest);
  return t.ok() ? "ok" : std::string(t.status().message());
}

TEST(SubjectTransformTest, WildcardsAndLiterals) {
  EXPECT_EQ(Map("foo.*.*", "bar.$2.$1", "foo.a.b"), "bar.b.a");
  EXPECT_EQ(Map("foo.*.*", "bar.{{wildcard(2)}}.{{ Wildcard( 1 ) }}", "foo.a.b"), "bar.b.a");
  EXPECT_EQ(Map("foo.>", "bar.>", "foo.a.b"), "bar.a.b");
  EXPECT_EQ(Map("", "x.>", "a.b"), "x.a.b");
  EXPECT_EQ(Map("foo", "bar", "foo"), "bar");
  EXPECT_EQ(Map("foo.*", "bar.$1", "other.a"), "<no match>");
  EXPECT_EQ(Map("a.*", "", "a.b"), "a.b");
  EXPECT_EQ(Map(">", ">", "a.b"), "a.b");
}

TEST(SubjectTransformTest, Functions) {
  EXPECT_EQ(Map("*", "{{splitfromleft(1,2)}}", "abcd"), "ab.cd");
  EXPECT_EQ(Map("*", "{{SplitFromRight(1,1)}}", "abcd"), "abc.d");
  EXPECT_EQ(Map("*", "{{SliceFromLeft(1,3)}}", "abcdefg"), "abc.def.g");
  EXPECT_EQ(Map("*", "{{SliceFromRight(1,3)}}", "abcdefg"), "a.bcd.efg");
  EXPECT_EQ(Map("*", "{{split(1,-)}}", "-a--b-"), "a.b");
  EXPECT_EQ(Map("*", "{{left(1,2)}}.{{right(1,2)}}", "abcd"), "ab.cd");
  // FNV-1a 32 of "foo" is 0xa9f37ed7 = 2851307223; mod 10 = 3.
  EXPECT_EQ(Map("*", "p.{{partition(10,1)}}", "foo"), "p.3");
}

TEST(SubjectTransformTest, ErrorsAsNatsServer) {
  EXPECT_EQ(CreateError("foo.*", "bar.*"), "invalid subject");
  EXPECT_EQ(CreateError("foo.>", "bar"), "invalid subject");
  EXPECT_EQ(CreateError("foo..x", "bar"), "invalid subject");
  EXPECT_EQ(CreateError("foo.*", "bar.$2"),
            "invalid mapping destination: wildcard index out of range in $2: [2]");
  EXPECT_EQ(CreateError("foo", "bar.$1"),
            "invalid mapping destination: wildcard index out of range in $1");
  EXPECT_EQ(CreateError("foo.*", "{{wildcard()}}"),
            "invalid mapping destination: not enough arguments passed to the function in "
            "{{wildcard()}}");
  EXPECT_EQ(CreateError("foo.*", "{{wildcard(1,2)}}"),
            "invalid mapping destination: too many arguments passed to the function in "
            "{{wildcard(1,2)}}");
  EXPECT_EQ(CreateError("foo.*", "{{wildcard(x)}}"),
            "invalid mapping destination: function argument is invalid or in the wrong format "
            "in {{wildcard(x)}}");
  EXPECT_EQ(CreateError("foo.*", "{{nope(1)}}"),
            "invalid mapping destination: unknown function in {{nope(1)}}");
}

// As stream sources, mirrors and republish use it.
TEST(SubjectTransformTest, EmptyDestinationKeepsSubject) {
  auto tr = SubjectTransform::Create("orders.>", "");
  ASSERT_TRUE(tr.ok());
  EXPECT_EQ(tr->Match("orders.a.b"), "orders.a.b");
  EXPECT_EQ(tr->Match("other.a"), std::nullopt);
}

TEST(SubjectTransformTest, WildcardReferencesAndRest) {
  auto tr = SubjectTransform::Create("orders.*.*", "east.{{wildcard(2)}}.$1");
  ASSERT_TRUE(tr.ok());
  EXPECT_EQ(tr->Match("orders.a.b"), "east.b.a");
  auto rest = SubjectTransform::Create("in.>", "out.>");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->Match("in.x.y"), "out.x.y");
  // As nats-server 2.10: wildcards in the destination are named, not `*`.
  EXPECT_FALSE(SubjectTransform::Create("a.*.b.*", "c.*.*").ok());
}

TEST(SubjectTransformTest, RefusesBadDestinations) {
  EXPECT_FALSE(SubjectTransform::Create("a.*", "b.$2").ok());
  EXPECT_FALSE(SubjectTransform::Create("a.b", "c.>").ok());
  EXPECT_FALSE(SubjectTransform::Create("a..b", "c").ok());
}

}  // namespace
}  // namespace jsengine::common
