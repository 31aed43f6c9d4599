#include "gateway/jetstream/published_seqs.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

TEST(PublishedSeqsTest, KeepsTheNewestSequenceOfEachStream) {
  PublishedSeqs seqs;
  EXPECT_EQ(seqs.Get("A"), 0u);
  seqs.Raise("A", 5);
  seqs.Raise("A", 3);  // An ack that came late: never lowers it.
  seqs.Raise("B", 1);
  EXPECT_EQ(seqs.Get("A"), 5u);
  EXPECT_EQ(seqs.Get("B"), 1u);
  EXPECT_EQ(seqs.Get("C"), 0u);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
