// LatencySamples collects individual durations (for example one per request
// or per fsync) and answers nearest-rank percentiles over them.
//
//   LatencySamples s;
//   s.Add(absl::Microseconds(42));
//   double p99_us = s.PercentileMicros(99);
//
// Not thread-safe: one owner records, then reads.
#ifndef JSENGINE_TOOLS_BENCH_LATENCY_SAMPLES_H_
#define JSENGINE_TOOLS_BENCH_LATENCY_SAMPLES_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace jsengine::tools::bench {

class LatencySamples {
 public:
  void Reserve(size_t n) { nanos_.reserve(n); }
  void Add(absl::Duration d);

  size_t count() const { return nanos_.size(); }

  // Nearest-rank percentile in microseconds, p in [0, 100]; 0 when empty.
  double PercentileMicros(double p);
  double MeanMicros() const;

 private:
  std::vector<int64_t> nanos_;
  bool sorted_ = true;
};

}  // namespace jsengine::tools::bench

#endif  // JSENGINE_TOOLS_BENCH_LATENCY_SAMPLES_H_
