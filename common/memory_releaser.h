// MemoryReleaser: hands the heap memory the allocator keeps after frees back
// to the OS, from a background thread, as Go's scavenger does for
// nats-server.
//
// glibc's malloc returns freed memory to the OS only from the top of each
// heap, and raises its mmap threshold to the size of every large block
// freed, so after a burst of large allocations (a segment's index, a
// journal fold, a big delivery batch) a process keeps tens of MiB it no
// longer uses. Every `interval` the releaser looks at how much the
// allocator holds free (mallinfo2) and, past `min_free_bytes`, calls
// malloc_trim(0), which gives back every whole free page. Allocation paths
// are untouched (tuning the thresholds instead cost a third of a consumer's
// throughput in page faults).
//
//   common::GiveThreadsTheirOwnArenas();               // first thing in main
//                                                      // (or CapMallocArenas)
//   auto releaser = common::MemoryReleaser::Start();
//
// Thread-safety: Start and destruction from one thread.
#ifndef JSENGINE_COMMON_MEMORY_RELEASER_H_
#define JSENGINE_COMMON_MEMORY_RELEASER_H_

#include <cstddef>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace jsengine::common {

// glibc caps malloc's arenas at 8 per core (16 here), and the gateway runs
// about 25 threads, so busy threads (an event loop and a store reader) ended
// up sharing an arena and fighting over its lock: 0.9 futex calls per
// consumed message, a quarter of the gateway's CPU. Raises the cap to
// kMallocArenas; call before any thread starts. Costs 1.5-4 MiB of peak RSS
// in the consume benchmarks.
inline constexpr int kMallocArenas = 32;
void GiveThreadsTheirOwnArenas();

// consumersvc's threads mostly hand memory on (a gRPC thread reads a batch,
// a strand thread frees it), so an arena per thread bought no speed and kept
// each busy thread's churn (1-2.5 MiB apiece, 10 MiB held for 2.3 MiB in use
// in js-consume-pull) as free heap: two arenas cut its peak RSS by ~3 MiB.
inline constexpr int kHandOffMallocArenas = 2;
// Caps malloc's arenas at `arenas`; call before any thread starts.
void CapMallocArenas(int arenas);

class MemoryReleaser {
 public:
  static std::unique_ptr<MemoryReleaser> Start(absl::Duration interval = absl::Milliseconds(200),
                                               size_t min_free_bytes = size_t{4} << 20);
  ~MemoryReleaser();

  MemoryReleaser(const MemoryReleaser&) = delete;
  MemoryReleaser& operator=(const MemoryReleaser&) = delete;

  // Releases now if the allocator holds at least `min_free_bytes` free;
  // returns whether it did.
  static bool ReleaseIfWorthIt(size_t min_free_bytes);

 private:
  MemoryReleaser(absl::Duration interval, size_t min_free_bytes);
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  const absl::Duration interval_;
  const size_t min_free_bytes_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_MEMORY_RELEASER_H_
