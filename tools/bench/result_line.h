// ResultLine builds the one machine-readable line a benchmark prints per
// scenario, e.g.
//
//   RESULT scenario=pubsub msgs=100000 pub_msgs_per_sec=812345.6
//
// Keys keep insertion order; compare.sh parses the line as key=value words.
// Not thread-safe.
#ifndef JSENGINE_TOOLS_BENCH_RESULT_LINE_H_
#define JSENGINE_TOOLS_BENCH_RESULT_LINE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace jsengine::tools::bench {

class ResultLine {
 public:
  explicit ResultLine(absl::string_view scenario);

  ResultLine& Add(absl::string_view key, double value);
  ResultLine& Add(absl::string_view key, int64_t value);
  ResultLine& Add(absl::string_view key, absl::string_view value);

  const std::string& str() const { return line_; }

 private:
  std::string line_;
};

// Events per second over `seconds`; 0 when no time elapsed.
double PerSecond(double count, double seconds);

// Mebibytes per second for `count` payloads of `size` bytes.
double MibPerSecond(double count, int64_t size, double seconds);

}  // namespace jsengine::tools::bench

#endif  // JSENGINE_TOOLS_BENCH_RESULT_LINE_H_
