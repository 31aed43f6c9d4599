#include "common/subject.h"

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(SubjectTest, Validity) {
  EXPECT_TRUE(IsValidSubject("foo"));
  EXPECT_TRUE(IsValidSubject("foo.*.bar"));
  EXPECT_TRUE(IsValidSubject("foo.>"));
  EXPECT_TRUE(IsValidSubject(">"));
  EXPECT_TRUE(IsValidSubject("foo.b*r"));
  EXPECT_FALSE(IsValidSubject(""));
  EXPECT_FALSE(IsValidSubject("foo."));
  EXPECT_FALSE(IsValidSubject(".foo"));
  EXPECT_FALSE(IsValidSubject("a..b"));
  EXPECT_FALSE(IsValidSubject(">.a"));
  EXPECT_FALSE(IsValidSubject("a b"));
  EXPECT_TRUE(IsValidLiteralSubject("foo.bar"));
  EXPECT_FALSE(IsValidLiteralSubject("foo.*"));
  EXPECT_FALSE(IsValidLiteralSubject("foo.>"));
}

TEST(SubjectTest, Matches) {
  EXPECT_TRUE(SubjectMatches("foo.*", "foo.bar"));
  EXPECT_FALSE(SubjectMatches("foo.*", "foo.bar.baz"));
  EXPECT_TRUE(SubjectMatches("foo.>", "foo.bar.baz"));
  EXPECT_FALSE(SubjectMatches("foo.>", "foo"));
  EXPECT_TRUE(SubjectMatches(">", "a"));
  EXPECT_TRUE(SubjectMatches("*.b.*", "a.b.c"));
  EXPECT_FALSE(SubjectMatches("a.b", "a.b.c"));
  EXPECT_FALSE(SubjectMatches("a.b.c", "a.b"));
}

TEST(SubjectTest, Subset) {
  EXPECT_TRUE(SubjectIsSubsetOf("foo.*", "foo.>"));
  EXPECT_TRUE(SubjectIsSubsetOf("foo.bar", "foo.*"));
  EXPECT_TRUE(SubjectIsSubsetOf("foo.*", "foo.*"));
  EXPECT_FALSE(SubjectIsSubsetOf("foo.>", "foo.*"));
  EXPECT_FALSE(SubjectIsSubsetOf("foo.*", "foo.bar"));
  EXPECT_FALSE(SubjectIsSubsetOf(">", "foo.>"));
}

TEST(SubjectsCollideTest, OverlapOfWildcards) {
  EXPECT_TRUE(SubjectsCollide("foo", "foo"));
  EXPECT_TRUE(SubjectsCollide("foo.*", "foo.bar"));
  EXPECT_TRUE(SubjectsCollide("foo.>", "foo.bar.baz"));
  EXPECT_TRUE(SubjectsCollide(">", "x"));
  EXPECT_TRUE(SubjectsCollide("*.bar", "foo.*"));
  EXPECT_FALSE(SubjectsCollide("foo.*", "foo"));
  EXPECT_FALSE(SubjectsCollide("foo.>", "foo"));
  EXPECT_FALSE(SubjectsCollide("foo.*", "foo.bar.baz"));
  EXPECT_FALSE(SubjectsCollide("foo", "bar"));
  EXPECT_FALSE(SubjectsCollide("foo.bar", "foo"));
}

}  // namespace
}  // namespace jsengine::common
