// Go standard-library text functions that nats-server applies to untrusted
// input, reproduced exactly so that we accept and reject what it does:
//
//   std::string_view arg = GoTrimSpace(payload.substr(4));     // bytes.TrimSpace
//   absl::StatusOr<int64_t> ns = ParseGoDuration(arg);         // time.ParseDuration
//
// Thread-safe: pure functions; results point into the caller's buffer.
#ifndef JSENGINE_COMMON_GO_TEXT_H_
#define JSENGINE_COMMON_GO_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jsengine::common {

// `s` without the leading and trailing white space Go's unicode.IsSpace
// knows: ASCII \t \n \v \f \r and space, and the UTF-8 encodings of U+0085,
// U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
// Invalid UTF-8 is not white space.
std::string_view GoTrimSpace(std::string_view s);

// Go's time.ParseDuration, in nanoseconds: an optional sign, then one or
// more decimal numbers with optional fraction, each with a unit (ns, us, µs,
// μs, ms, s, m, h), e.g. "1h2m3.5s", "-1.5ms"; or "0" alone. Anything else,
// and totals beyond int64 (except exactly -2^63), are InvalidArgument.
absl::StatusOr<int64_t> ParseGoDuration(std::string_view s);

// Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "2µs", "0s".
std::string FormatGoDuration(int64_t ns);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_GO_TEXT_H_
