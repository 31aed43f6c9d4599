#include "common/startup_pages.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

// Resident KiB of this process's executable file mappings.
size_t ResidentCodeKb() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool code = false;
  size_t kb = 0;
  while (std::getline(smaps, line)) {
    std::istringstream in(line);
    std::string first, second, offset, dev, inode;
    in >> first >> second;
    if (first.back() != ':') {
      in >> offset >> dev >> inode;
      code = second == "r-xp" && inode != "0";
    } else if (first == "Rss:" && code) {
      kb += std::stoul(second);
    }
  }
  return kb;
}

struct Shape {
  virtual ~Shape() = default;
  virtual int Sides() const = 0;
};
struct Square : Shape {
  int Sides() const override { return 4; }
};

TEST(StartupPagesTest, DropsResidentCodeAndKeepsRunning) {
  const size_t before = ResidentCodeKb();
  ASSERT_GT(before, 0u);
  EXPECT_GT(DropStartupCodePages(), 0u);
  const size_t after = ResidentCodeKb();
  EXPECT_LT(after, before);
  // Code and relocated data (vtables) still work: the dropped pages fault
  // back in from the page cache.
  std::unique_ptr<Shape> shape = std::make_unique<Square>();
  EXPECT_EQ(shape->Sides(), 4);
  EXPECT_EQ(std::to_string(before).empty(), false);
}

}  // namespace
}  // namespace jsengine::common
