#include "common/memory_releaser.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"
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

// The arenas malloc_info reports.
int Arenas() {
  char* text = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  malloc_info(0, out);
  std::fclose(out);
  int heaps = 0;
  for (const char* p = text; (p = std::strstr(p, "<heap nr=")) != nullptr; ++p) ++heaps;
  std::free(text);
  return heaps;
}

// Eight threads allocating at once, each holding its blocks until all did:
// without a cap most of them get an arena of their own.
int ArenasAfterEightThreadsAllocate() {
  absl::Barrier* barrier = new absl::Barrier(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([barrier] {
      std::vector<std::unique_ptr<char[]>> kept;
      for (int i = 0; i < 2000; ++i) {
        kept.emplace_back(new char[256]);
        std::memset(kept.back().get(), 1, 256);
      }
      if (barrier->Block()) delete barrier;
    });
  }
  for (std::thread& t : threads) t.join();
  return Arenas();
}

TEST(MemoryReleaserDeathTest, CappedArenasAreShared) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // In a fresh process: the cap only holds if set before threads start.
  EXPECT_EXIT(
      {
        CapMallocArenas(kHandOffMallocArenas);
        const int arenas = ArenasAfterEightThreadsAllocate();
        std::fprintf(stderr, "arenas: %d\n", arenas);
        std::exit(arenas >= 1 && arenas <= kHandOffMallocArenas ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "arenas: ");
  EXPECT_EXIT(
      {
        GiveThreadsTheirOwnArenas();
        const int arenas = ArenasAfterEightThreadsAllocate();
        std::fprintf(stderr, "arenas: %d\n", arenas);
        std::exit(arenas > kHandOffMallocArenas ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "arenas: ");
}

TEST(MemoryReleaserTest, StartsAndStops) {
  auto releaser = MemoryReleaser::Start(absl::Milliseconds(1), 0);
  AllocateAndFree(64, 16 << 10);
  absl::SleepFor(absl::Milliseconds(20));
  releaser.reset();
}

}  // namespace
}  // namespace jsengine::common
