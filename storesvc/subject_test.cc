#include "storesvc/subject.h"

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

TEST(SubjectTest, Validity) {
  EXPECT_TRUE(IsValidSubject("foo"));
  EXPECT_TRUE(IsValidSubject("foo.*.bar"));
  EXPECT_TRUE(IsValidSubject("foo.>"));
  EXPECT_FALSE(IsValidSubject(""));
  EXPECT_FALSE(IsValidSubject("foo..bar"));
  EXPECT_FALSE(IsValidSubject(".foo"));
  EXPECT_FALSE(IsValidSubject("foo."));
  EXPECT_FALSE(IsValidSubject("foo.>.bar"));
  EXPECT_FALSE(IsValidSubject("foo bar"));
}

TEST(SubjectTest, Literal) {
  EXPECT_TRUE(IsLiteralSubject("a.b"));
  EXPECT_TRUE(IsLiteralSubject("a.b*"));
  EXPECT_FALSE(IsLiteralSubject("a.*"));
  EXPECT_FALSE(IsLiteralSubject(">"));
}

TEST(SubjectTest, Matches) {
  EXPECT_TRUE(SubjectMatches("a.b.c", ""));
  EXPECT_TRUE(SubjectMatches("a.b.c", ">"));
  EXPECT_TRUE(SubjectMatches("a.b.c", "a.>"));
  EXPECT_FALSE(SubjectMatches("a", "a.>"));
  EXPECT_TRUE(SubjectMatches("a.b.c", "a.*.c"));
  EXPECT_FALSE(SubjectMatches("a.b.c", "a.*"));
  EXPECT_FALSE(SubjectMatches("a.b", "a.*.c"));
  EXPECT_TRUE(SubjectMatches("a.b", "a.b"));
  EXPECT_FALSE(SubjectMatches("a.bb", "a.b"));
}

TEST(SubjectTest, Collide) {
  EXPECT_TRUE(SubjectsCollide("foo", "foo"));
  EXPECT_TRUE(SubjectsCollide("foo.*", "foo.bar"));
  EXPECT_TRUE(SubjectsCollide("foo.>", "foo.bar.baz"));
  EXPECT_TRUE(SubjectsCollide(">", "x"));
  EXPECT_TRUE(SubjectsCollide("*.bar", "foo.*"));
  EXPECT_FALSE(SubjectsCollide("foo.*", "foo"));
  EXPECT_FALSE(SubjectsCollide("foo.>", "foo"));
  EXPECT_FALSE(SubjectsCollide("foo.*", "foo.bar.baz"));
  EXPECT_FALSE(SubjectsCollide("foo", "bar"));
}

}  // namespace
}  // namespace jsengine::storesvc
