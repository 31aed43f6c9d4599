#include "tools/jsm/configs.h"

#include <sstream>

#include "gtest/gtest.h"

namespace jsengine::tools::jsm {
namespace {

Args Parse(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = ParseArgs(argv);
  EXPECT_TRUE(args.ok()) << args.status();
  return *args;
}

// A prompter answering from `answers`, recording what it printed.
struct Terminal {
  explicit Terminal(const std::string& answers) : in(answers), prompter(in, out) {}
  std::istringstream in;
  std::ostringstream out;
  Prompter prompter;
};

TEST(NewStreamConfigTest, AsksTheSeedsQuestionsOnATerminal) {
  Terminal terminal("devices-events\ndevices.*.events\n\nfile\n");
  absl::StatusOr<v1::StreamConfig> config = NewStreamConfig(Parse({"add"}), &terminal.prompter);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(terminal.out.str(),
            "Enter the following information\n"
            "Name: Subjects: Limits (msgs, bytes, age): Storage: ");
  EXPECT_EQ(config->name(), "devices-events");
  ASSERT_EQ(config->subjects_size(), 1);
  EXPECT_EQ(config->subjects(0), "devices.*.events");
  EXPECT_EQ(config->max_msgs(), -1);
  EXPECT_EQ(config->max_bytes(), -1);
  EXPECT_EQ(config->max_age_ns(), 0);
  EXPECT_EQ(config->storage(), v1::STORAGE_FILE);
}

TEST(NewStreamConfigTest, ReadsLimitsAndMemoryStorageFromAnswers) {
  Terminal terminal("S\na.>, b.*\n1000, 1MB, 1h\nmemory\n");
  absl::StatusOr<v1::StreamConfig> config = NewStreamConfig(Parse({"add"}), &terminal.prompter);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->subjects_size(), 2);
  EXPECT_EQ(config->max_msgs(), 1000);
  EXPECT_EQ(config->max_bytes(), 1000000);
  EXPECT_EQ(config->max_age_ns(), 3600LL * 1000000000);
  EXPECT_EQ(config->storage(), v1::STORAGE_MEMORY);
}

TEST(NewStreamConfigTest, AsksOnlyWhatNoFlagGave) {
  Terminal terminal("mem\n");
  absl::StatusOr<v1::StreamConfig> config = NewStreamConfig(
      Parse({"add", "S", "--subjects", "s.>", "--max-msgs", "5"}), &terminal.prompter);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(terminal.out.str(), "Enter the following information\nStorage: ");
  EXPECT_EQ(config->max_msgs(), 5);
  EXPECT_EQ(config->max_bytes(), -1);
  EXPECT_EQ(config->storage(), v1::STORAGE_MEMORY);
}

TEST(NewStreamConfigTest, AsksNothingWhenFlagsSayEverything) {
  Terminal terminal("");
  absl::StatusOr<v1::StreamConfig> config =
      NewStreamConfig(Parse({"add", "S", "--subjects", "s.>", "--max-age", "2d", "--storage",
                             "file", "--retention", "workqueue"}),
                      &terminal.prompter);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(terminal.out.str(), "");
  EXPECT_EQ(config->max_age_ns(), 48LL * 3600 * 1000000000);
  EXPECT_EQ(config->retention(), v1::RETENTION_WORK_QUEUE);
}

TEST(NewStreamConfigTest, WithoutATerminalTakesDefaultsButNeedsAName) {
  absl::StatusOr<v1::StreamConfig> config = NewStreamConfig(Parse({"add", "S"}), nullptr);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->subjects_size(), 0);
  EXPECT_EQ(config->max_msgs(), -1);
  EXPECT_EQ(config->storage(), v1::STORAGE_FILE);

  EXPECT_EQ(NewStreamConfig(Parse({"add", "--subjects", "a"}), nullptr).status().message(),
            "missing the message set's name: jsm add <name> [--subjects ...]");
}

TEST(NewStreamConfigTest, RejectsBadAnswersAndEndOfInput) {
  Terminal bad_limits("S\ns\nlots\n");
  EXPECT_EQ(NewStreamConfig(Parse({"add"}), &bad_limits.prompter).status().message(),
            "invalid message count \"lots\"");
  Terminal ends("S\n");
  EXPECT_EQ(NewStreamConfig(Parse({"add"}), &ends.prompter).status().code(),
            absl::StatusCode::kCancelled);
  Terminal no_name("\n");
  EXPECT_FALSE(NewStreamConfig(Parse({"add"}), &no_name.prompter).ok());
}

TEST(NewConsumerRequestTest, AsksTheSeedsQuestionsForAPushObservable) {
  Terminal terminal("devices-events\ntemperature\nPush\ndevices.events\n\n\n\n");
  absl::StatusOr<v1::CreateConsumerRequest> request =
      NewConsumerRequest(Parse({"add-obs"}), &terminal.prompter);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(terminal.out.str(),
            "Enter the following information\n"
            "Message Set Name: Durable Name: Push or Pull: Delivery Subject: "
            "Deliver All? (Y|n): AckPolicy (None|all|explicit): "
            "Replay Policy (Instant|original): ");
  EXPECT_EQ(request->stream(), "devices-events");
  const v1::ConsumerConfig& config = request->config();
  EXPECT_EQ(config.durable_name(), "temperature");
  EXPECT_EQ(config.deliver_subject(), "devices.events");
  EXPECT_EQ(config.deliver_policy(), v1::DELIVER_ALL);
  EXPECT_EQ(config.ack_policy(), v1::ACK_NONE);
  EXPECT_EQ(config.replay_policy(), v1::REPLAY_INSTANT);
}

