#include "common/framed_file.h"

#include <string>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

constexpr uint64_t kMagic = 0x3130747365746d66ull;  // "fmtest01"

TEST(FramedFileTest, RoundTrip) {
  const std::string file = EncodeFrame(kMagic, 3, "payload");
  EXPECT_EQ(file.size(), kFrameHeaderSize + 7);
  absl::StatusOr<absl::string_view> payload = DecodeFrame(file, kMagic, 3);
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(*payload, "payload");
  EXPECT_TRUE(DecodeFrame(EncodeFrame(kMagic, 1, ""), kMagic, 1).ok());
}

TEST(FramedFileTest, SaysWhatIsWrong) {
  const std::string file = EncodeFrame(kMagic, 3, "payload");
  EXPECT_EQ(DecodeFrame(file, kMagic + 1, 3).status().message(), "bad magic");
  EXPECT_EQ(DecodeFrame(file, kMagic, 4).status().message(), "unknown version 3");
  EXPECT_EQ(DecodeFrame(file + "x", kMagic, 3).status().message(), "length 7 but 8 payload bytes");
  EXPECT_EQ(DecodeFrame(file.substr(0, 19), kMagic, 3).status().message(), "truncated header");
  std::string flipped = file;
  flipped.back() ^= 1;
  EXPECT_EQ(DecodeFrame(flipped, kMagic, 3).status().message(), "checksum mismatch");
  EXPECT_EQ(DecodeFrame(flipped, kMagic, 3).status().code(), absl::StatusCode::kDataLoss);
}

TEST(FramedFileTest, EveryTruncationAndFlippedBitFails) {
  const std::string file = EncodeFrame(kMagic, 1, "some payload");
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_FALSE(DecodeFrame(file.substr(0, n), kMagic, 1).ok()) << n << " bytes";
  }
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string damaged = file;
    damaged[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(DecodeFrame(damaged, kMagic, 1).ok()) << "bit " << bit;
  }
}

}  // namespace
}  // namespace jsengine::common
