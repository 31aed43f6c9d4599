#include "storesvc/segment_index.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

SegmentIndex ManyRecords(int n) {
  SegmentIndex idx;
  idx.AddHeader(1, 0);
  uint64_t offset = 64;
  for (int i = 1; i <= n; ++i, offset += 200) {
    idx.AddMessage(i, 1000 + i, i % 3 == 0 ? "orders.a" : "orders.b", 150, offset);
  }
  idx.AddSeqRecord(file_format::kTombstone, 2, offset);
  return idx;
}

TEST(SegmentIndexTest, EncodeToHandsOutTheFileInPiecesThatDecode) {
  const SegmentIndex idx = ManyRecords(10000);  // 320 KB of records.
  std::vector<std::string> pieces;
  ASSERT_TRUE(idx.EncodeTo(7, 1 << 21, 42, [&](absl::string_view p) {
    pieces.emplace_back(p);
    return true;
  }));
  EXPECT_GT(pieces.size(), 4u);
  std::string file;
  for (const std::string& p : pieces) {
    EXPECT_LE(p.size(), 65 * 1024u);
    file += p;
  }
  EXPECT_EQ(file, idx.Encode(7, 1 << 21, 42));
  SegmentIndex back;
  ASSERT_TRUE(back.Decode(file, 7));
  ASSERT_EQ(back.records().size(), idx.records().size());
  EXPECT_EQ(back.records()[5].seq, 5u);
  EXPECT_EQ(back.subjects(), idx.subjects());
  EXPECT_EQ(back.covered_size(), uint64_t{1} << 21);
  EXPECT_EQ(back.tail_crc(), 42u);
}

TEST(SegmentIndexTest, EncodeToStopsAtTheFirstRefusedPiece) {
  const SegmentIndex idx = ManyRecords(10000);
  int calls = 0;
  EXPECT_FALSE(idx.EncodeTo(7, 1 << 21, 42, [&](absl::string_view) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace jsengine::storesvc
