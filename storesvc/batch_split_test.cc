#include "storesvc/batch_split.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

v1::MessageBatch BatchOf(const std::vector<size_t>& payload_sizes) {
  v1::MessageBatch batch;
  batch.set_stream_first_seq(1);
  batch.set_stream_last_seq(99);
  batch.set_read_through_seq(50);
  uint64_t seq = 10;
  for (size_t size : payload_sizes) {
    v1::StoredMessage* m = batch.add_messages();
    m->set_seq(seq++);
    m->set_subject("s");
    m->set_data(std::string(size, 'x'));
  }
  return batch;
}

// The payload sizes of each piece.
std::vector<std::vector<size_t>> Shape(const std::vector<v1::MessageBatch>& pieces) {
  std::vector<std::vector<size_t>> shape;
  for (const v1::MessageBatch& p : pieces) {
    shape.emplace_back();
    for (const v1::StoredMessage& m : p.messages()) shape.back().push_back(m.data().size());
  }
  return shape;
}

TEST(SplitBatchTest, SmallBatchStaysWhole) {
  auto pieces = SplitBatch(BatchOf({10, 20, 30}), 1000);
  EXPECT_EQ(Shape(pieces), (std::vector<std::vector<size_t>>{{10, 20, 30}}));
}

TEST(SplitBatchTest, CutsBeforeTheMessageThatWouldOverflow) {
  auto pieces = SplitBatch(BatchOf({400, 400, 400, 100, 900}), 1000);
  EXPECT_EQ(Shape(pieces), (std::vector<std::vector<size_t>>{{400, 400}, {400, 100}, {900}}));
  uint64_t seq = 10;
  for (const v1::MessageBatch& p : pieces) {
    EXPECT_EQ(p.stream_first_seq(), 1u);
    EXPECT_EQ(p.stream_last_seq(), 99u);
    for (const v1::StoredMessage& m : p.messages()) EXPECT_EQ(m.seq(), seq++);
  }
  // Read through its last message each; the last piece as far as the batch.
  EXPECT_EQ(pieces[0].read_through_seq(), 11u);
  EXPECT_EQ(pieces[1].read_through_seq(), 13u);
  EXPECT_EQ(pieces[2].read_through_seq(), 50u);
}

TEST(SplitBatchTest, ReadsBySeqsStayWithoutReadThrough) {
  v1::MessageBatch batch = BatchOf({400, 400});
  batch.set_read_through_seq(0);
  for (const v1::MessageBatch& p : SplitBatch(batch, 500)) EXPECT_EQ(p.read_through_seq(), 0u);
}

TEST(SplitBatchTest, OversizedMessageIsAPieceOfItsOwn) {
  auto pieces = SplitBatch(BatchOf({10, 5000, 10}), 1000);
  EXPECT_EQ(Shape(pieces), (std::vector<std::vector<size_t>>{{10}, {5000}, {10}}));
}

TEST(SplitBatchTest, EmptyBatchKeepsItsSequences) {
  auto pieces = SplitBatch(BatchOf({}), 1000);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].messages_size(), 0);
  EXPECT_EQ(pieces[0].stream_last_seq(), 99u);
}

}  // namespace
}  // namespace jsengine::storesvc
