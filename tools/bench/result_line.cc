#include "tools/bench/result_line.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jsengine::tools::bench {

ResultLine::ResultLine(absl::string_view scenario)
    : line_(absl::StrCat("RESULT scenario=", scenario)) {}

ResultLine& ResultLine::Add(absl::string_view key, double value) {
  absl::StrAppend(&line_, " ", key, "=", absl::StrFormat("%.2f", value));
  return *this;
}

ResultLine& ResultLine::Add(absl::string_view key, int64_t value) {
  absl::StrAppend(&line_, " ", key, "=", value);
  return *this;
}

ResultLine& ResultLine::Add(absl::string_view key, absl::string_view value) {
  absl::StrAppend(&line_, " ", key, "=", value);
  return *this;
}

double PerSecond(double count, double seconds) {
  return seconds > 0 ? count / seconds : 0;
}

double MibPerSecond(double count, int64_t size, double seconds) {
  return PerSecond(count * size, seconds) / (1024.0 * 1024.0);
}

}  // namespace jsengine::tools::bench
