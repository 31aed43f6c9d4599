#include "common/checksummed_record.h"

#include <string>

#include "common/coding.h"
#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

std::string Record(uint8_t type, const std::string& body) {
  std::string out;
  const size_t start = StartRecord(&out, type);
  out.append(body);
  FinishRecord(&out, start);
  return out;
}

TEST(ChecksummedRecordTest, RoundTripsBackToBack) {
  const std::string buf = Record(7, "hello") + Record(8, "");
  RecordView rec;
  ASSERT_EQ(ReadRecord(buf, 100, &rec), RecordStatus::kOk);
  EXPECT_EQ(rec.type, 7);
  EXPECT_EQ(rec.body, "hello");
  EXPECT_EQ(rec.size, kRecordHeaderSize + 5);
  ASSERT_EQ(ReadRecord(absl::string_view(buf).substr(rec.size), 100, &rec), RecordStatus::kOk);
  EXPECT_EQ(rec.type, 8);
  EXPECT_EQ(rec.body, "");
  EXPECT_EQ(Fixed32(buf.data() + kRecordLengthOffset), 5u);
}

TEST(ChecksummedRecordTest, EveryTruncationIsShort) {
  const std::string buf = Record(1, "body bytes");
  for (size_t n = 0; n < buf.size(); ++n) {
    RecordView rec;
    EXPECT_EQ(ReadRecord(buf.substr(0, n), 100, &rec), RecordStatus::kShort) << n;
    EXPECT_EQ(rec.size, n < kRecordHeaderSize ? kRecordHeaderSize : buf.size()) << n;
  }
}

TEST(ChecksummedRecordTest, EveryFlippedBitIsCaught) {
  const std::string buf = Record(1, "body bytes");
  for (size_t bit = 0; bit < buf.size() * 8; ++bit) {
    std::string damaged = buf;
    damaged[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    RecordView rec;
    EXPECT_NE(ReadRecord(damaged, 100, &rec), RecordStatus::kOk) << "bit " << bit;
  }
}

TEST(ChecksummedRecordTest, RefusesBodiesAboveTheMaximum) {
  const std::string buf = Record(1, std::string(11, 'x'));
  RecordView rec;
  EXPECT_EQ(ReadRecord(buf, 10, &rec), RecordStatus::kTooLarge);
  EXPECT_EQ(rec.size, buf.size());
  EXPECT_EQ(ReadRecord(buf, 11, &rec), RecordStatus::kOk);
}

}  // namespace
}  // namespace jsengine::common
