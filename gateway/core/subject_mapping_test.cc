#include "gateway/core/subject_mapping.h"

#include <map>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

std::string MapOne(const std::string& source, const std::string& destination,
                   const std::string& subject) {
  absl::StatusOr<SubjectMapper> mapper =
      SubjectMapper::Create({{source, {{destination, 100, ""}}, 1}}, "");
  EXPECT_TRUE(mapper.ok()) << mapper.status();
  std::string mapped;
  if (!mapper.ok() || !mapper->Map(subject, &mapped)) return "(no match)";
  return mapped;
}

// The functions themselves are common::SubjectTransform's (tested there);
// these check that mappings use them.
TEST(SubjectMappingTest, LiteralAndWildcards) {
  EXPECT_EQ(MapOne("plain", "plain.mapped", "plain"), "plain.mapped");
  EXPECT_EQ(MapOne("plain", "plain.mapped", "other"), "(no match)");
  EXPECT_EQ(MapOne("one.*", "one.$1.x", "one.a"), "one.a.x");
  EXPECT_EQ(MapOne("two.*.*", "two.{{wildcard(2)}}.{{ Wildcard(1) }}", "two.a.b"), "two.b.a");
  EXPECT_EQ(MapOne("fwc.>", "mapped.fwc.>", "fwc.a.b.c"), "mapped.fwc.a.b.c");
  EXPECT_EQ(MapOne("x.*.>", "y.$1.>", "x.a.b.c"), "y.a.b.c");
}

TEST(SubjectMappingTest, Functions) {
  EXPECT_EQ(MapOne("s.*", "s.{{split(1,-)}}", "s.-a--b-c-"), "s.a.b.c");
  EXPECT_EQ(MapOne("l.*", "l.{{splitfromleft(1,2)}}", "l.abcde"), "l.ab.cde");
  const std::string first = MapOne("p.*", "p.{{partition(3,1)}}.$1", "p.key7");
  EXPECT_TRUE(first == "p.0.key7" || first == "p.1.key7" || first == "p.2.key7") << first;
  EXPECT_EQ(MapOne("p.*", "p.{{partition(3,1)}}.$1", "p.key7"), first);
}

TEST(SubjectMappingTest, RefusesWhatNatsServerRefuses) {
  auto create = [](const std::string& source, const std::string& destination) {
    return SubjectMapper::Create({{source, {{destination, 100, ""}}, 3}}, "").status();
  };
  EXPECT_FALSE(create("a.*", "b.$2").ok());
  EXPECT_FALSE(create("a.*", "b.*").ok());
  EXPECT_FALSE(create("a.>", "b.c").ok());
  EXPECT_FALSE(create("a.b", "b.>").ok());
  EXPECT_FALSE(create("a.*", "b.{{nosuch(1)}}").ok());
  EXPECT_FALSE(create("a.*", "b.{{splitfromleft(1)}}").ok());
  EXPECT_FALSE(create("a.b", "b.{{wildcard(1)}}").ok());
  EXPECT_FALSE(create("a..b", "b").ok());
  absl::Status s = create("a.*", "b.$2");
  EXPECT_NE(s.message().find("config line 3"), std::string::npos) << s;
}

TEST(SubjectMappingTest, Weights) {
  absl::StatusOr<SubjectMapper> mapper =
      SubjectMapper::Create({{"canary", {{"canary.new", 10, ""}, {"canary.old", 90, ""}}, 1},
                             {"half", {{"half.a", 50, ""}}, 2}},
                            "");
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  std::map<std::string, int> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string mapped;
    ASSERT_TRUE(mapper->Map("canary", &mapped));
    ++seen[mapped];
    ASSERT_TRUE(mapper->Map("half", &mapped));
    ++seen[mapped];
  }
  // Only the configured destinations, and the source for the rest of "half".
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_GT(seen["canary.new"], 0);
  EXPECT_GT(seen["canary.old"], seen["canary.new"]);
  EXPECT_GT(seen["half.a"], 0);
  EXPECT_GT(seen["half"], 0);
  EXPECT_EQ(seen["canary.new"] + seen["canary.old"], 2000);
  EXPECT_EQ(seen["half.a"] + seen["half"], 2000);

  EXPECT_FALSE(SubjectMapper::Create({{"w", {{"x", 60, ""}, {"y", 50, ""}}, 1}}, "").ok());
  EXPECT_FALSE(SubjectMapper::Create({{"w", {{"x", 10, ""}, {"x", 10, ""}}, 1}}, "").ok());
}

TEST(SubjectMappingTest, ClusterDestinations) {
  std::vector<SubjectMappingOptions> m = {{"c", {{"c.any", 100, ""}, {"c.east", 100, "east"}}, 1}};
  std::string mapped;
  ASSERT_TRUE(SubjectMapper::Create(m, "")->Map("c", &mapped));
  EXPECT_EQ(mapped, "c.any");
  ASSERT_TRUE(SubjectMapper::Create(m, "east")->Map("c", &mapped));
  EXPECT_EQ(mapped, "c.east");
}

}  // namespace
}  // namespace jsengine::gateway::core
