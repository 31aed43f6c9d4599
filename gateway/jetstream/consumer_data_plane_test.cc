// The data plane over the embedded consumer engine and store, with a client
// pulling: acks published on the server, then Settle. And over a recording
// session: which batches the service gets.
#include "gateway/jetstream/consumer_data_plane.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/callback_burst.h"
#include "consumersvc/client/delivery_frame.h"
#include "consumersvc/client/mock_consumer_client.h"
#include "consumersvc/consumer_engine.h"
#include "gateway/core/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/core/raw_client.h"
#include "testing/util/temp_dir.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

// `options` on any free port.
core::ServerOptions AnyPort(core::ServerOptions options = {}) {
  options.port = 0;
  return options;
}

// Has `nats` connect and subscribe to `subject` as sid 1; true once done.
bool SubscribeAsSid1(testing::core::RawClient& nats, const std::string& subject) {
  return nats.connected() && nats.ReadUntil("INFO") &&
         nats.Send("CONNECT {\"verbose\":false}\r\nSUB " + subject + " 1\r\nPING\r\n") &&
         nats.ReadUntil("PONG");
}

class ConsumerDataPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    storesvc::StoreOptions store_options;
    store_options.data_dir = testing::util::MakeTempDir("consumer_data_plane-");
    store_ = std::move(storesvc::Store::Open(store_options)).value();
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("W");
    create.mutable_config()->add_subjects("w.>");
    create.mutable_config()->set_retention(v1::RETENTION_WORK_QUEUE);
    ASSERT_TRUE(store_->CreateStream(create).ok());
    engine_ = std::move(consumersvc::ConsumerEngine::Start({}, store_.get())).value();
    data_plane_ = std::make_unique<ConsumerDataPlane>(&server_, engine_.get());
    data_plane_->Start();
    server_.SubscribeInternal("inbox", "", [this](const core::InboundMessage& m) {
      absl::MutexLock lock(&mu_);
      acks_.push_back(std::string(m.reply));
    });
  }

  void TearDown() override {
    data_plane_->Stop();
    engine_->Stop();
    server_.Shutdown();
  }

  // Waits for `n` deliveries to "inbox" and returns their ack subjects.
  std::vector<std::string> Acks(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return acks_.size() >= n; };
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&enough), kWait));
    return acks_;
  }

  uint64_t Messages() {
    v1::StreamInfoRequest request;
    request.set_name("W");
    return store_->GetStreamInfo(request).value().state().messages();
  }

  core::Server server_{AnyPort()};
  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<consumersvc::ConsumerEngine> engine_;
  std::unique_ptr<ConsumerDataPlane> data_plane_;
  absl::Mutex mu_;
  std::vector<std::string> acks_ ABSL_GUARDED_BY(mu_);
};

TEST_F(ConsumerDataPlaneTest, SettleReturnsOnceTheAcksPublishedBeforeItRemovedTheirMessages) {
  v1::AppendBatch batch;
  for (int i = 0; i < 3; ++i) {
    v1::AppendRequest* r = batch.add_requests();
    r->set_stream("W");
    r->set_subject("w.job");
  }
  absl::Notification appended;
  store_->Append(std::move(batch), [&](v1::AppendResultBatch) { appended.Notify(); });
  appended.WaitForNotification();
  v1::CreateConsumerRequest create;
  create.set_stream("W");
  create.mutable_config()->set_durable_name("C");
  create.mutable_config()->set_ack_policy(v1::ACK_EXPLICIT);
  ASSERT_TRUE(engine_->CreateConsumer(create).ok());

  // The requester: a client (the reply of a request that waits is watched
  // for client interest, which an internal subscriber is not).
  testing::core::RawClient requester(server_.port());
  ASSERT_TRUE(SubscribeAsSid1(requester, "inbox"));
  data_plane_->PullRequest("W", "C", "inbox", R"({"batch":3})", 0);
  std::vector<std::string> acks = Acks(3);
  ASSERT_EQ(acks.size(), 3u);
  for (const std::string& ack : acks) server_.Publish(ack, "", "", "+ACK");
  ASSERT_TRUE(data_plane_->Settle("W"));
  EXPECT_EQ(Messages(), 0u);
}

TEST_F(ConsumerDataPlaneTest, SettleOnAStreamWithoutConsumersAnswersAtOnce) {
  EXPECT_TRUE(data_plane_->Settle("W"));
  EXPECT_TRUE(data_plane_->Settle("NOPE"));
}

