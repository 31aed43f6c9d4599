#include "storesvc/nats_headers.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace jsengine::storesvc {
namespace {

constexpr absl::string_view kVersionLine = "NATS/1.0";

absl::string_view TrimSpaces(absl::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<absl::string_view> FindHeader(absl::string_view block, absl::string_view key) {
  if (!absl::StartsWith(block, kVersionLine)) return std::nullopt;
  size_t eol = block.find("\r\n");
  if (eol == absl::string_view::npos) return std::nullopt;
  size_t pos = eol + 2;
  while (pos < block.size()) {
    size_t end = block.find("\r\n", pos);
    absl::string_view line =
        block.substr(pos, end == absl::string_view::npos ? absl::string_view::npos : end - pos);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon != absl::string_view::npos && line.substr(0, colon) == key) {
      return TrimSpaces(line.substr(colon + 1));
    }
    if (end == absl::string_view::npos) break;
    pos = end + 2;
  }
  return std::nullopt;
}

std::optional<uint64_t> FindUintHeader(absl::string_view block, absl::string_view key) {
  std::optional<absl::string_view> value = FindHeader(block, key);
  if (!value.has_value() || value->empty()) return std::nullopt;
  uint64_t n = 0;
  if (!std::all_of(value->begin(), value->end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(*value, &n)) {
    return std::numeric_limits<uint64_t>::max();
  }
  return n;
}

}  // namespace jsengine::storesvc
