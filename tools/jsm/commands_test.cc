#include "tools/jsm/commands.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "consumersvc/client/mock_consumer_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"
#include "tools/jsm/format.h"

namespace jsengine::tools::jsm {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::StartsWith;

class CommandsTest : public ::testing::Test {
 protected:
  absl::Status Run(const std::vector<std::string>& argv, Prompter* prompter = nullptr) {
    absl::StatusOr<Args> args = ParseArgs(argv);
    EXPECT_TRUE(args.ok()) << args.status();
    Endpoints endpoints{"store:1", "consumer:2", "nats://n:3", std::chrono::milliseconds(1500)};
    Commands commands(store_, consumers_, endpoints, prompter, out_, err_,
                      [this] { return interrupted_(); });
    return commands.Run(*args);
  }

  static v1::StreamInfo Stream(const std::string& name, uint64_t messages) {
    v1::StreamInfo info;
    info.mutable_config()->set_name(name);
    info.mutable_config()->add_subjects(name + ".>");
    info.mutable_state()->set_messages(messages);
    info.mutable_state()->set_first_seq(messages == 0 ? 0 : 1);
    info.mutable_state()->set_last_seq(messages);
    return info;
  }

  ::testing::StrictMock<storesvc::client::MockStoreClient> store_;
  ::testing::StrictMock<consumersvc::client::MockConsumerClient> consumers_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::function<bool()> interrupted_ = [] { return false; };
};

TEST_F(CommandsTest, AddSendsTheFlagsConfigAndPrintsTheSeedsAnswer) {
  EXPECT_CALL(store_, CreateStream(_)).WillOnce([](const v1::CreateStreamRequest& request) {
    EXPECT_EQ(request.config().name(), "devices-events");
    EXPECT_EQ(request.config().subjects(0), "devices.*.events");
    EXPECT_EQ(request.config().max_msgs(), 100);
    EXPECT_EQ(request.config().storage(), v1::STORAGE_MEMORY);
    return Stream("devices-events", 0);
  });
  ASSERT_TRUE(Run({"add", "devices-events", "--subjects", "devices.*.events", "--max-msgs", "100",
                   "--storage", "memory"})
                  .ok());
  EXPECT_EQ(out_.str(), "Received response of \"+OK\"\n");
}

TEST_F(CommandsTest, AddAsksOnATerminal) {
  std::istringstream in("devices-events\ndevices.*.events\n\nfile\n");
  std::ostringstream prompts;
  Prompter prompter(in, prompts);
  EXPECT_CALL(store_, CreateStream(_)).WillOnce([](const v1::CreateStreamRequest& request) {
    EXPECT_EQ(request.config().name(), "devices-events");
    return Stream("devices-events", 0);
  });
  ASSERT_TRUE(Run({"add"}, &prompter).ok());
  EXPECT_THAT(prompts.str(), HasSubstr("Storage: "));
}

// The consumer service's answer to ConsumerCounts: `count` for each stream.
v1::ConsumerCountsResponse Counts(const v1::ConsumerCountsRequest& request, int count) {
  v1::ConsumerCountsResponse response;
  for (int i = 0; i < request.streams_size(); ++i) response.add_counts(count);
  return response;
}

TEST_F(CommandsTest, JsonPrintsTheServicesAnswer) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 0)));
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce([](const v1::ConsumerCountsRequest& r) {
    return Counts(r, 0);
  });
  ASSERT_TRUE(Run({"stream", "info", "S", "--json"}).ok());
  EXPECT_THAT(out_.str(), StartsWith("{"));
  EXPECT_THAT(out_.str(), HasSubstr("\"name\": \"S\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"messages\": \"0\""));  // Zeroes too, for scripts.
}

TEST_F(CommandsTest, InfoPrintsTheSeedsLayout) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce([](const v1::StreamInfoRequest& request) {
    EXPECT_EQ(request.name(), "devices-events");
    return Stream("devices-events", 72);
  });
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce([](const v1::ConsumerCountsRequest& r) {
    EXPECT_EQ(r.streams(0), "devices-events");
    return Counts(r, 2);
  });
  ASSERT_TRUE(Run({"info", "devices-events"}).ok());
  EXPECT_THAT(out_.str(), StartsWith("\nMessages: 72\nBytes:    0 B\nFirstSeq: 1\nLastSeq:  72\n"));
  EXPECT_THAT(out_.str(), HasSubstr("Consumers: 2\n"));
}

