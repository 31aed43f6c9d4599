#include "storesvc/segment_record.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "storesvc/nats_headers.h"
#include "storesvc/store_error.h"

namespace jsengine::storesvc {
namespace {

TEST(SegmentRecordTest, RoundTrips) {
  std::string buf;
  AppendSegmentHeader(&buf, 42, 7);
  std::string hdr = "NATS/1.0\r\nA: b\r\n\r\n";
  std::string data("\0\1\2", 3);
  AppendMessageRecord(&buf, 42, 99, "sub.ject", hdr, data);
  AppendSeqRecord(&buf, file_format::kTombstone, 41);
  SegmentRecord r;
  size_t off = 0;
  ASSERT_TRUE(ParseSegmentRecord(buf.data(), buf.size(), &r).ok());
  EXPECT_EQ(r.type, file_format::kSegmentHeader);
  EXPECT_EQ(r.seq, 42u);
  EXPECT_EQ(r.ts, 7);
  off += r.total_size;
  ASSERT_TRUE(ParseSegmentRecord(buf.data() + off, buf.size() - off, &r).ok());
  EXPECT_EQ(r.type, file_format::kMessage);
  EXPECT_EQ(r.seq, 42u);
  EXPECT_EQ(r.ts, 99);
  EXPECT_EQ(r.subject, "sub.ject");
  EXPECT_EQ(r.hdr, hdr);
  EXPECT_EQ(r.data, data);
  off += r.total_size;
  ASSERT_TRUE(ParseSegmentRecord(buf.data() + off, buf.size() - off, &r).ok());
  EXPECT_EQ(r.type, file_format::kTombstone);
  EXPECT_EQ(r.seq, 41u);
  EXPECT_EQ(off + r.total_size, buf.size());
}

TEST(SegmentRecordTest, NamedErrors) {
  std::string buf;
  AppendMessageRecord(&buf, 1, 1, "s", "", "data");
  SegmentRecord r;
  EXPECT_EQ(StoreErrorOf(ParseSegmentRecord(buf.data(), 5, &r)), StoreErrc::kShortRead);
  EXPECT_EQ(StoreErrorOf(ParseSegmentRecord(buf.data(), buf.size() - 1, &r)), StoreErrc::kShortRead);
  std::string flipped = buf;
  flipped.back() ^= 1;
  EXPECT_EQ(StoreErrorOf(ParseSegmentRecord(flipped.data(), flipped.size(), &r)),
            StoreErrc::kChecksumMismatch);
  std::string huge = buf;
  huge[4] = huge[5] = huge[6] = huge[7] = '\x7f';
  EXPECT_EQ(StoreErrorOf(ParseSegmentRecord(huge.data(), huge.size(), &r)), StoreErrc::kBadRecord);
}

// Random bytes and random mutations of valid records never crash the
// parsers, and a parsed record never points outside its input.
TEST(SegmentRecordTest, GarbageIsRejectedSafely) {
  std::mt19937_64 rng(99);
  std::string valid;
  AppendMessageRecord(&valid, 5, 5, "a.b", "NATS/1.0\r\nK: v\r\n\r\n", "payload");
  for (int i = 0; i < 20000; ++i) {
    std::string buf;
    if (i % 2 == 0) {
      buf.resize(rng() % 64);
      for (char& c : buf) c = static_cast<char>(rng());
    } else {
      buf = valid;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
        buf[rng() % buf.size()] = static_cast<char>(rng());
      }
      buf.resize(rng() % (buf.size() + 1));
    }
    SegmentRecord r;
    if (ParseSegmentRecord(buf.data(), buf.size(), &r).ok()) {
      ASSERT_LE(r.total_size, buf.size());
      ASSERT_LE(r.data.data() + r.data.size(), buf.data() + buf.size());
    }
    FindHeader(buf, "K");
    FindUintHeader(buf, "K");
    FindHeader("NATS/1.0\r\n" + buf, "K");
  }
}

}  // namespace
}  // namespace jsengine::storesvc
