#include "storesvc/stream_meta.h"

#include <fstream>
#include <optional>
#include <string>

#include "common/crc32c.h"
#include "gtest/gtest.h"
#include "storesvc/file_format.h"
#include "storesvc/store_error.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

v1::StreamInfo Info(const std::string& name) {
  v1::StreamInfo info;
  info.mutable_config()->set_name(name);
  info.mutable_config()->add_subjects("orders.>");
  info.mutable_config()->set_max_msgs(1000);
  info.set_created_ns(1700000000123456789);
  return info;
}

// A frame with a valid checksum around any version and payload.
std::string Frame(uint32_t version, const std::string& payload) {
  std::string file;
  file_format::PutFixed64(&file, kStreamMetaMagic);
  file_format::PutFixed32(&file, version);
  file_format::PutFixed32(&file, static_cast<uint32_t>(payload.size()));
  const uint32_t crc = common::crc32c::Extend(common::crc32c::Value(file.data(), file.size()),
                                              payload.data(), payload.size());
  file_format::PutFixed32(&file, common::crc32c::Mask(crc));
  return file + payload;
}

std::optional<StoreErrc> DecodeError(const std::string& file, const std::string& name) {
  return StoreErrorOf(DecodeStreamMeta(file, name).status());
}

TEST(StreamMetaTest, RoundTrip) {
  const std::string file = EncodeStreamMeta(Info("ORDERS"));
  EXPECT_EQ(file.substr(0, 8), "jsmeta01");
  EXPECT_EQ(file, Frame(kStreamMetaVersion, Info("ORDERS").SerializeAsString()));
  auto info = DecodeStreamMeta(file, "ORDERS");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->SerializeAsString(), Info("ORDERS").SerializeAsString());
}

TEST(StreamMetaTest, ReadsUnframedFilesOfEarlierVersions) {
  const std::string file = Info("ORDERS").SerializeAsString();
  ASSERT_EQ(file[0], kUnframedStreamMetaTag);
  auto info = DecodeStreamMeta(file, "ORDERS");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->created_ns(), 1700000000123456789);
  EXPECT_EQ(DecodeError(file, "OTHER"), StoreErrc::kBadMeta);
  EXPECT_EQ(DecodeError(file.substr(0, file.size() - 1), "ORDERS"), StoreErrc::kBadMeta);
}

TEST(StreamMetaTest, EveryTruncationIsBadMeta) {
  const std::string file = EncodeStreamMeta(Info("ORDERS"));
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_EQ(DecodeError(file.substr(0, n), "ORDERS"), StoreErrc::kBadMeta) << n << " bytes";
  }
}

TEST(StreamMetaTest, EveryFlippedBitIsBadMeta) {
  const std::string file = EncodeStreamMeta(Info("ORDERS"));
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string damaged = file;
    damaged[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_EQ(DecodeError(damaged, "ORDERS"), StoreErrc::kBadMeta)
        << "bit " << bit % 8 << " of byte " << bit / 8
        << (bit / 8 < kStreamMetaHeaderSize ? " (header)" : " (payload)");
  }
}

TEST(StreamMetaTest, RefusesOtherFramesAndStreams) {
  const std::string payload = Info("ORDERS").SerializeAsString();
  std::string wrong_magic = Frame(kStreamMetaVersion, payload);
  wrong_magic.replace(0, 8, "JSJESG01");
  EXPECT_EQ(DecodeError(wrong_magic, "ORDERS"), StoreErrc::kBadMeta);
  EXPECT_EQ(DecodeError(Frame(kStreamMetaVersion + 1, payload), "ORDERS"), StoreErrc::kBadMeta);
  EXPECT_EQ(DecodeError(Frame(kStreamMetaVersion, payload) + "x", "ORDERS"), StoreErrc::kBadMeta);
  EXPECT_EQ(DecodeError(Frame(kStreamMetaVersion, "\xff\xff"), "ORDERS"), StoreErrc::kBadMeta);
  EXPECT_EQ(DecodeError(EncodeStreamMeta(Info("ORDERS")), "OTHER"), StoreErrc::kBadMeta);
  EXPECT_EQ(DecodeError("", "ORDERS"), StoreErrc::kBadMeta);
}

TEST(StreamMetaTest, ReadsFilesAndCallsAMissingOneBadMeta) {
  const std::string path = testing::util::MakeTempDir("stream_meta-") + "/meta.pb";
  EXPECT_EQ(StoreErrorOf(ReadStreamMeta(path, "ORDERS").status()), StoreErrc::kBadMeta);
  {
    std::ofstream out(path, std::ios::binary);
    out << EncodeStreamMeta(Info("ORDERS"));
  }
  auto info = ReadStreamMeta(path, "ORDERS");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->config().max_msgs(), 1000);
  const absl::Status foreign = ReadStreamMeta(path, "OTHER").status();
  EXPECT_EQ(StoreErrorOf(foreign), StoreErrc::kBadMeta);
  EXPECT_NE(foreign.message().find(path), absl::string_view::npos) << foreign;
}

}  // namespace
}  // namespace jsengine::storesvc