TEST_F(CommandsTest, ListReadsEveryPage) {
  EXPECT_CALL(store_, ListStreams(_))
      .WillOnce([](const v1::ListStreamsRequest& request) {
        EXPECT_EQ(request.offset(), 0);
        v1::ListStreamsResponse page;
        page.set_total(3);
        *page.add_streams() = Stream("A", 1);
        *page.add_streams() = Stream("B", 2);
        return page;
      })
      .WillOnce([](const v1::ListStreamsRequest& request) {
        EXPECT_EQ(request.offset(), 2);
        v1::ListStreamsResponse page;
        page.set_total(3);
        *page.add_streams() = Stream("C", 3);
        return page;
      });
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce([](const v1::ConsumerCountsRequest& r) {
    EXPECT_EQ(r.streams_size(), 3);
    return Counts(r, 1);
  });
  ASSERT_TRUE(Run({"ls"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("\n1) A "));
  EXPECT_THAT(out_.str(), HasSubstr("\n3) C "));
}

TEST_F(CommandsTest, PurgeAndMessageDeletesGoToTheConsumerService) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 3)));
  EXPECT_CALL(store_, FilteredState(_)).WillOnce([](const v1::FilteredStateRequest& request) {
    EXPECT_EQ(request.stream(), "S");
    EXPECT_EQ(request.filter_subjects_size(), 1);
    EXPECT_EQ(request.filter_subjects(0), "S.a");
    v1::FilteredStateResponse response;
    response.set_messages(1234);
    return response;
  });
  EXPECT_CALL(consumers_, PurgeStream(_)).WillOnce([](const v1::PurgeStreamRequest& request) {
    EXPECT_EQ(request.name(), "S");
    EXPECT_EQ(request.filter(), "S.a");
    v1::PurgeStreamResponse response;
    response.set_purged(1234);
    return response;
  });
  ASSERT_TRUE(Run({"purge", "S", "--filter", "S.a"}).ok());
  EXPECT_EQ(err_.str(), "Purging 1,234 messages on S.a from S...\n");
  EXPECT_EQ(out_.str(), "Purged 1,234 messages\n");

  EXPECT_CALL(consumers_, DeleteMessage(_)).WillOnce([](const v1::DeleteMessageRequest& request) {
    EXPECT_EQ(request.stream(), "S");
    EXPECT_EQ(request.seq(), 7u);
    return absl::OkStatus();
  });
  ASSERT_TRUE(Run({"rm-msg", "S", "7"}).ok());
}

