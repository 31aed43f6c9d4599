#include "storesvc/chunked_queue.h"

#include <cstdint>
#include <deque>
#include <random>
#include <utility>

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

// Small chunks so that the test crosses many chunk boundaries.
using Queue = ChunkedQueue<uint64_t, 4>;

void ExpectSame(const Queue& q, const std::deque<uint64_t>& model) {
  ASSERT_EQ(q.size(), model.size());
  ASSERT_EQ(q.empty(), model.empty());
  for (size_t i = 0; i < model.size(); ++i) ASSERT_EQ(q[i], model[i]) << "at " << i;
}

TEST(ChunkedQueueTest, MatchesDequeUnderRandomPushPopAndWrites) {
  std::mt19937_64 rng(3);
  Queue q;
  std::deque<uint64_t> model;
  for (int op = 0; op < 20000; ++op) {
    const int kind = static_cast<int>(rng() % 10);
    if (kind < 5) {
      const uint64_t v = rng();
      q.push_back(v);
      model.push_back(v);
    } else if (kind < 8) {
      if (model.empty()) continue;
      ASSERT_EQ(q.front(), model.front());
      q.pop_front();
      model.pop_front();
    } else if (!model.empty()) {
      const size_t i = rng() % model.size();
      q[i] = op;
      model[i] = op;
    }
    if (op % 97 == 0) ExpectSame(q, model);
  }
  ExpectSame(q, model);
}

TEST(ChunkedQueueTest, EmptiedQueueStartsAgainAndMoves) {
  Queue q;
  for (uint64_t i = 0; i < 40; ++i) q.push_back(i);
  while (!q.empty()) q.pop_front();
  q.push_back(7);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.front(), 7u);
  Queue moved = std::move(q);
  EXPECT_TRUE(q.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty.
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0], 7u);
}

}  // namespace
}  // namespace jsengine::storesvc
