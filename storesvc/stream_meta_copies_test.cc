#include "storesvc/stream_meta_copies.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "common/durable_file.h"
#include "gtest/gtest.h"
#include "storesvc/store_error.h"
#include "storesvc/stream_meta.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

v1::StreamInfo Info(int64_t max_msgs) {
  v1::StreamInfo info;
  info.mutable_config()->set_name("ORDERS");
  info.mutable_config()->add_subjects("orders.>");
  info.mutable_config()->set_max_msgs(max_msgs);
  info.set_created_ns(1700000000123456789);
  return info;
}

void FlipMiddleBit(const std::string& path) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  const auto size = std::filesystem::file_size(path);
  f.seekg(static_cast<std::streamoff>(size / 2));
  const char c = static_cast<char>(f.get() ^ 0x01);
  f.seekp(static_cast<std::streamoff>(size / 2));
  f.put(c);
}

class StreamMetaCopiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::util::MakeTempDir("meta-copies-");
    ASSERT_TRUE(WriteStreamMetaCopies(dir_, Info(1000)).ok());
  }
  std::string Primary() const { return dir_ + "/" + kStreamMetaFile; }
  std::string Backup() const { return dir_ + "/" + kStreamMetaBackupFile; }
  std::string Contents(const std::string& path) const { return *common::ReadFile(path); }

  // Loads, expects Info(1000), and expects both copies to hold it again.
  void ExpectLoadedAndRepaired() {
    absl::StatusOr<v1::StreamInfo> info = LoadStreamMetaCopies(dir_, "ORDERS");
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->config().max_msgs(), 1000);
    EXPECT_EQ(Contents(Primary()), EncodeStreamMeta(Info(1000)));
    EXPECT_EQ(Contents(Backup()), EncodeStreamMeta(Info(1000)));
  }

  std::string dir_;
};

TEST_F(StreamMetaCopiesTest, WritesTwoEqualCopies) {
  EXPECT_EQ(Contents(Primary()), EncodeStreamMeta(Info(1000)));
  EXPECT_EQ(Contents(Backup()), Contents(Primary()));
  ExpectLoadedAndRepaired();
}

TEST_F(StreamMetaCopiesTest, DamagedPrimaryIsRestoredFromTheBackup) {
  FlipMiddleBit(Primary());
  ExpectLoadedAndRepaired();
}

TEST_F(StreamMetaCopiesTest, MissingPrimaryIsRestoredFromTheBackup) {
  std::filesystem::remove(Primary());
  ExpectLoadedAndRepaired();
}

TEST_F(StreamMetaCopiesTest, DamagedBackupIsRewritten) {
  std::filesystem::resize_file(Backup(), std::filesystem::file_size(Backup()) / 2);
  ExpectLoadedAndRepaired();
}

TEST_F(StreamMetaCopiesTest, MissingBackupOfAnEarlierVersionIsWritten) {
  std::filesystem::remove(Backup());
  ExpectLoadedAndRepaired();
}

TEST_F(StreamMetaCopiesTest, StaleBackupIsReplacedByThePrimary) {
  ASSERT_TRUE(common::WriteFileAtomically(Backup(), EncodeStreamMeta(Info(5))).ok());
  ExpectLoadedAndRepaired();
}

TEST_F(StreamMetaCopiesTest, BothDamagedIsBadMetaNamingBoth) {
  FlipMiddleBit(Primary());
  std::filesystem::remove(Backup());
  absl::StatusOr<v1::StreamInfo> info = LoadStreamMetaCopies(dir_, "ORDERS");
  EXPECT_EQ(StoreErrorOf(info.status()), StoreErrc::kBadMeta);
  EXPECT_NE(info.status().message().find(kStreamMetaFile), absl::string_view::npos);
  EXPECT_NE(info.status().message().find(kStreamMetaBackupFile), absl::string_view::npos);
}

}  // namespace
}  // namespace jsengine::storesvc
