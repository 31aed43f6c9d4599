#include "tools/jsm/values.h"

#include "gtest/gtest.h"

namespace jsengine::tools::jsm {
namespace {

TEST(ParseCountTest, ReadsWholeNumbersAndUnlimited) {
  EXPECT_EQ(*ParseCount("1000"), 1000);
  EXPECT_EQ(*ParseCount(" 0 "), 0);
  EXPECT_EQ(*ParseCount("-1"), -1);
  EXPECT_EQ(*ParseCount("Unlimited"), -1);
  EXPECT_FALSE(ParseCount("-5").ok());
  EXPECT_FALSE(ParseCount("ten").ok());
}

TEST(ParseSizeTest, ReadsDecimalAndBinaryUnits) {
  EXPECT_EQ(*ParseSize("512"), 512);
  EXPECT_EQ(*ParseSize("512B"), 512);
  EXPECT_EQ(*ParseSize("2k"), 2000);
  EXPECT_EQ(*ParseSize("1MB"), 1000000);
  EXPECT_EQ(*ParseSize("1MiB"), 1048576);
  EXPECT_EQ(*ParseSize("3 GiB"), int64_t{3} << 30);
  EXPECT_EQ(*ParseSize("-1"), -1);
  EXPECT_FALSE(ParseSize("1XB").ok());
  EXPECT_FALSE(ParseSize("MB").ok());
  EXPECT_FALSE(ParseSize("99999999999TB").ok());
}

TEST(ParseAgeTest, ReadsGoDurationsAndTheSeedsDaysMonthsYears) {
  EXPECT_EQ(*ParseAge(""), absl::ZeroDuration());
  EXPECT_EQ(*ParseAge("0"), absl::ZeroDuration());
  EXPECT_EQ(*ParseAge("90s"), absl::Seconds(90));
  EXPECT_EQ(*ParseAge("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseAge("2d"), absl::Hours(48));
  EXPECT_EQ(*ParseAge("1M"), absl::Hours(24 * 30));
  EXPECT_EQ(*ParseAge("1y"), absl::Hours(24 * 365));
  EXPECT_FALSE(ParseAge("soon").ok());
  EXPECT_FALSE(ParseAge("-1h").ok());
}

TEST(ParseTimeoutTest, ReadsDurationsOrSeconds) {
  EXPECT_EQ(*ParseTimeout("5s"), absl::Seconds(5));
  EXPECT_EQ(*ParseTimeout("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseTimeout("2"), absl::Seconds(2));
  EXPECT_FALSE(ParseTimeout("0").ok());
  EXPECT_FALSE(ParseTimeout("later").ok());
}

TEST(ParseSubjectsTest, SplitsAtCommasOrWhitespace) {
  EXPECT_EQ(ParseSubjects("devices.*.events"), (std::vector<std::string>{"devices.*.events"}));
  EXPECT_EQ(ParseSubjects("a.b, c.>"), (std::vector<std::string>{"a.b", "c.>"}));
  EXPECT_EQ(ParseSubjects("a.b  c\td"), (std::vector<std::string>{"a.b", "c", "d"}));
  EXPECT_TRUE(ParseSubjects("  ").empty());
}

TEST(ParseLimitsTest, MissingLimitsAreUnlimited) {
  Limits none = *ParseLimits("");
  EXPECT_EQ(none.max_msgs, -1);
  EXPECT_EQ(none.max_bytes, -1);
  EXPECT_EQ(none.max_age, absl::ZeroDuration());

  Limits all = *ParseLimits("1000, 1MB, 1h");
  EXPECT_EQ(all.max_msgs, 1000);
  EXPECT_EQ(all.max_bytes, 1000000);
  EXPECT_EQ(all.max_age, absl::Hours(1));

  Limits spaced = *ParseLimits("10 2048");
  EXPECT_EQ(spaced.max_msgs, 10);
  EXPECT_EQ(spaced.max_bytes, 2048);
  EXPECT_EQ(spaced.max_age, absl::ZeroDuration());

  Limits bytes_only = *ParseLimits(", 5k,");
  EXPECT_EQ(bytes_only.max_msgs, -1);
  EXPECT_EQ(bytes_only.max_bytes, 5000);

  EXPECT_FALSE(ParseLimits("1, 2, 3h, 4").ok());
  EXPECT_FALSE(ParseLimits("many").ok());
}

TEST(ParseChoicesTest, AcceptPrefixesAndTheSeedsDefaults) {
  EXPECT_EQ(*ParseStorage("file"), v1::STORAGE_FILE);
  EXPECT_EQ(*ParseStorage("mem"), v1::STORAGE_MEMORY);
  EXPECT_EQ(*ParseStorage(""), v1::STORAGE_FILE);
  EXPECT_FALSE(ParseStorage("tape").ok());

  EXPECT_EQ(*ParseRetention("WorkQueue"), v1::RETENTION_WORK_QUEUE);
  EXPECT_EQ(*ParseRetention("interest"), v1::RETENTION_INTEREST);
  EXPECT_EQ(*ParseRetention("work_queue"), v1::RETENTION_WORK_QUEUE);
  EXPECT_EQ(*ParseRetention(""), v1::RETENTION_LIMITS);

  EXPECT_EQ(*ParseAckPolicy(""), v1::ACK_NONE);
  EXPECT_EQ(*ParseAckPolicy("Explicit"), v1::ACK_EXPLICIT);
  EXPECT_EQ(*ParseAckPolicy("all"), v1::ACK_ALL);
  EXPECT_FALSE(ParseAckPolicy("some").ok());

  EXPECT_EQ(*ParseReplayPolicy(""), v1::REPLAY_INSTANT);
  EXPECT_EQ(*ParseReplayPolicy("original"), v1::REPLAY_ORIGINAL);
  EXPECT_FALSE(ParseReplayPolicy("slow").ok());
}

TEST(ParseYesNoTest, EmptyTakesTheDefault) {
  EXPECT_TRUE(*ParseYesNo("", true));
  EXPECT_FALSE(*ParseYesNo("", false));
  EXPECT_TRUE(*ParseYesNo("Y", false));
  EXPECT_FALSE(*ParseYesNo("no", true));
  EXPECT_FALSE(ParseYesNo("maybe", true).ok());
}

TEST(NamesTest, NameWhatTheParsersRead) {
  EXPECT_EQ(*ParseStorage(StorageName(v1::STORAGE_MEMORY)), v1::STORAGE_MEMORY);
  EXPECT_EQ(*ParseRetention(RetentionName(v1::RETENTION_INTEREST)), v1::RETENTION_INTEREST);
  EXPECT_EQ(*ParseAckPolicy(AckPolicyName(v1::ACK_ALL)), v1::ACK_ALL);
  EXPECT_EQ(*ParseReplayPolicy(ReplayPolicyName(v1::REPLAY_ORIGINAL)), v1::REPLAY_ORIGINAL);
  EXPECT_EQ(RetentionName(v1::RETENTION_WORK_QUEUE), "work queue");
  EXPECT_EQ(DeliverPolicyName(v1::DELIVER_LAST_PER_SUBJECT), "last per subject");
}

}  // namespace
}  // namespace jsengine::tools::jsm
