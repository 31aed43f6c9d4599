// docs/TUTORIAL.md, run: every ```console block's `$ command` against a
// fresh embedded server, in order, with the interactive prompts answered on
// a pseudo-terminal as the block shows them, and each output compared with
// the block's (timestamps and temperatures, which differ on every run,
// aside). The tutorial cannot drift from what the engine does.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "testing/harness/harness.h"
#include "testing/harness/topology.h"
#include "tools/jsm/jsm_runner.h"

namespace jsengine::testing {
namespace {

using harness::RunfilePath;
using harness::Topology;

// One `$ command` of a console block and the output shown under it.
struct Step {
  std::vector<std::string> argv;
  std::vector<std::string> output;
};

std::vector<Step> ConsoleSteps(const std::string& markdown) {
  std::vector<Step> steps;
  bool in_console = false;
  for (absl::string_view line : absl::StrSplit(markdown, '\n')) {
    if (!in_console) {
      in_console = line == "```console";
      continue;
    }
    if (line == "```") {
      in_console = false;
    } else if (absl::ConsumePrefix(&line, "$ ")) {
      steps.push_back({absl::StrSplit(line, ' ', absl::SkipEmpty()), {}});
    } else if (!steps.empty()) {
      steps.back().output.emplace_back(line);
    }
  }
  return steps;
}

// What may differ between runs replaced, trailing white space and blank
// lines at the end dropped.
std::string Normalized(const std::vector<std::string>& lines) {
  static const std::regex kTimestamp(R"("ts": "[^"]*")");
  static const std::regex kTemperature(R"("temp": [0-9.]+)");
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    std::string normal = std::regex_replace(line, kTimestamp, R"("ts": "<ts>")");
    normal = std::regex_replace(normal, kTemperature, R"("temp": <temp>)");
    out.emplace_back(absl::StripTrailingAsciiWhitespace(normal));
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return absl::StrJoin(out, "\n");
}

std::string BinaryFor(const std::string& program) {
  if (program == "jsm") return RunfilePath("tools/jsm/jsm");
  if (program == "device" || program == "listener") return RunfilePath("docs/examples/" + program);
  return "";
}

class TutorialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Topology::Start(Topology::kEmbedded);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    // The tutorial's commands carry no addresses: jsm and the examples
    // read them from the environment, as a user could set them.
    setenv("JSM_STORE", engine_->store_address().c_str(), 1);
    setenv("JSM_CONSUMER", engine_->consumer_address().c_str(), 1);
    setenv("JSM_SERVER", engine_->nats_url().c_str(), 1);
    setenv("NATS_URL", engine_->nats_url().c_str(), 1);
  }

  // Runs `step` on a pseudo-terminal, answering each "Question: answer"
  // line of its output; returns what the terminal showed.
  std::string RunInteractive(const std::string& binary, const Step& step) {
    auto session = tools::jsm::TerminalSession::Start(
        binary, std::vector<std::string>(step.argv.begin() + 1, step.argv.end()));
    EXPECT_TRUE(session.ok()) << session.status();
    if (!session.ok()) return "";
    for (std::string line : step.output) {
      line = std::string(absl::StripTrailingAsciiWhitespace(line));
      const size_t colon = absl::EndsWith(line, ":") ? line.size() - 1 : line.find(": ");
      if (colon == std::string::npos) continue;
      const std::string answer = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
      const absl::Status answered = (*session)->Answer(line.substr(0, colon + 1) + " ", answer);
      EXPECT_TRUE(answered.ok()) << answered;
      if (!answered.ok()) break;
    }
    absl::StatusOr<int> exit_code = (*session)->Wait(absl::Seconds(30));
    EXPECT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(exit_code.value_or(-1), 0) << (*session)->transcript();
    return (*session)->transcript();
  }

  std::unique_ptr<Topology> engine_;
};

TEST_F(TutorialTest, EveryConsoleBlockShowsWhatTheEngineDoes) {
  std::ifstream file(RunfilePath("docs/TUTORIAL.md"));
  ASSERT_TRUE(file.good());
  std::stringstream markdown;
  markdown << file.rdbuf();
  const std::vector<Step> steps = ConsoleSteps(markdown.str());
  ASSERT_GE(steps.size(), 10u);

  for (const Step& step : steps) {
    const std::string command = absl::StrJoin(step.argv, " ");
    SCOPED_TRACE(command);
    const std::string binary = BinaryFor(step.argv[0]);
    ASSERT_FALSE(binary.empty()) << "the tutorial runs a program the test does not know";
    std::string shown;
    if (step.argv[0] == "jsm" && step.argv.size() == 2 &&
        (step.argv[1] == "add" || step.argv[1] == "add-obs")) {
      shown = RunInteractive(binary, step);
    } else {
      absl::StatusOr<tools::jsm::JsmResult> result = tools::jsm::RunJsm(
          binary, std::vector<std::string>(step.argv.begin() + 1, step.argv.end()));
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->exit_code, 0) << result->err;
      shown = result->out + result->err;
    }
    EXPECT_EQ(Normalized(absl::StrSplit(shown, '\n')), Normalized(step.output));
  }
}

}  // namespace
}  // namespace jsengine::testing
