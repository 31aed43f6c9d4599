#include "tools/bench/latency_samples.h"

#include <algorithm>
#include <cmath>

namespace jsengine::tools::bench {

void LatencySamples::Add(absl::Duration d) {
  int64_t ns = absl::ToInt64Nanoseconds(d);
  if (!nanos_.empty() && ns < nanos_.back()) sorted_ = false;
  nanos_.push_back(ns);
}

double LatencySamples::PercentileMicros(double p) {
  if (nanos_.empty()) return 0;
  if (!sorted_) {
    std::sort(nanos_.begin(), nanos_.end());
    sorted_ = true;
  }
  p = std::clamp(p, 0.0, 100.0);
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * nanos_.size()));
  size_t index = rank == 0 ? 0 : rank - 1;
  return nanos_[index] / 1000.0;
}

double LatencySamples::MeanMicros() const {
  if (nanos_.empty()) return 0;
  long double sum = 0;
  for (int64_t ns : nanos_) sum += ns;
  return static_cast<double>(sum / nanos_.size() / 1000.0);
}

}  // namespace jsengine::tools::bench
