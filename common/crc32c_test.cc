#include "common/crc32c.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace jsengine::common::crc32c {
namespace {

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 B.4 test vectors.
  std::string zeros(32, '\0');
  EXPECT_EQ(Value(zeros.data(), zeros.size()), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(Value(ones.data(), ones.size()), 0x62a8ab43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Value(inc.data(), inc.size()), 0x46dd794eu);
  EXPECT_EQ(Value("123456789", 9), 0xe3069283u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string s = "hello world, a longer string to cross the 8 byte boundary";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Extend(Value(s.data(), cut), s.data() + cut, s.size() - cut),
              Value(s.data(), s.size()));
  }
}

TEST(Crc32cTest, SelectedImplementationMatchesPortable) {
  std::mt19937 rng(9);
  std::string data(3 * 8192 * 3 + 13, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t off : {0, 1, 3, 8}) {
    // Long ones cross the three-stream block sizes (3 x 256, 3 x 8192).
    for (size_t n :
         {0, 1, 7, 8, 9, 63, 64, 767, 768, 1000, 4096, 24575, 24576, 24576 + 771, 3 * 24576}) {
      const uint32_t init = static_cast<uint32_t>(rng());
      EXPECT_EQ(Extend(init, data.data() + off, n),
                internal::ExtendPortable(init, data.data() + off, n))
          << "offset " << off << " length " << n;
    }
  }
}

TEST(Crc32cTest, MaskRoundTrips) {
  uint32_t crc = Value("foo", 3);
  EXPECT_NE(Mask(crc), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
}

}  // namespace
}  // namespace jsengine::common::crc32c
