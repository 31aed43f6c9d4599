// The real jsm binary against the real engine, in both deployments (the
// embedded gateway's services, and storesvc + consumersvc of their own):
// the seed's walk-through scripted with flags, the errors a user meets, and
// the seed's interactive prompts typed on a pseudo-terminal.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/harness/harness.h"
#include "testing/harness/topology.h"
#include "tools/jsm/jsm_runner.h"

namespace jsengine::tools::jsm {
namespace {

using ::jsengine::testing::harness::RunfilePath;
using ::jsengine::testing::harness::Topology;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kOk[] = "Received response of \"+OK\"\n";

class JsmProcessTest : public ::testing::TestWithParam<Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  std::vector<std::string> Addresses() const {
    return {"--store",  engine_->store_address(), "--consumer", engine_->consumer_address(),
            "--server", engine_->nats_url()};
  }

  // jsm with the engine's addresses and `args`; fails the test if it hangs.
  JsmResult Jsm(std::vector<std::string> args) {
    std::vector<std::string> argv = Addresses();
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<JsmResult> result = RunJsm(RunfilePath("tools/jsm/jsm"), argv);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : JsmResult();
  }

  // jsm that must succeed; returns its output.
  std::string Ok(std::vector<std::string> args) {
    JsmResult result = Jsm(args);
    EXPECT_EQ(result.exit_code, 0) << args[0] << ": " << result.err;
    EXPECT_EQ(result.err, "") << args[0];
    return result.out;
  }

  // A device's reading, published with a plain NATS request as in the seed.
  void Publish(const std::string& subject, const std::string& data) {
    natsConnection* nc = nullptr;
    ASSERT_EQ(natsConnection_ConnectTo(&nc, engine_->nats_url().c_str()), NATS_OK);
    natsMsg* reply = nullptr;
    EXPECT_EQ(natsConnection_RequestString(&reply, nc, subject.c_str(), data.c_str(), 5000),
              NATS_OK);
    if (reply != nullptr) {
      EXPECT_THAT(std::string(natsMsg_GetData(reply)), HasSubstr("\"seq\""));
      natsMsg_Destroy(reply);
    }
    natsConnection_Destroy(nc);
  }

  // `count` messages on `subject` with `size` bytes each ("<seq>:xxx..."),
  // through one connection, each stored before the next goes.
  void PublishMany(const std::string& subject, int count, size_t size) {
    natsConnection* nc = nullptr;
    ASSERT_EQ(natsConnection_ConnectTo(&nc, engine_->nats_url().c_str()), NATS_OK);
    for (int i = 1; i <= count; ++i) {
      std::string data = absl::StrCat(i, ":");
      data.resize(std::max(size, data.size()), 'x');
      natsMsg* reply = nullptr;
      ASSERT_EQ(natsConnection_Request(&reply, nc, subject.c_str(), data.data(),
                                       static_cast<int>(data.size()), 5000),
                NATS_OK);
      natsMsg_Destroy(reply);
    }
    natsConnection_Destroy(nc);
  }