TEST_F(CommandsTest, GetBySequenceOrLastOnASubject) {
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce([](const v1::GetMessageRequest& request) {
        EXPECT_EQ(request.stream(), "S");
        EXPECT_EQ(request.seq(), 5u);
        v1::StoredMessage message;
        message.set_subject("S.a");
        message.set_seq(5);
        message.set_data("hello");
        return message;
      })
      .WillOnce([](const v1::GetMessageRequest& request) {
        EXPECT_EQ(request.seq(), 0u);
        EXPECT_EQ(request.last_by_subject(), "S.b");
        v1::StoredMessage message;
        message.set_subject("S.b");
        message.set_seq(9);
        return message;
      });
  ASSERT_TRUE(Run({"get", "S", "5"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("Sequence: 5\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\nhello\n"));
  ASSERT_TRUE(Run({"get", "S", "--last", "S.b"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("Sequence: 9\n"));
  EXPECT_EQ(Run({"get", "S", "first"}).message(), "invalid sequence \"first\"");
}

TEST_F(CommandsTest, PurgeSaysHowMuchBeforeItAsks) {
  v1::StreamInfo info = Stream("devices-events", 123456);
  info.mutable_state()->set_bytes(6800000);
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(info));
  EXPECT_CALL(consumers_, PurgeStream(_)).WillOnce([this](const v1::PurgeStreamRequest& request) {
    EXPECT_EQ(err_.str(), "Purging 123,456 messages (6.8 MB) from devices-events...\n");
    EXPECT_EQ(request.filter(), "");
    v1::PurgeStreamResponse response;
    response.set_purged(123456);
    return response;
  });
  ASSERT_TRUE(Run({"purge", "devices-events", "--json"}).ok());
  EXPECT_EQ(out_.str(), "{\n \"purged\": \"123456\"\n}\n");
}

TEST_F(CommandsTest, PurgeOfAnUnknownStreamAsksNothing) {
  EXPECT_CALL(store_, GetStreamInfo(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  EXPECT_EQ(Run({"purge", "nope"}).message(), "stream not found");
  EXPECT_EQ(err_.str(), "");
}

// A read that the test drives: Read() hands the callbacks over.
class FakeRead : public storesvc::client::Subscription {
 public:
  explicit FakeRead(bool* cancelled) : cancelled_(cancelled) {}
  void Cancel() override { *cancelled_ = true; }

 private:
  bool* cancelled_;
};

// Messages `first`..`last` on S.a (even) and S.b (odd) as one batch.
v1::MessageBatch Messages(uint64_t first, uint64_t last) {
  v1::MessageBatch batch;
  for (uint64_t seq = first; seq <= last; ++seq) {
    v1::StoredMessage* message = batch.add_messages();
    message->set_seq(seq);
    message->set_subject(seq % 2 == 0 ? "S.a" : "S.b");
    message->set_data(absl::StrCat("m", seq));
  }
  return batch;
}

TEST_F(CommandsTest, GetFromPrintsMessagesInOrderUpToCount) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 10)));
  bool cancelled = false;
  EXPECT_CALL(store_, Read(_, _, _))
      .WillOnce([&](const v1::ReadRequest& request,
                    storesvc::client::StoreClient::BatchCallback on_batch,
                    storesvc::client::StoreClient::DoneCallback done) {
        EXPECT_EQ(request.stream(), "S");
        EXPECT_EQ(request.start_seq(), 3u);
        EXPECT_EQ(request.max_messages(), 3u);
        EXPECT_EQ(request.filter_subject(), "");
        EXPECT_FALSE(request.tail());
        v1::MessageBatch first = Messages(3, 4);
        on_batch(first);
        v1::MessageBatch second = Messages(5, 5);
        on_batch(second);
        done(absl::OkStatus());
        return std::make_unique<FakeRead>(&cancelled);
      });
  ASSERT_TRUE(Run({"get", "S", "--from", "3", "--count", "3"}).ok());
  v1::StoredMessage m3 = Messages(3, 3).messages(0);
  v1::StoredMessage m4 = Messages(4, 4).messages(0);
  v1::StoredMessage m5 = Messages(5, 5).messages(0);
  EXPECT_EQ(out_.str(),
            absl::StrCat(MessageText(m3), "\n", MessageText(m4), "\n", MessageText(m5), "\n"));
}

TEST_F(CommandsTest, GetFromStopsAtTheEndAsItWasAtTheStart) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 4)));
  bool cancelled = false;
  EXPECT_CALL(store_, Read(_, _, _))
      .WillOnce([&](const v1::ReadRequest& request,
                    storesvc::client::StoreClient::BatchCallback on_batch,
                    storesvc::client::StoreClient::DoneCallback) {
        EXPECT_EQ(request.filter_subject(), "S.a");
        EXPECT_EQ(request.max_messages(), Commands::kReadWindow);
        // 6 was stored after the start: not printed, and the read ends.
        v1::MessageBatch batch;
        *batch.add_messages() = Messages(2, 2).messages(0);
        *batch.add_messages() = Messages(4, 4).messages(0);
        *batch.add_messages() = Messages(6, 6).messages(0);
        on_batch(batch);
        return std::make_unique<FakeRead>(&cancelled);
      });
  ASSERT_TRUE(Run({"get", "S", "--from", "1", "--subject", "S.a", "--json"}).ok());
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(out_.str(),
            "{\"subject\":\"S.a\",\"seq\":\"2\",\"time_ns\":\"0\",\"headers\":\"\","
            "\"data\":\"bTI=\"}\n"
            "{\"subject\":\"S.a\",\"seq\":\"4\",\"time_ns\":\"0\",\"headers\":\"\","
            "\"data\":\"bTQ=\"}\n");
}

