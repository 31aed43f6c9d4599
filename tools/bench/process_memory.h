// ProcessMemory: the resident memory of a server under test, read from
// /proc/<pid>/status, summed over its processes (one for nats-server or the
// embedded gateway; storesvc, consumersvc and gateway when separate).
//
//   ProcessMemory server({pid});
//   server.ResetPeak();                 // the kernel's VmHWM := VmRSS now
//   ... run a scenario ...
//   absl::StatusOr<int64_t> peak = server.PeakKib();
//
// The peak reset writes "5" to /proc/<pid>/clear_refs (Linux >= 4.0), which
// only the process's owner may do. A sum of per-process peaks is an upper
// bound of the deployment's peak (the processes need not peak together).
// Not thread-safe.
#ifndef JSENGINE_TOOLS_BENCH_PROCESS_MEMORY_H_
#define JSENGINE_TOOLS_BENCH_PROCESS_MEMORY_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::tools::bench {

// The value in KiB of `field` ("VmRSS", "VmHWM", ...) in the text of a
// /proc/<pid>/status file.
absl::StatusOr<int64_t> StatusFieldKib(absl::string_view status, absl::string_view field);

// Parses "123,456" into pids; empty text gives none.
absl::StatusOr<std::vector<pid_t>> ParsePids(absl::string_view text);

class ProcessMemory {
 public:
  explicit ProcessMemory(std::vector<pid_t> pids) : pids_(std::move(pids)) {}

  bool empty() const { return pids_.empty(); }
  const std::vector<pid_t>& pids() const { return pids_; }

  absl::Status ResetPeak() const;
  // Sums over the processes; `each` (if given) gets every process's value.
  absl::StatusOr<int64_t> RssKib(std::vector<int64_t>* each = nullptr) const;
  absl::StatusOr<int64_t> PeakKib(std::vector<int64_t>* each = nullptr) const;

 private:
  absl::StatusOr<int64_t> Sum(absl::string_view field, std::vector<int64_t>* each) const;

  std::vector<pid_t> pids_;
};

}  // namespace jsengine::tools::bench

#endif  // JSENGINE_TOOLS_BENCH_PROCESS_MEMORY_H_
