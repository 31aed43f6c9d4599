#include "common/memory_releaser.h"

#include <malloc.h>

namespace jsengine::common {

void GiveThreadsTheirOwnArenas() { CapMallocArenas(kMallocArenas); }

void CapMallocArenas(int arenas) { mallopt(M_ARENA_MAX, arenas); }

std::unique_ptr<MemoryReleaser> MemoryReleaser::Start(absl::Duration interval,
                                                      size_t min_free_bytes) {
  std::unique_ptr<MemoryReleaser> releaser(new MemoryReleaser(interval, min_free_bytes));
  releaser->thread_ = std::thread([r = releaser.get()] { r->Loop(); });
  return releaser;
}

MemoryReleaser::MemoryReleaser(absl::Duration interval, size_t min_free_bytes)
    : interval_(interval), min_free_bytes_(min_free_bytes) {}

MemoryReleaser::~MemoryReleaser() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool MemoryReleaser::ReleaseIfWorthIt(size_t min_free_bytes) {
  // fordblks: free bytes in the heaps' bins (what malloc_trim can give back,
  // in whole pages).
  if (mallinfo2().fordblks < min_free_bytes) return false;
  malloc_trim(0);
  return true;
}

void MemoryReleaser::Loop() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) {
    mu_.Unlock();
    ReleaseIfWorthIt(min_free_bytes_);
    mu_.Lock();
  }
}

}  // namespace jsengine::common