// The session a MockConsumerClient opens: keeps the delivery callback and
// every batch sent on it.
class Recorder {
 public:
  explicit Recorder(consumersvc::client::MockConsumerClient* client) {
    ON_CALL(*client, OpenSession(::testing::_))
        .WillByDefault([this](consumersvc::client::ConsumerClient::DeliveryCallback deliver) {
          deliver_ = std::move(deliver);
          return std::unique_ptr<consumersvc::client::ConsumerSession>(
              std::make_unique<Session>(this));
        });
  }

  void Deliver(v1::DeliveryBatch batch) { deliver_(std::move(batch)); }

  // Waits until the batches hold `n` events; returns the batches.
  std::vector<v1::GatewayBatch> WaitForEvents(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return events_ >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
    return batches_;
  }

 private:
  class Session final : public consumersvc::client::ConsumerSession {
   public:
    explicit Session(Recorder* recorder) : recorder_(recorder) {}
    void Send(v1::GatewayBatch batch) override {
      int events = 0;
      for (const v1::GatewayEvent& event : batch.events()) {
        // Each ack of a packed run counts as one.
        if (event.event_case() != v1::GatewayEvent::kAcks) ++events;
        consumersvc::client::ForEachAck(event.acks(),
                                        [&](const consumersvc::client::AckView&) { ++events; });
      }
      absl::MutexLock lock(&recorder_->mu_);
      recorder_->events_ += events;
      recorder_->batches_.push_back(std::move(batch));
    }

   private:
    Recorder* const recorder_;
  };

  consumersvc::client::ConsumerClient::DeliveryCallback deliver_;
  absl::Mutex mu_;
  std::vector<v1::GatewayBatch> batches_ ABSL_GUARDED_BY(mu_);
  int events_ ABSL_GUARDED_BY(mu_) = 0;
};

// A plane over a MockConsumerClient whose service announced one consumer,
// "C" of `stream`.
class MockServicePlaneTest : public ::testing::Test {
 protected:
  MockServicePlaneTest(core::ServerOptions options, std::vector<std::string> accounts,
                       std::string stream)
      : server_(AnyPort(std::move(options))),
        plane_(&server_, &client_, std::move(accounts)),
        stream_(std::move(stream)) {}

  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    plane_.Start();
    v1::DeliveryBatch announce;
    v1::ConsumerRef* consumer = announce.add_consumers_added();
    consumer->set_stream(stream_);
    consumer->set_name("C");
    recorder_.Deliver(std::move(announce));
  }
  void TearDown() override {
    plane_.Stop();
    server_.Shutdown();
  }

  core::Server server_;
  ::testing::NiceMock<consumersvc::client::MockConsumerClient> client_;
  Recorder recorder_{&client_};
  ConsumerDataPlane plane_;
  const std::string stream_;
};

class ConsumerDataPlaneBatchTest : public MockServicePlaneTest {
 protected:
  ConsumerDataPlaneBatchTest() : MockServicePlaneTest({}, {}, "S") {}
};

// A client's acks, written together, reach the service as one batch (not
// one call per ack), in order.
TEST_F(ConsumerDataPlaneBatchTest, AcksReadTogetherGoAsOneBatch) {
  testing::core::RawClient nats(server_.port());
  ASSERT_TRUE(nats.connected());
  ASSERT_TRUE(nats.ReadUntil("INFO"));
  constexpr int kAcks = 50;
  std::string wire = "CONNECT {\"verbose\":false}\r\n";
  for (int i = 1; i <= kAcks; ++i) {
    absl::StrAppend(&wire, "PUB $JS.ACK.S.C.1.", i, ".", i, ".0.0 0\r\n\r\n");
  }
  wire += "PING\r\n";
  ASSERT_TRUE(nats.Send(wire));
  ASSERT_TRUE(nats.ReadUntil("PONG"));

  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(kAcks);
  std::vector<std::string> acked;
  for (const v1::GatewayBatch& batch : batches) {
    for (const v1::GatewayEvent& event : batch.events()) {
      consumersvc::client::ForEachAck(event.acks(), [&](const consumersvc::client::AckView& ack) {
        acked.push_back(std::string(ack.reply_subject));
      });
    }
  }
  ASSERT_EQ(acked.size(), static_cast<size_t>(kAcks));
  for (int i = 1; i <= kAcks; ++i) {
    EXPECT_EQ(acked[i - 1], absl::StrCat("$JS.ACK.S.C.1.", i, ".", i, ".0.0"));
  }
  // One read of the socket is one batch; the kernel may split the bytes.
  EXPECT_LE(batches.size(), 3u);
}