TEST_F(CommandsTest, GetFromReadsWindowAfterWindow) {
  const uint64_t total = Commands::kReadWindow + 5;
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", total)));
  bool cancelled = false;
  EXPECT_CALL(store_, Read(_, _, _))
      .WillOnce([&](const v1::ReadRequest& request,
                    storesvc::client::StoreClient::BatchCallback on_batch,
                    storesvc::client::StoreClient::DoneCallback done) {
        EXPECT_EQ(request.start_seq(), 1u);
        v1::MessageBatch batch = Messages(1, Commands::kReadWindow);
        on_batch(batch);
        done(absl::OkStatus());
        return std::make_unique<FakeRead>(&cancelled);
      })
      .WillOnce([&](const v1::ReadRequest& request,
                    storesvc::client::StoreClient::BatchCallback on_batch,
                    storesvc::client::StoreClient::DoneCallback done) {
        EXPECT_EQ(request.start_seq(), Commands::kReadWindow + 1);
        v1::MessageBatch batch = Messages(Commands::kReadWindow + 1, total);
        on_batch(batch);
        done(absl::OkStatus());
        return std::make_unique<FakeRead>(&cancelled);
      });
  ASSERT_TRUE(Run({"get", "S", "--from", "1"}).ok());
  const std::string out = out_.str();
  EXPECT_THAT(out, StartsWith("Subject:  S.b\nSequence: 1\n"));
  EXPECT_THAT(out, HasSubstr(absl::StrCat("\nm", total, "\n\n")));
  size_t blocks = 0;
  for (size_t at = out.find("Sequence: "); at != std::string::npos;
       at = out.find("Sequence: ", at + 1)) {
    ++blocks;
  }
  EXPECT_EQ(blocks, total);
}

TEST_F(CommandsTest, GetFromEndsQuietlyOnCtrlC) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 100)));
  bool cancelled = false;
  EXPECT_CALL(store_, Read(_, _, _))
      .WillOnce([&](const v1::ReadRequest&, storesvc::client::StoreClient::BatchCallback on_batch,
                    storesvc::client::StoreClient::DoneCallback) {
        v1::MessageBatch batch = Messages(1, 2);
        on_batch(batch);
        return std::make_unique<FakeRead>(&cancelled);
      });
  // Ctrl-C once the first messages are printed; the read never ends by itself.
  interrupted_ = [this] { return !out_.str().empty(); };
  ASSERT_TRUE(Run({"get", "S", "--from", "1"}).ok());
  EXPECT_TRUE(cancelled);
  EXPECT_THAT(out_.str(), HasSubstr("Sequence: 2\n"));
}

TEST_F(CommandsTest, GetFromFailsWhenTheReadStalls) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 100)));
  bool cancelled = false;
  EXPECT_CALL(store_, Read(_, _, _)).WillOnce([&] {
    return std::make_unique<FakeRead>(&cancelled);
  });
  const absl::Status stalled = Run({"get", "S", "--from", "1"});
  EXPECT_TRUE(absl::IsDeadlineExceeded(stalled)) << stalled;
  EXPECT_THAT(stalled.message(), HasSubstr("store service at store:1"));
  EXPECT_TRUE(cancelled);
}

TEST_F(CommandsTest, GetFromReportsTheReadsError) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 100)));
  bool cancelled = false;
  EXPECT_CALL(store_, Read(_, _, _))
      .WillOnce([&](const v1::ReadRequest&, storesvc::client::StoreClient::BatchCallback,
                    storesvc::client::StoreClient::DoneCallback done) {
        done(common::JsError(common::JsErrorId::kStreamNotFound));
        return std::make_unique<FakeRead>(&cancelled);
      });
  EXPECT_EQ(Run({"get", "S", "--from", "1"}).message(), "stream not found");
}

TEST_F(CommandsTest, GetFromChecksItsFlags) {
  EXPECT_EQ(Run({"get", "S", "--from", "0"}).message(), "invalid sequence \"0\"");
  EXPECT_EQ(Run({"get", "S", "--from", "1", "--count", "0"}).message(), "invalid --count \"0\"");
  EXPECT_EQ(Run({"get", "S", "5", "--count", "2"}).message(),
            "--count and --subject go with --from <seq>");
  EXPECT_EQ(Run({"get", "S", "5", "--from", "1"}).message(),
            "too many arguments: jsm get <message set> --from <seq> [--count N] [--subject S]");
}

