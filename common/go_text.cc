#include "common/go_text.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace jsengine::common {
namespace {

constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Whether `rune`, two or three bytes, encodes a non-ASCII unicode.IsSpace rune.
bool IsMultiByteSpace(std::string_view rune) {
  if (rune.size() == 2) return rune[0] == '\xC2' && (rune[1] == '\x85' || rune[1] == '\xA0');
  const auto b0 = static_cast<unsigned char>(rune[0]);
  const auto b1 = static_cast<unsigned char>(rune[1]);
  const auto b2 = static_cast<unsigned char>(rune[2]);
  if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return false;
  const uint32_t r = (b0 & 0x0Fu) << 12 | (b1 & 0x3Fu) << 6 | (b2 & 0x3Fu);
  return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
         r == 0x205F || r == 0x3000;
}

// The length of the white space rune `s` starts (or, `at_end`, ends) with;
// 0 if none. A valid rune's first bytes decide where it starts and ends, so
// matching the encodings is what utf8.DecodeRune / DecodeLastRune would say.
size_t SpaceLength(std::string_view s, bool at_end) {
  if (s.empty()) return 0;
  if (IsAsciiSpace(at_end ? s.back() : s.front())) return 1;
  for (size_t n : {size_t{2}, size_t{3}}) {
    if (s.size() >= n && IsMultiByteSpace(at_end ? s.substr(s.size() - n) : s.substr(0, n))) {
      return n;
    }
  }
  return 0;
}

absl::Status InvalidDuration(const char* what, std::string_view s) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " \"", absl::CHexEscape(absl::string_view(s.data(), s.size())), "\""));
}

// Nanoseconds in the unit `name`, or 0 if Go's time package has no such unit.
uint64_t UnitNanos(std::string_view name) {
  static constexpr struct {
    std::string_view name;
    uint64_t nanos;
  } kUnits[] = {
      {"ns", 1},
      {"us", 1000},
      {"\xC2\xB5s", 1000},  // U+00B5 micro sign.
      {"\xCE\xBCs", 1000},  // U+03BC Greek mu.
      {"ms", 1000 * 1000},
      {"s", 1000 * 1000 * 1000},
      {"m", uint64_t{60} * 1000 * 1000 * 1000},
      {"h", uint64_t{3600} * 1000 * 1000 * 1000},
  };
  for (const auto& unit : kUnits) {
    if (unit.name == name) return unit.nanos;
  }
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view GoTrimSpace(std::string_view s) {
  while (size_t n = SpaceLength(s, /*at_end=*/false)) s.remove_prefix(n);
  while (size_t n = SpaceLength(s, /*at_end=*/true)) s.remove_suffix(n);
  return s;
}

absl::StatusOr<int64_t> ParseGoDuration(std::string_view s) {
  const std::string_view orig = s;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return InvalidDuration("invalid duration", orig);
  // Unsigned, as in Go: every step stays within 2^63, except that 2^63 + 2^63
  // wraps to 0 in both.
  uint64_t total = 0;
  while (!s.empty()) {
    if (s[0] != '.' && !IsDigit(s[0])) return InvalidDuration("invalid duration", orig);
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > kTwoTo63 / 10) return InvalidDuration("invalid duration", orig);
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kTwoTo63) return InvalidDuration("invalid duration", orig);
    }
    const bool has_whole = i > 0;
    s.remove_prefix(i);
    // The fraction keeps the digits that fit; the rest only lose precision.
    uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool full = false;
      size_t j = 0;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (full) continue;
        const uint64_t next = fraction <= (kTwoTo63 - 1) / 10
                                  ? fraction * 10 + static_cast<uint64_t>(s[j] - '0')
                                  : kTwoTo63 + 1;
        if (next > kTwoTo63) {
          full = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      has_fraction = j > 0;
      s.remove_prefix(j);
    }
    if (!has_whole && !has_fraction) return InvalidDuration("invalid duration", orig);
    size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !IsDigit(s[unit_len])) ++unit_len;
    if (unit_len == 0) return InvalidDuration("missing unit in duration", orig);
    const uint64_t unit = UnitNanos(s.substr(0, unit_len));
    if (unit == 0) return InvalidDuration("unknown unit in duration", orig);
    s.remove_prefix(unit_len);
    if (whole > kTwoTo63 / unit) return InvalidDuration("invalid duration", orig);
    uint64_t nanos = whole * unit;
    if (fraction > 0) {
      // Go computes this in float64; so do we, for the same rounding.
      nanos += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(unit) / scale));
      if (nanos > kTwoTo63) return InvalidDuration("invalid duration", orig);
    }
    total += nanos;
    if (total > kTwoTo63) return InvalidDuration("invalid duration", orig);
  }
  if (negative) {
    return total == kTwoTo63 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
  }
  if (total > kTwoTo63 - 1) return InvalidDuration("invalid duration", orig);
  return static_cast<int64_t>(total);
}

namespace {

// Writes the fraction of v / 10^prec (".12345", trailing zeros and an empty
// fraction left out) before `*w` in `buf`; returns v / 10^prec.
uint64_t FormatFraction(char* buf, int* w, uint64_t v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) buf[--*w] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (print) buf[--*w] = '.';
  return v;
}

void FormatUint(char* buf, int* w, uint64_t v) {
  do {
    buf[--*w] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
}

}  // namespace

std::string FormatGoDuration(int64_t ns) {
  constexpr uint64_t kMicrosecond = 1000, kMillisecond = 1000000, kSecond = 1000000000;
  char buf[32];
  int w = sizeof(buf);
  const bool negative = ns < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (u < kSecond) {
    if (u == 0) return "0s";
    buf[--w] = 's';
    int prec;
    if (u < kMicrosecond) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < kMillisecond) {
      prec = 3;
      buf[--w] = '\xb5';  // U+00B5 MICRO SIGN in UTF-8.
      buf[--w] = '\xc2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    u = FormatFraction(buf, &w, u, prec);
    FormatUint(buf, &w, u);
  } else {
    buf[--w] = 's';
    u = FormatFraction(buf, &w, u, 9);
    FormatUint(buf, &w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      FormatUint(buf, &w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        FormatUint(buf, &w, u);
      }
    }
  }
  if (negative) buf[--w] = '-';
  return std::string(buf + w, sizeof(buf) - w);
}

}  // namespace jsengine::common