// Outside an event loop's pass (no burst), an event goes at once.
TEST_F(ConsumerDataPlaneBatchTest, APullFromAnotherThreadGoesAtOnce) {
  plane_.PullRequest("S", "C", "inbox.1", "{\"batch\":1}", 0);
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(1);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].events_size(), 1);
  EXPECT_EQ(batches[0].events(0).pull().reply(), "inbox.1");
}

// Inside a burst events wait for its end, or for Flush.
TEST_F(ConsumerDataPlaneBatchTest, FlushSendsWhatABurstQueued) {
  {
    common::CallbackBurst burst;
    plane_.PullRequest("S", "C", "inbox.1", "", 0);
    plane_.PullRequest("S", "C", "inbox.2", "", 0);
    EXPECT_TRUE(recorder_.WaitForEvents(0).empty());
    plane_.Flush();
    const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(2);
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].events_size(), 2);
    plane_.PullRequest("S", "C", "inbox.3", "", 0);
  }
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(3);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].events(0).pull().reply(), "inbox.3");
}

// A message for a pull request whose requester is gone reaches nobody: the
// service hears that its reply has no interest, so it stops serving it.
TEST_F(ConsumerDataPlaneBatchTest, AMessageNobodyTookReportsItsReplyUnheard) {
  v1::DeliveryBatch batch;
  v1::StoredMessage m;
  m.set_subject("s.a");
  m.set_data("m1");
  consumersvc::client::AppendDelivery(
      consumersvc::client::DeliveryView::Stored("_INBOX.gone.1", "$JS.ACK.S.C.1.1.1.0.0", m),
      batch.mutable_packed_deliveries());
  recorder_.Deliver(std::move(batch));
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(1);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].events_size(), 1);
  EXPECT_EQ(batches[0].events(0).interest().subject(), "_INBOX.gone.1");
  EXPECT_FALSE(batches[0].events(0).interest().has_interest());
}

v1::DeliveryBatch ReplyWatches(const std::vector<std::string>& watch,
                               const std::vector<std::string>& unwatch = {}) {
  v1::DeliveryBatch batch;
  for (const std::string& reply : watch) {
    v1::ReplyWatch* w = batch.add_watch_replies();
    w->set_stream("S");
    w->set_reply(reply);
  }
  for (const std::string& reply : unwatch) {
    v1::ReplyWatch* w = batch.add_unwatch_replies();
    w->set_stream("S");
    w->set_reply(reply);
  }
  return batch;
}

// The reply subject of waiting pull requests is watched: when its requester
// unsubscribes the service hears it, with the stream, before any message
// is sent there.
TEST_F(ConsumerDataPlaneBatchTest, AWatchedReplyReportsItsRequesterLeaving) {
  testing::core::RawClient nats(server_.port());
  ASSERT_TRUE(SubscribeAsSid1(nats, "_INBOX.r"));
  recorder_.Deliver(ReplyWatches({"_INBOX.r"}));
  ASSERT_TRUE(nats.Send("UNSUB 1\r\nPING\r\n"));
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(1);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].events_size(), 1);
  const v1::InterestChange& change = batches[0].events(0).interest();
  EXPECT_EQ(change.subject(), "_INBOX.r");
  EXPECT_EQ(change.stream(), "S");
  EXPECT_FALSE(change.has_interest());
}

// A reply nobody listens on any more is reported at once; one through a
// service import (_R_.) whose route is gone (answered, expired) is not
// watched.
TEST_F(ConsumerDataPlaneBatchTest, AReplyWithoutInterestIsReportedAtOnce) {
  recorder_.Deliver(ReplyWatches({"_R_.import", "_INBOX.none"}));
  plane_.PullRequest("S", "C", "inbox.1", "", 0);
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(2);
  std::vector<std::string> events;
  for (const v1::GatewayBatch& batch : batches) {
    for (const v1::GatewayEvent& event : batch.events()) {
      events.push_back(event.has_interest() ? "interest " + event.interest().subject()
                                            : "pull " + event.pull().reply());
    }
  }
  EXPECT_EQ(events, (std::vector<std::string>{"interest _INBOX.none", "pull inbox.1"}));
}

// Once no request waits on it, the reply's requester leaving is no news.
TEST_F(ConsumerDataPlaneBatchTest, AnUnwatchedReplyReportsNothing) {
  testing::core::RawClient nats(server_.port());
  ASSERT_TRUE(SubscribeAsSid1(nats, "_INBOX.r"));
  recorder_.Deliver(ReplyWatches({"_INBOX.r"}));
  recorder_.Deliver(ReplyWatches({}, {"_INBOX.r"}));
  ASSERT_TRUE(nats.Send("UNSUB 1\r\nPING\r\n"));
  ASSERT_TRUE(nats.ReadUntil("PONG"));
  plane_.PullRequest("S", "C", "inbox.1", "", 0);
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(1);
  ASSERT_FALSE(batches.empty());
  ASSERT_FALSE(batches[0].events().empty());
  EXPECT_EQ(batches[0].events(0).pull().reply(), "inbox.1");
}

