#include "storesvc/missing_segments.h"

#include <map>
#include <optional>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

std::vector<uint32_t> Ids(const MissingSegments& m) {
  std::vector<uint32_t> ids;
  for (const MissingSegment& s : m.segments) ids.push_back(s.id);
  return ids;
}

SavedState Saved(std::vector<std::pair<uint32_t, uint64_t>> id_max, uint64_t last_seq) {
  SavedState saved;
  for (const auto& [id, max_seq] : id_max) {
    SavedState::Segment s;
    s.id = id;
    s.max_seq = max_seq;
    saved.segments.push_back(s);
  }
  saved.state.last_seq = last_seq;
  return saved;
}

TEST(MissingSegmentsTest, NothingMissing) {
  SavedState saved = Saved({{3, 10}, {4, 20}}, 20);
  MissingSegments m = FindMissingSegments({3, 4}, &saved, {});
  EXPECT_TRUE(m.segments.empty());
  EXPECT_EQ(m.high_water, 20u);
  EXPECT_EQ(m.next_id, 1u);
}

TEST(MissingSegmentsTest, GapBetweenSegmentsIsMissing) {
  MissingSegments m = FindMissingSegments({1, 2, 5}, nullptr, {});
  EXPECT_EQ(Ids(m), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(m.segments[0].max_seq, 0u);
  EXPECT_FALSE(m.segments[0].records.has_value());
  EXPECT_EQ(m.high_water, 0u);
}

TEST(MissingSegmentsTest, OldSegmentsDeletedOnPurposeAreNotMissing) {
  SavedState saved = Saved({{1, 10}, {2, 20}, {3, 30}}, 30);
  std::map<uint32_t, std::optional<SegmentIndex>> orphans;
  orphans[2] = SegmentIndex();
  MissingSegments m = FindMissingSegments({3}, &saved, std::move(orphans));
  EXPECT_TRUE(m.segments.empty());
  EXPECT_EQ(m.high_water, 30u);
}

TEST(MissingSegmentsTest, NewestSegmentNamedByStateSnapOrIndexIsMissing) {
  SavedState saved = Saved({{1, 10}, {2, 20}, {3, 30}}, 30);
  std::map<uint32_t, std::optional<SegmentIndex>> orphans;
  SegmentIndex idx;
  idx.AddMessage(31, 1, "a", 40, 37);
  orphans[4] = idx;
  MissingSegments m = FindMissingSegments({1, 2}, &saved, std::move(orphans));
  EXPECT_EQ(Ids(m), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(m.segments[0].max_seq, 30u);
  ASSERT_TRUE(m.segments[1].records.has_value());
  EXPECT_EQ(m.segments[1].records->records().size(), 1u);
  EXPECT_EQ(m.next_id, 5u);
}

TEST(MissingSegmentsTest, EverySegmentNamedIsMissingWhenNoneSurvives) {
  SavedState saved = Saved({{7, 70}}, 75);
  std::map<uint32_t, std::optional<SegmentIndex>> orphans;
  orphans[7] = std::nullopt;  // Damaged: still proves the segment existed.
  MissingSegments m = FindMissingSegments({}, &saved, std::move(orphans));
  EXPECT_EQ(Ids(m), (std::vector<uint32_t>{7}));
  EXPECT_EQ(m.segments[0].max_seq, 70u);
  EXPECT_EQ(m.high_water, 75u);
  EXPECT_EQ(m.next_id, 8u);
}

TEST(MissingSegmentsTest, SegmentsFromTheMarksOldestOnAreMissing) {
  SavedState saved = Saved({{1, 10}, {2, 20}, {3, 30}, {4, 40}}, 40);
  saved.segments[1].base_seq = 11;
  saved.state.first_seq = 5;
  std::map<uint32_t, std::optional<SegmentIndex>> orphans;
  orphans[1] = SegmentIndex();  // Deleted on purpose: below the mark's oldest.
  const SeqMark mark{2, 14, 45};
  MissingSegments m = FindMissingSegments({4}, &saved, std::move(orphans), &mark);
  EXPECT_EQ(Ids(m), (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(m.segments[0].max_seq, 20u);
  EXPECT_EQ(m.segments[0].min_seq, 14u);
  EXPECT_EQ(m.high_water, 45u);
  EXPECT_EQ(m.next_id, 4u);
}

TEST(MissingSegmentsTest, TheMarksOldestIsMissingWithoutOtherEvidence) {
  const SeqMark mark{3, 25, 60};
  MissingSegments m = FindMissingSegments({5, 6}, nullptr, {}, &mark);
  EXPECT_EQ(Ids(m), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(m.segments[0].min_seq, 25u);
  EXPECT_EQ(m.high_water, 60u);
}

TEST(MissingSegmentsTest, NothingMissingWhenTheMarksOldestIsPresent) {
  SavedState saved = Saved({{1, 10}, {2, 20}, {3, 30}}, 30);
  const SeqMark mark{3, 25, 33};
  MissingSegments m = FindMissingSegments({3}, &saved, {}, &mark);
  EXPECT_TRUE(m.segments.empty());
  EXPECT_EQ(m.high_water, 33u);
}

TEST(MissingSegmentsTest, WithNoSegmentLeftTheMarkNamesTheLoss) {
  SavedState saved = Saved({{1, 10}}, 10);  // Stale: segment 1 was deleted on purpose.
  const SeqMark mark{4, 31, 50};
  MissingSegments m = FindMissingSegments({}, &saved, {}, &mark);
  EXPECT_EQ(Ids(m), (std::vector<uint32_t>{4}));
  EXPECT_EQ(m.segments[0].min_seq, 31u);
  EXPECT_EQ(m.high_water, 50u);
  EXPECT_EQ(m.next_id, 5u);
}

}  // namespace
}  // namespace jsengine::storesvc
