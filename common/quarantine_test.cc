#include "common/quarantine.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::common {
namespace {

namespace fs = std::filesystem;

TEST(QuarantineTest, MovesUntouchedAndNeverOverwrites) {
  const std::string dir = testing::util::MakeTempDir("quarantine-");
  const std::string quarantine = dir + "/q/nested";
  std::string first;
  for (int i = 0; i < 3; ++i) {
    fs::create_directories(dir + "/victim");
    std::ofstream(dir + "/victim/data") << "copy " << i;
    absl::StatusOr<std::string> to = MoveToQuarantine(dir + "/victim", quarantine, "victim");
    ASSERT_TRUE(to.ok()) << to.status();
    EXPECT_FALSE(fs::exists(dir + "/victim"));
    EXPECT_EQ(to->rfind(quarantine + "/victim.", 0), 0u) << *to;
    std::ifstream in(*to + "/data");
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(data, "copy " + std::to_string(i));
    if (i == 0) first = *to;
  }
  int entries = 0;
  for (const auto& e : fs::directory_iterator(quarantine)) entries += e.is_directory();
  EXPECT_EQ(entries, 3);
  EXPECT_TRUE(fs::exists(first + "/data"));
}

TEST(QuarantineTest, CutsLongNames) {
  const std::string dir = testing::util::MakeTempDir("quarantine-");
  const std::string name(250, 'n');
  std::ofstream(dir + "/" + name) << "x";
  absl::StatusOr<std::string> to = MoveToQuarantine(dir + "/" + name, dir + "/q", name);
  ASSERT_TRUE(to.ok()) << to.status();
  EXPECT_EQ(fs::path(*to).filename().string().substr(0, kMaxQuarantinedName + 1),
            std::string(kMaxQuarantinedName, 'n') + ".");
}

}  // namespace
}  // namespace jsengine::common