TEST(NewConsumerRequestTest, APullObservableIsNotAskedForSubjectOrAckPolicy) {
  Terminal terminal("wc\np1\npull\n\n\n");
  absl::StatusOr<v1::CreateConsumerRequest> request =
      NewConsumerRequest(Parse({"add-obs"}), &terminal.prompter);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(terminal.out.str(),
            "Enter the following information\n"
            "Message Set Name: Durable Name: Push or Pull: Deliver All? (Y|n): "
            "Replay Policy (Instant|original): ");
  EXPECT_TRUE(request->config().deliver_subject().empty());
  EXPECT_EQ(request->config().ack_policy(), v1::ACK_EXPLICIT);
}

TEST(NewConsumerRequestTest, NotDeliveringAllAsksAboutTheLast) {
  Terminal last("S\nC\npull\nn\ny\noriginal\n");
  absl::StatusOr<v1::CreateConsumerRequest> request =
      NewConsumerRequest(Parse({"add-obs"}), &last.prompter);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->config().deliver_policy(), v1::DELIVER_LAST);
  EXPECT_EQ(request->config().replay_policy(), v1::REPLAY_ORIGINAL);

  Terminal fresh("S\nC\npull\nn\n\n\n");
  request = NewConsumerRequest(Parse({"add-obs"}), &fresh.prompter);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->config().deliver_policy(), v1::DELIVER_NEW);
}

TEST(NewConsumerRequestTest, FlagsSayEverythingWithoutATerminal) {
  absl::StatusOr<v1::CreateConsumerRequest> request =
      NewConsumerRequest(Parse({"add-obs", "devices-events", "temperature", "--deliver",
                                "devices.events", "--deliver-new", "--ack", "explicit", "--replay",
                                "original", "--filter", "devices.3F45.events"}),
                         nullptr);
  ASSERT_TRUE(request.ok()) << request.status();
  const v1::ConsumerConfig& config = request->config();
  EXPECT_EQ(config.durable_name(), "temperature");
  EXPECT_EQ(config.deliver_subject(), "devices.events");
  EXPECT_EQ(config.deliver_policy(), v1::DELIVER_NEW);
  EXPECT_EQ(config.ack_policy(), v1::ACK_EXPLICIT);
  EXPECT_EQ(config.replay_policy(), v1::REPLAY_ORIGINAL);
  EXPECT_EQ(config.filter_subject(), "devices.3F45.events");

  request =
      NewConsumerRequest(Parse({"consumer", "add", "S", "--durable", "C", "--pull"}), nullptr);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->config().durable_name(), "C");
  EXPECT_EQ(request->config().ack_policy(), v1::ACK_EXPLICIT);
  EXPECT_EQ(request->config().deliver_policy(), v1::DELIVER_ALL);
}

TEST(NewConsumerRequestTest, WithoutATerminalSaysWhatIsMissing) {
  EXPECT_EQ(NewConsumerRequest(Parse({"add-obs", "--pull"}), nullptr).status().message(),
            "missing the message set's name: jsm add-obs <set> <durable> ...");
  EXPECT_EQ(NewConsumerRequest(Parse({"add-obs", "S", "--pull"}), nullptr).status().message(),
            "missing the durable name: jsm add-obs <set> <durable> (or --durable)");
  EXPECT_EQ(NewConsumerRequest(Parse({"add-obs", "S", "C"}), nullptr).status().message(),
            "say how the observable delivers: --pull or --deliver <subject>");
  EXPECT_FALSE(
      NewConsumerRequest(Parse({"add-obs", "S", "C", "--pull", "--deliver", "x"}), nullptr).ok());
  EXPECT_FALSE(
      NewConsumerRequest(Parse({"add-obs", "S", "C", "--pull", "--ack", "most"}), nullptr).ok());
}

TEST(NewConsumerRequestTest, RejectsAnAnswerThatIsNeitherPushNorPull) {
  Terminal terminal("S\nC\nboth\n");
  EXPECT_EQ(NewConsumerRequest(Parse({"add-obs"}), &terminal.prompter).status().message(),
            "answer push or pull, not \"both\"");
}

TEST(ApplyStreamEditsTest, ChangesOnlyWhatIsGiven) {
  v1::StreamConfig config;
  config.set_name("S");
  config.add_subjects("old");
  config.set_max_msgs(-1);
  config.set_max_bytes(-1);
  ASSERT_TRUE(
      ApplyStreamEdits(Parse({"edit", "S", "--max-msgs", "10", "--subjects", "a,b"}), &config)
          .ok());
  EXPECT_EQ(config.max_msgs(), 10);
  EXPECT_EQ(config.max_bytes(), -1);
  ASSERT_EQ(config.subjects_size(), 2);
  EXPECT_EQ(config.subjects(1), "b");

  EXPECT_EQ(ApplyStreamEdits(Parse({"edit", "S"}), &config).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ApplyStreamEdits(Parse({"edit", "S", "--max-bytes", "huge"}), &config).ok());
}

}  // namespace
}  // namespace jsengine::tools::jsm