TEST_F(CommandsTest, EditChangesTheCurrentConfig) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce(Return(Stream("S", 3)));
  EXPECT_CALL(store_, UpdateStream(_)).WillOnce([](const v1::UpdateStreamRequest& request) {
    EXPECT_EQ(request.config().subjects(0), "S.>");
    EXPECT_EQ(request.config().max_bytes(), 1 << 20);
    v1::StreamInfo info = Stream("S", 3);
    *info.mutable_config() = request.config();
    return info;
  });
  EXPECT_CALL(consumers_, ConsumerCounts(_)).WillOnce([](const v1::ConsumerCountsRequest& r) {
    return Counts(r, 0);
  });
  ASSERT_TRUE(Run({"edit", "S", "--max-bytes", "1MiB"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("MaxBytes:  1.0 MB\n"));
}

TEST_F(CommandsTest, ObservableVerbsGoToTheConsumerService) {
  EXPECT_CALL(consumers_, CreateConsumer(_)).WillOnce([](const v1::CreateConsumerRequest& r) {
    EXPECT_EQ(r.stream(), "devices-events");
    EXPECT_EQ(r.config().durable_name(), "temperature");
    EXPECT_EQ(r.config().deliver_subject(), "devices.events");
    v1::ConsumerInfo info;
    info.set_name("temperature");
    return info;
  });
  ASSERT_TRUE(
      Run({"add-obs", "devices-events", "temperature", "--deliver", "devices.events"}).ok());
  EXPECT_EQ(out_.str(), "Received response of \"+OK\"\n");

  EXPECT_CALL(consumers_, ListConsumers(_)).WillOnce([](const v1::ListConsumersRequest& r) {
    EXPECT_EQ(r.stream(), "devices-events");
    v1::ListConsumersResponse page;
    page.set_total(1);
    page.add_consumers()->set_name("temperature");
    return page;
  });
  ASSERT_TRUE(Run({"ls-obs", "devices-events"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("\n1) temperature "));

  EXPECT_CALL(consumers_, GetConsumerInfo(_))
      .Times(2)
      .WillRepeatedly([](const v1::ConsumerRequest& r) {
        EXPECT_EQ(r.stream(), "devices-events");
        EXPECT_EQ(r.name(), "temperature");
        v1::ConsumerInfo info;
        info.set_num_redelivered(3);
        return info;
      });
  ASSERT_TRUE(Run({"info-obs", "devices-events", "temperature"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("Redelivered:   3\n"));
  ASSERT_TRUE(Run({"info", "devices-events", "temperature"}).ok());  // The seed's jsm read this so.

  EXPECT_CALL(consumers_, DeleteConsumer(_)).WillOnce(Return(absl::OkStatus()));
  ASSERT_TRUE(Run({"consumer", "rm", "devices-events", "temperature"}).ok());
}

TEST_F(CommandsTest, ErrorsAreOneLineForTheUser) {
  EXPECT_CALL(store_, GetStreamInfo(_))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)))
      .WillOnce(Return(absl::UnavailableError("failed to connect to all addresses")))
      .WillOnce(Return(absl::DeadlineExceededError("Deadline Exceeded")));
  EXPECT_EQ(Run({"info", "nope"}).message(), "stream not found");
  EXPECT_EQ(Run({"info", "S"}).message(),
            "cannot reach the store service at store:1: failed to connect to all addresses");
  EXPECT_EQ(Run({"info", "S"}).message(),
            "no answer from the store service at store:1 within 1.5s");

  EXPECT_CALL(consumers_, DeleteConsumer(_))
      .WillOnce(Return(absl::UnavailableError("connection refused")));
  EXPECT_EQ(Run({"rm-obs", "S", "C"}).message(),
            "cannot reach the consumer service at consumer:2: connection refused");

  EXPECT_EQ(Run({"rm", "A", "B"}).message(), "too many arguments: jsm rm <message set>");
  EXPECT_EQ(Run({"add"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CommandsTest, InfoAloneIsTheSeedsAccountInfo) {
  EXPECT_CALL(store_, ListStreams(_)).WillOnce([](const v1::ListStreamsRequest&) {
    v1::ListStreamsResponse page;
    page.set_total(2);
    *page.add_streams() = Stream("A", 1);
    *page.add_streams() = Stream("B", 2);
    page.mutable_streams(0)->mutable_state()->set_bytes(100);
    return page;
  });
  ASSERT_TRUE(Run({"info"}).ok());
  EXPECT_EQ(
      out_.str(),
      "\nMemory:  0 B of unlimited\nStorage: 100 B of unlimited\nMsgSets: 2 of unlimited\n\n");
}

TEST_F(CommandsTest, HelpPrintsUsage) {
  ASSERT_TRUE(Run({"help"}).ok());
  EXPECT_THAT(out_.str(), HasSubstr("add-obs | consumer add"));
  EXPECT_THAT(out_.str(), HasSubstr("-s / --server, else $JSM_SERVER"));
  EXPECT_THAT(out_.str(), HasSubstr("kv history <bucket> <key>"));
}

}  // namespace
}  // namespace jsengine::tools::jsm
