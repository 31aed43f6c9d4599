#include "tools/jsm/prompter.h"

#include <sstream>

#include "gtest/gtest.h"

namespace jsengine::tools::jsm {
namespace {

TEST(PrompterTest, AsksOnOneLineAndReadsTheAnswer) {
  std::istringstream in("  devices-events \n\n");
  std::ostringstream out;
  Prompter prompter(in, out);
  prompter.Say("Enter the following information");
  EXPECT_EQ(*prompter.Ask("Name"), "devices-events");
  EXPECT_EQ(*prompter.Ask("Limits (msgs, bytes, age)"), "");
  EXPECT_EQ(out.str(), "Enter the following information\nName: Limits (msgs, bytes, age): ");
}

TEST(PrompterTest, EndOfInputIsNoAnswer) {
  std::istringstream in("");
  std::ostringstream out;
  Prompter prompter(in, out);
  absl::StatusOr<std::string> answer = prompter.Ask("Storage");
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(answer.status().message(), "no answer to \"Storage\"");
}

}  // namespace
}  // namespace jsengine::tools::jsm
