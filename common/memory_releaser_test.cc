#include "common/memory_releaser.h"

#include <malloc.h>

#include <cstring>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

// Many blocks below the mmap threshold, freed: the heap keeps them free
// until they are released.
void AllocateAndFree(size_t blocks, size_t size) {
  std::vector<std::unique_ptr<char[]>> kept;
  for (size_t i = 0; i < blocks; ++i) {
    kept.emplace_back(new char[size]);
    std::memset(kept.back().get(), 1, size);
  }
}

TEST(MemoryReleaserTest, ReleasesOnlyPastTheThreshold) {
  AllocateAndFree(512, 16 << 10);
  EXPECT_FALSE(MemoryReleaser::ReleaseIfWorthIt(size_t{1} << 40));
  EXPECT_TRUE(MemoryReleaser::ReleaseIfWorthIt(0));
}

TEST(MemoryReleaserTest, ArenasCanBeRaisedBeforeThreadsStart) {
  GiveThreadsTheirOwnArenas();
  AllocateAndFree(8, 1 << 10);
}

TEST(MemoryReleaserTest, StartsAndStops) {
  auto releaser = MemoryReleaser::Start(absl::Milliseconds(1), 0);
  AllocateAndFree(64, 16 << 10);
  absl::SleepFor(absl::Milliseconds(20));
  releaser.reset();
}

}  // namespace
}  // namespace jsengine::common