  std::unique_ptr<Topology> engine_;
};

TEST_P(JsmProcessTest, RunsTheSeedsWalkThroughWithFlags) {
  EXPECT_EQ(Ok({"add", "devices-events", "--subjects", "devices.*.events", "--storage", "file"}),
            kOk);
  EXPECT_THAT(Ok({"list"}), HasSubstr("\n1) devices-events  devices.*.events  file "));
  EXPECT_THAT(Ok({"info", "devices-events"}),
              StartsWith("\nMessages: 0\nBytes:    0 B\nFirstSeq: 0\nLastSeq:  0\n"));

  Publish("devices.3F45.events", R"({"ts": "2019-12-08T23:12:00Z", "temp": 21.3})");
  Publish("devices.28E3.events", R"({"ts": "2019-12-08T23:12:01Z", "temp": 22.4})");
  Publish("devices.3F45.events", R"({"ts": "2019-12-08T23:12:02Z", "temp": 21.5})");
  const std::string info = Ok({"stream", "info", "devices-events"});
  EXPECT_THAT(info, StartsWith("\nMessages: 3\nBytes:    "));
  EXPECT_THAT(info, HasSubstr("\nFirstSeq: 1\nLastSeq:  3\n"));

  EXPECT_THAT(Ok({"get", "devices-events", "2"}),
              HasSubstr("Subject:  devices.28E3.events\nSequence: 2\n"));
  EXPECT_THAT(Ok({"get", "devices-events", "--last", "devices.3F45.events"}),
              HasSubstr("Sequence: 3\n"));

  EXPECT_EQ(Ok({"add-obs", "devices-events", "temperature", "--deliver", "devices.events", "--ack",
                "explicit"}),
            kOk);
  EXPECT_THAT(Ok({"ls-obs", "devices-events"}),
              HasSubstr("\n1) temperature  push to devices.events  explicit  "));
  const std::string observable = Ok({"info-obs", "devices-events", "temperature"});
  EXPECT_THAT(observable, HasSubstr("Name:          temperature\n"));
  EXPECT_THAT(observable, HasSubstr("AckPolicy:     explicit\n"));
  EXPECT_THAT(observable, HasSubstr("\nAckFloor:      ObsSeq 0, SetSeq 0\n"));
  EXPECT_THAT(Ok({"info", "devices-events"}), HasSubstr("Consumers: 1\n"));

  EXPECT_EQ(Ok({"rm-obs", "devices-events", "temperature"}), kOk);
  EXPECT_EQ(Ok({"consumer", "ls", "devices-events"}), "\nNone\n\n");

  JsmResult purge = Jsm({"purge", "devices-events"});
  EXPECT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_THAT(purge.err, ::testing::MatchesRegex(
                             "Purging 3 messages \\([0-9]+ B\\) from devices-events\\.\\.\\.\n"));
  EXPECT_EQ(purge.out, "Purged 3 messages\n");
  EXPECT_THAT(Ok({"info", "devices-events"}),
              StartsWith("\nMessages: 0\nBytes:    0 B\nFirstSeq: 4\nLastSeq:  3\n"));

  EXPECT_EQ(Ok({"rm", "devices-events"}), kOk);
  EXPECT_EQ(Ok({"ls"}), "\nNone\n\n");
}

TEST_P(JsmProcessTest, EditsLimitsAndPrintsJson) {
  Ok({"stream", "add", "ORDERS", "--subjects", "orders.>", "--storage", "memory"});
  EXPECT_THAT(Ok({"edit", "ORDERS", "--max-msgs", "10", "--max-age", "1h"}),
              HasSubstr("MaxMsgs:   10\n"));

  const nlohmann::json info = nlohmann::json::parse(Ok({"info", "ORDERS", "--json"}));
  EXPECT_EQ(info["config"]["name"], "ORDERS");
  EXPECT_EQ(info["config"]["max_msgs"], "10");
  EXPECT_EQ(info["config"]["max_age_ns"], "3600000000000");
  EXPECT_EQ(info["config"]["storage"], "STORAGE_MEMORY");

  Ok({"consumer", "add", "ORDERS", "--durable", "worker", "--pull"});
  const nlohmann::json list = nlohmann::json::parse(Ok({"ls-obs", "ORDERS", "--json"}));
  ASSERT_EQ(list["consumers"].size(), 1u);
  EXPECT_EQ(list["consumers"][0]["config"]["ack_policy"], "ACK_EXPLICIT");
}

TEST_P(JsmProcessTest, ReadsAddressesFromTheEnvironment) {
  absl::StatusOr<JsmResult> result = RunJsm(
      RunfilePath("tools/jsm/jsm"), {"ls"},
      {"JSM_STORE=" + engine_->store_address(), "JSM_CONSUMER=" + engine_->consumer_address()});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->err;
  EXPECT_EQ(result->out, "\nNone\n\n");
}

TEST_P(JsmProcessTest, ErrorsAreOneLineAndANonZeroExit) {
  JsmResult unknown_stream = Jsm({"info", "nope"});
  EXPECT_EQ(unknown_stream.exit_code, 1);
  EXPECT_EQ(unknown_stream.out, "");
  EXPECT_EQ(unknown_stream.err, "jsm: stream not found\n");

  Ok({"add", "S", "--subjects", "s.>"});
  JsmResult unknown_consumer = Jsm({"info-obs", "S", "nope"});
  EXPECT_EQ(unknown_consumer.exit_code, 1);
  EXPECT_EQ(unknown_consumer.err, "jsm: consumer not found\n");

  JsmResult duplicate = Jsm({"add", "S", "--subjects", "t.>"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_THAT(duplicate.err, StartsWith("jsm: stream name already in use"));

  JsmResult no_terminal = Jsm({"add"});  // stdin is /dev/null: nobody to ask.
  EXPECT_EQ(no_terminal.exit_code, 1);
  EXPECT_EQ(no_terminal.err,
            "jsm: missing the message set's name: jsm add <name> [--subjects ...]\n");

  JsmResult no_mode = Jsm({"add-obs", "S", "C"});
  EXPECT_EQ(no_mode.exit_code, 1);
  EXPECT_EQ(no_mode.err, "jsm: say how the observable delivers: --pull or --deliver <subject>\n");

  JsmResult bad_command = Jsm({"frobnicate"});
  EXPECT_EQ(bad_command.exit_code, 2);
  EXPECT_EQ(bad_command.err, "jsm: unknown command \"frobnicate\" (see jsm help)\n");
}

TEST_P(JsmProcessTest, AnUnreachableServiceFailsQuickly) {
  testing::harness::UnusedPort unused;
  ASSERT_NE(unused.port(), 0);
  const std::string address = absl::StrCat("127.0.0.1:", unused.port());
  absl::StatusOr<JsmResult> result =
      RunJsm(RunfilePath("tools/jsm/jsm"), {"--store", address, "--consumer", address, "ls"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 1);
  EXPECT_THAT(result->err, StartsWith("jsm: cannot reach the store service at " + address + ": "));
  EXPECT_EQ(std::count(result->err.begin(), result->err.end(), '\n'), 1) << result->err;
  EXPECT_LT(result->took, absl::Seconds(5));
}

TEST_P(JsmProcessTest, PublishesRequestsAndPullsThroughNats) {
  Ok({"add", "ORDERS", "--subjects", "orders.*"});
  EXPECT_EQ(Ok({"pub", "orders.new", "first"}), "Published 5 bytes to \"orders.new\"\n");
  EXPECT_EQ(Ok({"req", "orders.new", "second"}), "Received {\"stream\":\"ORDERS\", \"seq\":2}\n");
  EXPECT_THAT(Ok({"info", "ORDERS"}), StartsWith("\nMessages: 2\n"));

  Ok({"add-obs", "ORDERS", "worker", "--pull"});
  const std::string first = Ok({"next", "ORDERS", "worker"});
  EXPECT_THAT(first, StartsWith("Subject:  orders.new\nSequence: 1\n"));
  EXPECT_THAT(first, HasSubstr("\nfirst\nAcknowledged\n"));
  EXPECT_THAT(Ok({"consumer", "next", "ORDERS", "worker"}), HasSubstr("\nsecond\nAcknowledged\n"));
  EXPECT_THAT(Ok({"info-obs", "ORDERS", "worker"}),
              HasSubstr("AckFloor:      ObsSeq 2, SetSeq 2\n"));

  JsmResult empty = Jsm({"next", "ORDERS", "worker", "--timeout", "1s"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_EQ(empty.err, "jsm: no message to deliver\n");
}

TEST_P(JsmProcessTest, KeepsKeysInABucket) {
  EXPECT_EQ(Ok({"kv", "add", "devices", "--history", "3"}), kOk);
  EXPECT_EQ(Ok({"kv", "put", "devices", "3F45", "online"}), "Revision: 1\n");
  EXPECT_EQ(Ok({"kv", "put", "devices", "28E3", "online"}), "Revision: 2\n");
  // A plain NATS publish on the key's subject is a put too, as for the clients.
  EXPECT_THAT(Ok({"req", "$KV.devices.3F45", "offline"}), HasSubstr("\"seq\":3"));
  EXPECT_THAT(Ok({"kv", "get", "devices", "3F45"}),
              ::testing::MatchesRegex("devices > 3F45 revision: 3 created @ .*Z\n\noffline\n"));
  EXPECT_EQ(Ok({"kv", "ls", "devices"}), "28E3\n3F45\n");

  EXPECT_EQ(Ok({"kv", "rm", "devices", "3F45"}), kOk);
  JsmResult gone = Jsm({"kv", "get", "devices", "3F45"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err, "jsm: key not found\n");
  EXPECT_EQ(Ok({"kv", "ls", "devices"}), "28E3\n");
  const std::string history = Ok({"kv", "history", "devices", "3F45"});
  EXPECT_THAT(history, ::testing::MatchesRegex("Revision +Op +Created +Length +Value\n"
                                               "1 +PUT .* 6 +online\n"
                                               "3 +PUT .* 7 +offline\n"
                                               "4 +DEL .* 0\n"));

  JsmResult no_bucket = Jsm({"kv", "ls", "nope"});
  EXPECT_EQ(no_bucket.exit_code, 1);
  EXPECT_EQ(no_bucket.err, "jsm: bucket not found\n");
}

TEST_P(JsmProcessTest, SubscribesUntilCtrlC) {
  std::vector<std::string> sub = Addresses();
  sub.insert(sub.end(), {"sub", "devices.>"});
  auto session = TerminalSession::Start(RunfilePath("tools/jsm/jsm"), sub);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->Expect("Listening on [devices.>]\n").ok()) << (*session)->transcript();
  Ok({"pub", "devices.3F45.events", "21.3"});
  Ok({"pub", "devices.28E3.events", "22.4"});
  ASSERT_TRUE((*session)->Expect("[#1] Received on \"devices.3F45.events\"\n21.3\n").ok());
  ASSERT_TRUE((*session)->Expect("[#2] Received on \"devices.28E3.events\"\n22.4\n").ok());
  ASSERT_TRUE((*session)->Type("\x03").ok());
  absl::StatusOr<int> exit_code = (*session)->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << (*session)->transcript();
}

TEST_P(JsmProcessTest, GetsARangeOfMessagesInOrder) {
  Ok({"add", "ORDERS", "--subjects", "orders.*"});
  for (int i = 1; i <= 5; ++i) {
    Publish(i % 2 == 0 ? "orders.paid" : "orders.new", absl::StrCat("order ", i));
  }
  const std::string range = Ok({"get", "ORDERS", "--from", "2", "--count", "3"});
  EXPECT_THAT(range, ::testing::MatchesRegex("Subject:  orders.paid\nSequence: 2\nTime: .*\n\n"
                                             "order 2\n\n"
                                             "Subject:  orders.new\nSequence: 3\nTime: .*\n\n"
                                             "order 3\n\n"
                                             "Subject:  orders.paid\nSequence: 4\nTime: .*\n\n"
                                             "order 4\n\n"));
  // Each block as `get <set> <seq>` prints it.
  EXPECT_THAT(range, HasSubstr(Ok({"get", "ORDERS", "3"})));

  // To the end, on one subject, one JSON object a line.
  const std::string json =
      Ok({"get", "ORDERS", "--from", "1", "--subject", "orders.new", "--json"});
  std::vector<std::string> lines = absl::StrSplit(json, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << json;
  for (size_t i = 0; i < lines.size(); ++i) {
    const nlohmann::json message = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(message["subject"], "orders.new");
    EXPECT_EQ(message["seq"], std::to_string(2 * i + 1));
  }

  EXPECT_EQ(Ok({"get", "ORDERS", "--from", "6"}), "");
  JsmResult unknown = Jsm({"get", "nope", "--from", "1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "jsm: stream not found\n");
}

TEST_P(JsmProcessTest, GetOfManyMessagesEndsOnCtrlC) {
  Ok({"add", "BULK", "--subjects", "bulk.>"});
  // 2 MB of output: more than the terminal holds while nobody reads it, so
  // jsm is still printing when Ctrl-C comes.
  constexpr int kMessages = 2000;
  PublishMany("bulk.data", kMessages, 1000);
  std::vector<std::string> get = Addresses();
  get.insert(get.end(), {"get", "BULK", "--from", "1"});
  auto session = TerminalSession::Start(RunfilePath("tools/jsm/jsm"), get);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->Expect("Sequence: 1\n").ok()) << (*session)->transcript();
  ASSERT_TRUE((*session)->Type("\x03").ok());
  absl::StatusOr<int> exit_code = (*session)->Wait(absl::Seconds(20));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << (*session)->transcript();
  const std::string& transcript = (*session)->transcript();
  EXPECT_THAT(transcript, ::testing::Not(HasSubstr(absl::StrCat("Sequence: ", kMessages, "\n"))));
  EXPECT_THAT(transcript, ::testing::Not(HasSubstr("jsm:")));
}

// The seed's two dialogues, typed as a new user would.
TEST_P(JsmProcessTest, AsksTheSeedsQuestionsOnATerminal) {
  std::vector<std::string> add = Addresses();
  add.push_back("add");
  auto session = TerminalSession::Start(RunfilePath("tools/jsm/jsm"), add);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->Answer("Name: ", "devices-events").ok());
  ASSERT_TRUE((*session)->Answer("Subjects: ", "devices.*.events").ok());
  ASSERT_TRUE((*session)->Answer("Limits (msgs, bytes, age): ", "").ok());
  ASSERT_TRUE((*session)->Answer("Storage: ", "file").ok());
  absl::StatusOr<int> exit_code = (*session)->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << (*session)->transcript();
  EXPECT_EQ((*session)->transcript(),
            "Enter the following information\n"
            "Name: devices-events\n"
            "Subjects: devices.*.events\n"
            "Limits (msgs, bytes, age): \n"
            "Storage: file\n"
            "Received response of \"+OK\"\n");

  std::vector<std::string> add_obs = Addresses();
  add_obs.push_back("add-obs");
  session = TerminalSession::Start(RunfilePath("tools/jsm/jsm"), add_obs);
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->Answer("Message Set Name: ", "devices-events").ok());
  ASSERT_TRUE((*session)->Answer("Durable Name: ", "temperature").ok());
  ASSERT_TRUE((*session)->Answer("Push or Pull: ", "Push").ok());
  ASSERT_TRUE((*session)->Answer("Delivery Subject: ", "devices.events").ok());
  ASSERT_TRUE((*session)->Answer("Deliver All? (Y|n): ", "").ok());
  ASSERT_TRUE((*session)->Answer("AckPolicy (None|all|explicit): ", "").ok());
  ASSERT_TRUE((*session)->Answer("Replay Policy (Instant|original): ", "").ok());
  exit_code = (*session)->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << (*session)->transcript();
  EXPECT_EQ((*session)->transcript(),
            "Enter the following information\n"
            "Message Set Name: devices-events\n"
            "Durable Name: temperature\n"
            "Push or Pull: Push\n"
            "Delivery Subject: devices.events\n"
            "Deliver All? (Y|n): \n"
            "AckPolicy (None|all|explicit): \n"
            "Replay Policy (Instant|original): \n"
            "Received response of \"+OK\"\n");

  EXPECT_THAT(Ok({"ls-obs", "devices-events"}),
              HasSubstr("\n1) temperature  push to devices.events  none  "));
  const nlohmann::json info =
      nlohmann::json::parse(Ok({"info-obs", "devices-events", "temperature", "--json"}));
  EXPECT_EQ(info["config"]["durable_name"], "temperature");
  EXPECT_EQ(info["config"]["deliver_policy"], "DELIVER_ALL");
  EXPECT_EQ(info["config"]["replay_policy"], "REPLAY_INSTANT");
}

INSTANTIATE_TEST_SUITE_P(Deployments, JsmProcessTest,
                         ::testing::Values(Topology::kEmbedded, Topology::kSeparate),
                         [](const ::testing::TestParamInfo<Topology::Kind>& info) {
                           return Topology::Name(info.param);
                         });

}  // namespace
}  // namespace jsengine::tools::jsm
