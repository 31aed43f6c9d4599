#include "gateway/core/interest_index.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

using Change = InterestIndex::Change;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class InterestIndexTest : public ::testing::Test {
 protected:
  std::vector<Change> Add(std::string_view pattern, std::string_view queue = "") {
    std::vector<Change> changes;
    index_.Added(pattern, queue, &changes);
    return changes;
  }
  std::vector<Change> Remove(std::string_view pattern, std::string_view queue = "") {
    std::vector<Change> changes;
    index_.Removed(pattern, queue, &changes);
    return changes;
  }

  InterestIndex index_;
};

TEST_F(InterestIndexTest, LiteralSubscription) {
  EXPECT_TRUE(index_.empty());
  EXPECT_FALSE(index_.Watch(1, "deliver.a", "", 0));
  EXPECT_FALSE(index_.empty());
  EXPECT_THAT(Add("deliver.b"), IsEmpty());
  EXPECT_THAT(Add("deliver"), IsEmpty());
  EXPECT_THAT(Add("deliver.a.b"), IsEmpty());
  EXPECT_THAT(Add("deliver.a"), ElementsAre(Change{1, true}));
  EXPECT_THAT(Remove("deliver.a"), ElementsAre(Change{1, false}));
  EXPECT_THAT(Remove("deliver.b"), IsEmpty());
}

TEST_F(InterestIndexTest, OnlyTheFirstAndLastSubscriptionChangeInterest) {
  index_.Watch(1, "d", "", 0);
  EXPECT_THAT(Add("d"), ElementsAre(Change{1, true}));
  EXPECT_THAT(Add("d"), IsEmpty());
  EXPECT_THAT(Add("*"), IsEmpty());
  EXPECT_THAT(Remove("d"), IsEmpty());
  EXPECT_THAT(Remove("d"), IsEmpty());
  EXPECT_THAT(Remove("*"), ElementsAre(Change{1, false}));
  EXPECT_THAT(Add(">"), ElementsAre(Change{1, true}));
}

TEST_F(InterestIndexTest, WildcardSubscriptions) {
  index_.Watch(1, "a", "", 0);
  index_.Watch(2, "a.b", "", 0);
  index_.Watch(3, "a.b.c", "", 0);
  index_.Watch(4, "x.b.c", "", 0);
  index_.Watch(5, "a.x.c", "", 0);
  EXPECT_THAT(Add(">"), UnorderedElementsAre(Change{1, true}, Change{2, true}, Change{3, true},
                                             Change{4, true}, Change{5, true}));
  EXPECT_THAT(Remove(">"),
              UnorderedElementsAre(Change{1, false}, Change{2, false}, Change{3, false},
                                   Change{4, false}, Change{5, false}));
  EXPECT_THAT(Add("a.>"), UnorderedElementsAre(Change{2, true}, Change{3, true}, Change{5, true}));
  EXPECT_THAT(Remove("a.>"),
              UnorderedElementsAre(Change{2, false}, Change{3, false}, Change{5, false}));
  EXPECT_THAT(Add("*"), ElementsAre(Change{1, true}));
  EXPECT_THAT(Add("*.b.c"), UnorderedElementsAre(Change{3, true}, Change{4, true}));
  EXPECT_THAT(Add("a.*.c"), UnorderedElementsAre(Change{5, true}));
  EXPECT_THAT(Add("*.*"), ElementsAre(Change{2, true}));
  EXPECT_THAT(Add("a.b.c.>"), IsEmpty());
  EXPECT_THAT(Add("a.b.c.*"), IsEmpty());
  EXPECT_THAT(Remove("*.b.c"), ElementsAre(Change{4, false}));
  EXPECT_THAT(Remove("a.*.c"), UnorderedElementsAre(Change{3, false}, Change{5, false}));
}

TEST_F(InterestIndexTest, WildcardAndLiteralShareTheCount) {
  index_.Watch(1, "d.x", "", 0);
  EXPECT_THAT(Add("d.*"), ElementsAre(Change{1, true}));
  EXPECT_THAT(Add("d.x"), IsEmpty());
  EXPECT_THAT(Remove("d.*"), IsEmpty());
  EXPECT_THAT(Remove("d.x"), ElementsAre(Change{1, false}));
}

TEST_F(InterestIndexTest, QueueGroups) {
  index_.Watch(1, "d", "", 0);
  index_.Watch(2, "d", "g", 0);
  index_.Watch(3, "d", "h", 0);
  EXPECT_THAT(Add("d", "g"), UnorderedElementsAre(Change{1, true}, Change{2, true}));
  EXPECT_THAT(Add("d"), IsEmpty());
  EXPECT_THAT(Add("*", "g"), IsEmpty());
  EXPECT_THAT(Remove("d", "g"), IsEmpty());
  EXPECT_THAT(Remove("*", "g"), ElementsAre(Change{2, false}));
  EXPECT_THAT(Remove("d"), ElementsAre(Change{1, false}));
  EXPECT_THAT(Add(">", "h"), UnorderedElementsAre(Change{1, true}, Change{3, true}));
}

TEST_F(InterestIndexTest, WatchesOfOneSubjectShareState) {
  index_.Watch(1, "d", "", 0);
  EXPECT_THAT(Add("d"), ElementsAre(Change{1, true}));
  EXPECT_TRUE(index_.Watch(2, "d", "", 1));
  EXPECT_THAT(Remove("d"), ElementsAre(Change{1, false}, Change{2, false}));
  index_.Unwatch(1);
  EXPECT_THAT(Add("d"), ElementsAre(Change{2, true}));
  index_.Unwatch(2);
  EXPECT_TRUE(index_.empty());
  EXPECT_THAT(Remove("d"), IsEmpty());
}

TEST_F(InterestIndexTest, WatchStartsFromTheMatchingCount) {
  EXPECT_TRUE(index_.Watch(1, "d", "", 2));
  EXPECT_THAT(Remove("d"), IsEmpty());
  EXPECT_THAT(Remove(">"), ElementsAre(Change{1, false}));
}

TEST_F(InterestIndexTest, UnwatchPrunesAndKeepsOthers) {
  index_.Watch(1, "a.b.c", "", 0);
  index_.Watch(2, "a.b", "", 0);
  index_.Watch(3, "a.b.c", "g", 0);
  index_.Unwatch(1);
  index_.Unwatch(1);
  index_.Unwatch(42);
  EXPECT_THAT(Add("a.>", "g"), UnorderedElementsAre(Change{2, true}, Change{3, true}));
  index_.Unwatch(3);
  index_.Unwatch(2);
  EXPECT_TRUE(index_.empty());
  EXPECT_THAT(Add(">"), IsEmpty());
  EXPECT_FALSE(index_.Watch(4, "a.b.c", "", 0));
  EXPECT_THAT(Add("a.b.c"), ElementsAre(Change{4, true}));
}

}  // namespace
}  // namespace jsengine::gateway::core
