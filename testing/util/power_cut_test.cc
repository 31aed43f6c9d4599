#include "testing/util/power_cut.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::util {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

void Sync(const std::string& path, bool data_only = false) {
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(data_only ? fdatasync(fd) : fsync(fd), 0) << path;
  close(fd);
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(PowerCutTest, KeepsWhatWasSyncedAndNothingElse) {
  const std::string root = MakeTempDir("power_cut-");
  const std::string images = MakeTempDir("power_cut_images-");
  Write(root + "/old", "before");
  PowerCut power_cut(root);

  Write(root + "/old", "changed, never synced");
  Write(root + "/synced", "v1");
  Sync(root + "/synced", /*data_only=*/true);
  Write(root + "/unsynced", "lost");
  fs::create_directory(root + "/sub");
  Write(root + "/sub/file", "in sub");
  Sync(root + "/sub/file");
  power_cut.Image(images + "/1");
  // No directory was synced: only what was there at the start.
  EXPECT_EQ(Read(images + "/1/old"), "before");
  EXPECT_FALSE(fs::exists(images + "/1/synced"));
  EXPECT_FALSE(fs::exists(images + "/1/sub"));

  Sync(root);
  Write(root + "/synced", "v2, never synced");
  power_cut.Image(images + "/2");
  EXPECT_EQ(Read(images + "/2/old"), "before");
  EXPECT_EQ(Read(images + "/2/synced"), "v1");
  EXPECT_EQ(Read(images + "/2/unsynced"), "");
  EXPECT_TRUE(fs::is_directory(images + "/2/sub"));
  EXPECT_FALSE(fs::exists(images + "/2/sub/file"));  // sub was never synced.

  fs::rename(root + "/synced", root + "/renamed");
  fs::remove(root + "/old");
  power_cut.Image(images + "/3");
  EXPECT_EQ(Read(images + "/3/synced"), "v1");
  EXPECT_FALSE(fs::exists(images + "/3/renamed"));
  EXPECT_TRUE(fs::exists(images + "/3/old"));

  Sync(root);
  Sync(root + "/sub");
  power_cut.Image(images + "/4");
  EXPECT_EQ(Read(images + "/4/renamed"), "v1");
  EXPECT_FALSE(fs::exists(images + "/4/synced"));
  EXPECT_FALSE(fs::exists(images + "/4/old"));
  EXPECT_EQ(Read(images + "/4/sub/file"), "in sub");
  EXPECT_GE(power_cut.syncs(), 5);
}

TEST(PowerCutTest, AReusedInodeIsANewFile) {
  const std::string root = MakeTempDir("power_cut-");
  const std::string images = MakeTempDir("power_cut_images-");
  PowerCut power_cut(root);
  for (int i = 0; i < 20; ++i) {
    Write(root + "/a", "synced content");
    Sync(root + "/a");
    fs::remove(root + "/a");
    Write(root + "/b", "");
    Sync(root);
    const std::string image = images + "/" + std::to_string(i);
    power_cut.Image(image);
    EXPECT_EQ(Read(image + "/b"), "") << i;
    fs::remove(root + "/b");
  }
}

TEST(PowerCutTest, TheHookSeesEveryDurableView) {
  const std::string root = MakeTempDir("power_cut-");
  const std::string images = MakeTempDir("power_cut_images-");
  PowerCut power_cut(root);
  std::vector<std::string> seen;
  power_cut.SetHook([&] {
    const std::string image = images + "/" + std::to_string(seen.size());
    power_cut.Image(image);
    seen.push_back(Read(image + "/f"));
  });
  Write(root + "/f", "1");
  Sync(root + "/f");
  Sync(root);
  Write(root + "/f", "2");
  Sync(root + "/f", /*data_only=*/true);
  power_cut.SetHook(nullptr);
  Sync(root);
  EXPECT_EQ(seen, (std::vector<std::string>{"", "1", "2"}));
}

}  // namespace
}  // namespace jsengine::testing::util
