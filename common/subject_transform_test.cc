#include "common/subject_transform.h"

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(SubjectTransformTest, EmptyDestinationKeepsSubject) {
  auto tr = SubjectTransform::Create("orders.>", "");
  ASSERT_TRUE(tr.ok());
  EXPECT_EQ(tr->Apply("orders.a.b"), "orders.a.b");
  EXPECT_EQ(tr->Apply("other.a"), std::nullopt);
}

TEST(SubjectTransformTest, WildcardReferencesAndRest) {
  auto tr = SubjectTransform::Create("orders.*.*", "east.{{wildcard(2)}}.$1");
  ASSERT_TRUE(tr.ok());
  EXPECT_EQ(tr->Apply("orders.a.b"), "east.b.a");
  auto rest = SubjectTransform::Create("in.>", "out.>");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->Apply("in.x.y"), "out.x.y");
  auto stars = SubjectTransform::Create("a.*.b.*", "c.*.*");
  ASSERT_TRUE(stars.ok());
  EXPECT_EQ(stars->Apply("a.1.b.2"), "c.1.2");
}

TEST(SubjectTransformTest, RefusesBadDestinations) {
  EXPECT_FALSE(SubjectTransform::Create("a.*", "b.$2").ok());
  EXPECT_FALSE(SubjectTransform::Create("a.b", "c.>").ok());
  EXPECT_FALSE(SubjectTransform::Create("a.*", "{{partition(3)}}").ok());
  EXPECT_FALSE(SubjectTransform::Create("a..b", "c").ok());
}

}  // namespace
}  // namespace jsengine::common
