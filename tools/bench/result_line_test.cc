#include "tools/bench/result_line.h"

#include "gtest/gtest.h"

namespace jsengine::tools::bench {
namespace {

TEST(ResultLineTest, KeysInInsertionOrder) {
  ResultLine line("pub");
  line.Add("msgs", int64_t{1000}).Add("msgs_per_sec", 2500.5).Add("ok", "yes");
  EXPECT_EQ(line.str(),
            "RESULT scenario=pub msgs=1000 msgs_per_sec=2500.50 ok=yes");
}

TEST(ResultLineTest, Rates) {
  EXPECT_DOUBLE_EQ(PerSecond(100, 2), 50);
  EXPECT_DOUBLE_EQ(PerSecond(100, 0), 0);
  EXPECT_DOUBLE_EQ(MibPerSecond(1024, 1024, 1), 1);
}

}  // namespace
}  // namespace jsengine::tools::bench
