#include "common/go_text.h"

#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(GoTrimSpaceTest, TrimsWhatUnicodeIsSpaceKnows) {
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"", ""},
      {" \t\n\v\f\r", ""},
      {" a b ", "a b"},
      {"\r\nabc\r\n", "abc"},
      {"\xC2\x85x\xC2\xA0", "x"},                      // U+0085, U+00A0.
      {"\xE1\x9A\x80x\xE2\x80\x80", "x"},              // U+1680, U+2000.
      {"\xE2\x80\x8Ax\xE2\x80\xA8\xE2\x80\xA9", "x"},  // U+200A, U+2028, U+2029.
      {"\xE2\x80\xAFx\xE2\x81\x9F\xE3\x80\x80", "x"},  // U+202F, U+205F, U+3000.
      {"\xE2\x80\x8Bx", "\xE2\x80\x8Bx"},              // U+200B is not white space.
      {"\x85x\xA0", "\x85x\xA0"},                      // Invalid UTF-8 is not either.
      {"x\xC3\xA0", "x\xC3\xA0"},                      // U+00E0 ends in A0 but is a letter.
      {"\xE2\x80x", "\xE2\x80x"},
      {"\x1Cx\x1F", "\x1Cx\x1F"},  // ASCII separators: not in unicode.IsSpace.
      {"\xC2\xA0", ""},
      {std::string("\0x", 2), std::string("\0x", 2)},
  };
  for (const auto& c : cases) EXPECT_EQ(GoTrimSpace(c.in), c.out) << c.in;
}

TEST(GoTrimSpaceTest, ResultViewsTheInput) {
  const std::string s = "  ab ";
  std::string_view t = GoTrimSpace(s);
  EXPECT_EQ(t.data(), s.data() + 2);
  EXPECT_EQ(t.size(), 2u);
}

constexpr int64_t kSecond = 1000 * 1000 * 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

TEST(ParseGoDurationTest, AcceptsWhatGoAccepts) {
  const struct {
    std::string in;
    int64_t ns;
  } cases[] = {
      {"0", 0},
      {"-0", 0},
      {"+0", 0},
      {"5s", 5 * kSecond},
      {"+5s", 5 * kSecond},
      {"-5s", -5 * kSecond},
      {"0s", 0},
      {"1478s", 1478 * kSecond},
      {"5.0s", 5 * kSecond},
      {"5.6s", 5 * kSecond + 600 * 1000 * 1000},
      {"5.s", 5 * kSecond},
      {".5s", kSecond / 2},
      {"1.004s", kSecond + 4 * 1000 * 1000},
      {"100.00100s", 100 * kSecond + 1000 * 1000},
      {"10ns", 10},
      {"11us", 11 * 1000},
      {"12\xC2\xB5s", 12 * 1000},
      {"12\xCE\xBCs", 12 * 1000},
      {"13ms", 13 * 1000 * 1000},
      {"15m", 15 * kMinute},
      {"16h", 16 * kHour},
      {"3h30m", 3 * kHour + 30 * kMinute},
      {"10.5s4m", 4 * kMinute + 10 * kSecond + kSecond / 2},
      {"-2m3.4s", -(2 * kMinute + 3 * kSecond + 400 * 1000 * 1000)},
      {"1h2m3s4ms5us6ns", kHour + 2 * kMinute + 3 * kSecond + 4000000 + 5000 + 6},
      {"39h9m14.425s", 39 * kHour + 9 * kMinute + 14 * kSecond + 425 * 1000 * 1000},
      {"0.3333333333333333333h", 20 * kMinute},
      {"9007199254740993ns", (int64_t{1} << 53) + 1},
      {"9223372036854775807ns", std::numeric_limits<int64_t>::max()},
      {"9223372036854775.807us", std::numeric_limits<int64_t>::max()},
      {"9223372036854ms775us807ns", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808ns", std::numeric_limits<int64_t>::min()},
      {"-9223372036854775.808us", std::numeric_limits<int64_t>::min()},
      {"-9223372036854ms775us808ns", std::numeric_limits<int64_t>::min()},
      {"-2562047h47m16.854775808s", std::numeric_limits<int64_t>::min()},
      {"0.100000000000000000000h", 6 * kMinute},
      // Go's float64 step, to the nanosecond.
      {"0.830103483285477580700h", 49 * kMinute + 48 * kSecond + 372539827},
      // Go's uint64 sum: 2^63 + 2^63 wraps to 0.
      {"9223372036854775808ns9223372036854775808ns", 0},
  };
  for (const auto& c : cases) {
    absl::StatusOr<int64_t> d = ParseGoDuration(c.in);
    ASSERT_TRUE(d.ok()) << c.in << ": " << d.status();
    EXPECT_EQ(*d, c.ns) << c.in;
  }
}

TEST(ParseGoDurationTest, RejectsWhatGoRejects) {
  const std::string cases[] = {
      "",
      "3",
      "-",
      "+",
      "s",
      ".",
      "-.",
      ".s",
      "+.s",
      "1d",
      "1 s",
      " 1s",
      "1s ",
      "1S",
      "1sec",
      "1.2.3s",
      "1e3s",
      "00",
      "-00",
      "--1s",
      "\x85\x85",
      "\xff\xff",
      "hello \xff\xff world",
      "1\xC2\xB5",
      "9223372036854775808ns",
      "9223372036854775.808us",
      "9223372036854ms775us808ns",
      "-9223372036854775809ns",
      "3000000h",
      "99999999999999999999ns",
      std::string("1s\0", 3),
  };
  for (const std::string& c : cases) EXPECT_FALSE(ParseGoDuration(c).ok()) << c;
}

TEST(GoTextTest, FormatsDurationsAsGo) {
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(1), "1ns");
  EXPECT_EQ(FormatGoDuration(999), "999ns");
  EXPECT_EQ(FormatGoDuration(1000), "1\u00b5s");
  EXPECT_EQ(FormatGoDuration(1500), "1.5\u00b5s");
  EXPECT_EQ(FormatGoDuration(1000000), "1ms");
  EXPECT_EQ(FormatGoDuration(1234567), "1.234567ms");
  EXPECT_EQ(FormatGoDuration(1000000000), "1s");
  EXPECT_EQ(FormatGoDuration(1500000000), "1.5s");
  EXPECT_EQ(FormatGoDuration(60000000000), "1m0s");
  EXPECT_EQ(FormatGoDuration(3723500000000), "1h2m3.5s");
  EXPECT_EQ(FormatGoDuration(-1500000), "-1.5ms");
  EXPECT_EQ(FormatGoDuration(INT64_MIN), "-2562047h47m16.854775808s");
  for (int64_t ns : {int64_t{1}, int64_t{1500}, int64_t{1234567}, int64_t{3723500000000}}) {
    EXPECT_EQ(ParseGoDuration(FormatGoDuration(ns)).value(), ns);
  }
}

}  // namespace
}  // namespace jsengine::common
