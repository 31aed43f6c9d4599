#include "tools/bench/process_memory.h"

#include <unistd.h>

#include <cstring>
#include <memory>

#include "gtest/gtest.h"

namespace jsengine::tools::bench {
namespace {

TEST(StatusFieldKibTest, ReadsTheField) {
  const char* status = "Name:\tgateway\nVmPeak:\t  900 kB\nVmHWM:\t   75432 kB\nVmRSS:\t 1234 kB\n";
  EXPECT_EQ(*StatusFieldKib(status, "VmHWM"), 75432);
  EXPECT_EQ(*StatusFieldKib(status, "VmRSS"), 1234);
  EXPECT_FALSE(StatusFieldKib(status, "VmSwap").ok());
  EXPECT_FALSE(StatusFieldKib("VmRSS:\tlots\n", "VmRSS").ok());
}

TEST(ParsePidsTest, CommaSeparated) {
  EXPECT_EQ(*ParsePids("12,34, 56"), (std::vector<pid_t>{12, 34, 56}));
  EXPECT_TRUE(ParsePids("")->empty());
  EXPECT_FALSE(ParsePids("12,x").ok());
  EXPECT_FALSE(ParsePids("-3").ok());
}

TEST(ProcessMemoryTest, PeakFollowsThisProcessAndResets) {
  ProcessMemory self({getpid()});
  ASSERT_TRUE(self.ResetPeak().ok());
  const int64_t before = *self.PeakKib();
  constexpr size_t kBytes = 64 << 20;
  {
    std::unique_ptr<char[]> block(new char[kBytes]);
    std::memset(block.get(), 1, kBytes);
    std::vector<int64_t> each;
    EXPECT_GE(*self.RssKib(&each), before + (kBytes >> 10) / 2);
    EXPECT_EQ(each.size(), 1u);
  }
  EXPECT_GE(*self.PeakKib(), before + (kBytes >> 10) / 2);
  ASSERT_TRUE(self.ResetPeak().ok());
  EXPECT_LT(*self.PeakKib(), before + (kBytes >> 10) / 2);
}

TEST(ProcessMemoryTest, MissingProcessIsAnError) {
  ProcessMemory gone({1 << 30});
  EXPECT_FALSE(gone.RssKib().ok());
}

}  // namespace
}  // namespace jsengine::tools::bench
