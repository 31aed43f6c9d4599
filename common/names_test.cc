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

TEST(NamesTest, ConsumerNameInSubjectRefusesPathSeparators) {
  EXPECT_TRUE(CheckConsumerNameInSubject("worker-1").ok());
  for (const char* bad : {"a/b", "a\\b", "/", "..\\x"}) {
    absl::Status status = CheckConsumerNameInSubject(bad);
    EXPECT_EQ(ErrCode(status), 10127) << bad;
    EXPECT_EQ(status.message(), "Consumer name can not contain path separators");
    EXPECT_EQ(ToErrorDetail(status).code(), 400);
  }
}

TEST(NamesTest, ConsumerNameChecks) {
  EXPECT_TRUE(CheckConsumerName("D", /*durable=*/true).ok());
  EXPECT_TRUE(CheckConsumerName("a/b", /*durable=*/true).ok());
  EXPECT_TRUE(CheckConsumerName(std::string(kMaxNameLen, 'x'), /*durable=*/true).ok());

  absl::Status too_long = CheckConsumerName(std::string(kMaxNameLen + 1, 'x'), /*durable=*/true);
  EXPECT_EQ(ErrCode(too_long), 10102);
  EXPECT_EQ(too_long.message(), "consumer name is too long, maximum allowed is 255");
  EXPECT_TRUE(CheckConsumerName(std::string(kMaxNameLen + 1, 'x'), /*durable=*/false).ok());

  for (bool durable : {true, false}) {
    for (const char* bad : {"", "a.b", "a*", ">", "a b", "a\tb"}) {
      absl::Status status = CheckConsumerName(bad, durable);
      EXPECT_EQ(ErrCode(status), 10103) << bad;
      EXPECT_EQ(status.message(), "durable name can not contain '.', '*', '>'");
    }
  }
  EXPECT_EQ(ErrCode(CheckConsumerName(std::string(kMaxNameLen + 1, '.'), true)), 10102);
}

}  // namespace
}  // namespace jsengine::common
