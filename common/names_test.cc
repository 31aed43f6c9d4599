#include "common/names.h"

#include <string>

#include "common/status.h"
#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

int ErrCode(const absl::Status& status) { return ToErrorDetail(status).err_code(); }

TEST(NamesTest, ValidNamesAreWhatNatsServerAccepts) {
  EXPECT_TRUE(IsValidName("ORDERS"));
  EXPECT_TRUE(IsValidName("a-b_c$d"));
  for (const char* bad : {"", "a.b", "a*", "a>", "a b", "a\tb", "a\nb", "a\rb", "a\fb"}) {
    EXPECT_FALSE(IsValidName(bad)) << bad;
  }
}

TEST(NamesTest, StreamNameChecks) {
  EXPECT_TRUE(CheckStreamName("ORDERS").ok());
  EXPECT_EQ(ErrCode(CheckStreamName("a.b")), 10052);
  EXPECT_EQ(ErrCode(CheckStreamName("")), 10052);
  EXPECT_TRUE(CheckStreamName(std::string(kMaxNameLen, 'x')).ok());
  absl::Status too_long = CheckStreamName(std::string(kMaxNameLen + 1, 'x'));
  EXPECT_EQ(ErrCode(too_long), 10052);
  EXPECT_NE(too_long.message().find("maximum allowed is 255"), std::string::npos);
}

}  // namespace
}  // namespace jsengine::common