// With JetStream accounts the service's names are qualified
// (account_scope.h); the plane publishes and subscribes in the account, with
// the account's names.
class ConsumerDataPlaneAccountTest : public MockServicePlaneTest {
 protected:
  struct Seen {
    std::string subject;
    std::string reply;
    std::string payload;
  };

  ConsumerDataPlaneAccountTest() : MockServicePlaneTest(WithAccountA(), {"A"}, "A~S") {}

  static core::ServerOptions WithAccountA() {
    core::ServerOptions options;
    core::AccountOptions a;
    a.name = "A";
    a.jetstream = true;
    options.accounts.push_back(a);
    return options;
  }

  // Records what reaches `subject` in `account`.
  void Listen(const std::string& account, const std::string& subject, std::vector<Seen>* seen) {
    server_.SubscribeInternalIn(account, subject, "", [seen](const core::InboundMessage& m) {
      seen->push_back({std::string(m.subject), std::string(m.reply), std::string(m.payload)});
    });
  }
};

TEST_F(ConsumerDataPlaneAccountTest, DeliveriesAndAdvisoriesLandInTheAccountUnderItsNames) {
  std::vector<Seen> in_a, in_global, advisories;
  Listen("A", "_INBOX.x", &in_a);
  Listen("", "_INBOX.x", &in_global);
  Listen("A", "$JS.EVENT.>", &advisories);
  v1::DeliveryBatch batch;
  v1::StoredMessage m;
  m.set_subject("s.a");
  m.set_data("m1");
  consumersvc::client::AppendDelivery(
      consumersvc::client::DeliveryView::Stored("$JSA.A._INBOX.x", "$JS.ACK.A~S.C.1.1.1.0.0", m),
      batch.mutable_packed_deliveries());
  consumersvc::client::AppendDelivery(
      consumersvc::client::DeliveryView::Advisory("$JS.EVENT.ADVISORY.CONSUMER.CREATED.A~S.C",
                                                  R"({"type":"t","stream":"A~S","consumer":"C"})"),
      batch.mutable_packed_deliveries());
  recorder_.Deliver(std::move(batch));
  ASSERT_EQ(in_a.size(), 1u);
  EXPECT_EQ(in_a[0].subject, "s.a");
  EXPECT_EQ(in_a[0].reply, "$JS.ACK.S.C.1.1.1.0.0");
  EXPECT_EQ(in_a[0].payload, "m1");
  EXPECT_TRUE(in_global.empty());
  ASSERT_EQ(advisories.size(), 1u);
  EXPECT_EQ(advisories[0].subject, "$JS.EVENT.ADVISORY.CONSUMER.CREATED.S.C");
  EXPECT_EQ(advisories[0].payload, R"({"type":"t","stream":"S","consumer":"C"})");
}

TEST_F(ConsumerDataPlaneAccountTest, AcksFlowControlAndPullsGoUpQualified) {
  server_.PublishIn("A", "$JS.ACK.S.C.1.1.1.0.0", "sync.1", "", "+ACK");
  server_.PublishIn("A", "$JS.FC.S.C.abc", "", "", "");
  AccountDataPlane account(&plane_, JsAccountScope("A"));
  account.PullRequest("S", "C", "inbox.1", "", 0);
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(3);
  std::vector<v1::GatewayEvent> events;
  std::vector<std::pair<std::string, std::string>> acks;  // reply_subject, reply
  for (const v1::GatewayBatch& batch : batches) {
    for (const v1::GatewayEvent& event : batch.events()) {
      events.push_back(event);
      consumersvc::client::ForEachAck(event.acks(), [&](const consumersvc::client::AckView& ack) {
        acks.emplace_back(ack.reply_subject, ack.reply);
      });
    }
  }
  ASSERT_EQ(events.size(), 3u);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].first, "$JS.ACK.A~S.C.1.1.1.0.0");
  EXPECT_EQ(acks[0].second, "$JSA.A.sync.1");
  EXPECT_EQ(events[1].flow_control().subject(), "$JS.FC.A~S.C.abc");
  EXPECT_EQ(events[2].pull().stream(), "A~S");
  EXPECT_EQ(events[2].pull().reply(), "$JSA.A.inbox.1");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
