#include "consumersvc/consumer.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "consumersvc/consumer_config.h"
#include "consumersvc/consumer_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::StreamConfig Stream() {
  v1::StreamConfig s;
  s.set_name("S");
  s.add_subjects("s.>");
  return s;
}

v1::ConsumerConfig Push(v1::AckPolicy ack = v1::ACK_EXPLICIT) {
  v1::ConsumerConfig c;
  c.set_durable_name("C");
  c.set_deliver_subject("deliver");
  c.set_ack_policy(ack);
  return c;
}

v1::ConsumerConfig Pull(v1::AckPolicy ack = v1::ACK_EXPLICIT) {
  v1::ConsumerConfig c;
  c.set_durable_name("C");
  c.set_ack_policy(ack);
  return c;
}

class ConsumerTest : public ::testing::Test {
 protected:
  // Makes the consumer from `config` after nats-server's defaults.
  void Make(v1::ConsumerConfig config, v1::RetentionPolicy retention = v1::RETENTION_LIMITS,
            const ConsumerState* restored = nullptr) {
    v1::StreamConfig stream = Stream();
    stream.set_retention(retention);
    auto checked = CheckConsumerConfig(config, stream, ConsumerLimits{});
    ASSERT_TRUE(checked.ok()) << checked.status();
    Consumer::Setup setup;
    setup.stream = "S";
    setup.name = "C";
    setup.config = *checked;
    setup.retention = retention;
    setup.start_seq = source_.FirstSeq();
    setup.last_per_subject = last_per_subject_;
    setup.stream_last_seq = source_.FirstSeq() - 1 + source_.NumPending(0, SubjectFilter());
    setup.restored = restored;
    setup.rate_burst_bytes = rate_burst_;
    consumer_ = std::make_unique<Consumer>(std::move(setup), &source_, &out_);
    consumer_->Start(now_);
  }

  // Acks the delivery recorded as the `index`th (0-based) with `body`.
  void Ack(size_t index, std::string_view body = "", std::string_view reply = "") {
    ASSERT_LT(index, out_.replies.size());
    auto subject = ParseAckSubject(out_.replies[index]);
    ASSERT_TRUE(subject.ok());
    consumer_->OnAck(*subject, ParseAckBody(body), reply, now_);
  }

  void Advance(int64_t ns) {
    now_ += ns;
    while (consumer_->NextDueNs() != 0 && consumer_->NextDueNs() <= now_) {
      consumer_->Tick(now_);
      if (consumer_->NextDueNs() <= now_) break;
    }
  }

  void Append(int n, const std::string& subject = "s.a") {
    for (int i = 0; i < n; ++i) source_.Add(subject);
    consumer_->OnStreamAppended(now_);
  }

  FakeSource source_;
  RecordingOutput out_;
  std::unique_ptr<Consumer> consumer_;
  std::vector<uint64_t> last_per_subject_;
  int64_t rate_burst_ = 1 << 20;
  int64_t now_ = kT0 + kSec;
};

// --- Push ----------------------------------------------------------------------

TEST_F(ConsumerTest, PushDeliversOnlyWhileTheDeliverSubjectHasInterest) {
  source_.Add("s.a");
  source_.Add("s.b");
  Make(Push());
  EXPECT_THAT(out_.Take(), IsEmpty());
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1", "msg deliver 2 dc=1 dseq=2"));
  consumer_->OnDeliveryInterest(false, now_);
  Append(1);
  EXPECT_THAT(out_.Take(), IsEmpty());
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 3 dc=1 dseq=3"));
}

TEST_F(ConsumerTest, AckReplySubjectCarriesSequencesTimeAndPending) {
  source_.Add("s.a");
  source_.Add("s.a");
  source_.Add("s.a");
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  ASSERT_EQ(out_.replies.size(), 3u);
  EXPECT_EQ(out_.replies[0], absl::StrCat("$JS.ACK.S.C.1.1.1.", kT0 + kMs, ".2"));
  EXPECT_EQ(out_.replies[2], absl::StrCat("$JS.ACK.S.C.1.3.3.", kT0 + 3 * kMs, ".0"));
}

TEST_F(ConsumerTest, ExplicitAcksMoveTheFloorOverAckedPrefixes) {
  for (int i = 0; i < 4; ++i) source_.Add("s.a");
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Ack(1);
  v1::ConsumerInfo info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 0u);
  EXPECT_EQ(info.num_ack_pending(), 3);
  EXPECT_EQ(info.ts_ns(), now_);  // nats-server 2.10's "ts": when the info was taken.
  Ack(0);
  info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 2u);
  EXPECT_EQ(info.ack_floor().consumer_seq(), 2u);
  Ack(3);
  Ack(2);
  info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 4u);
  EXPECT_EQ(info.num_ack_pending(), 0);
  EXPECT_EQ(info.delivered().stream_seq(), 4u);
  EXPECT_EQ(out_.acked_records, 4);
}

// nats-server's ack floor starts at 0 whatever the start sequence, and only
// an ack or a purge moves it.
TEST_F(ConsumerTest, AckFloorReadsZeroUntilAnAckOrAPurge) {
  for (int i = 0; i < 6; ++i) source_.Add("s.a");
  for (uint64_t seq : {1, 2, 3}) source_.Remove(seq);
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  ASSERT_EQ(out_.Take().size(), 3u);
  v1::ConsumerInfo info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 0u);
  EXPECT_EQ(info.ack_floor().consumer_seq(), 0u);
  EXPECT_EQ(info.delivered().stream_seq(), 6u);
  Ack(0);
  info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 4u);
  EXPECT_EQ(info.ack_floor().consumer_seq(), 1u);

  source_ = FakeSource();
  for (int i = 0; i < 6; ++i) source_.Add("s.a");
  for (uint64_t seq : {1, 2}) source_.Remove(seq);
  Make(Pull());
  EXPECT_EQ(consumer_->Info(now_).ack_floor().stream_seq(), 0u);
  for (uint64_t seq : {3, 4}) source_.Remove(seq);
  consumer_->OnPurged(5, 6, false, now_);
  EXPECT_EQ(consumer_->Info(now_).ack_floor().stream_seq(), 4u);
}

TEST_F(ConsumerTest, UnackedMessagesAreRedeliveredAfterAckWaitUpToMaxDeliver) {
  source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.set_ack_wait_ns(2 * kSec);
  config.set_max_deliver(3);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1"));
  Advance(kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=2 dseq=2"));
  Advance(2 * kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=3 dseq=3"));
  Advance(2 * kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("adv max_deliveries 1 3"));
  Advance(10 * kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
  EXPECT_EQ(consumer_->Info(now_).num_ack_pending(), 0);
  EXPECT_EQ(consumer_->Info(now_).num_redelivered(), 1);
}

TEST_F(ConsumerTest, BackoffSetsEachRedeliveryDelay) {
  source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.add_backoff_ns(1 * kSec);
  config.add_backoff_ns(5 * kSec);
  config.set_max_deliver(5);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Advance(kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=2 dseq=2"));
  Advance(4 * kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=3 dseq=3"));
  Advance(5 * kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=4 dseq=4"));
}

TEST_F(ConsumerTest, MaxAckPendingStopsDeliveryUntilAnAck) {
  for (int i = 0; i < 5; ++i) source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.set_max_ack_pending(2);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1", "msg deliver 2 dc=1 dseq=2"));
  Ack(1);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 3 dc=1 dseq=3"));
}

TEST_F(ConsumerTest, AckAllAcknowledgesEverythingUpToTheSequence) {
  for (int i = 0; i < 4; ++i) source_.Add("s.a");
  Make(Push(v1::ACK_ALL), v1::RETENTION_INTEREST);
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Ack(2);
  EXPECT_THAT(out_.Take(), ElementsAre("acked 1-3"));
  v1::ConsumerInfo info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 3u);
  EXPECT_EQ(info.num_ack_pending(), 1);
  Ack(1);  // Below the floor: nothing.
  EXPECT_THAT(out_.Take(), IsEmpty());
}

TEST_F(ConsumerTest, AckNoneTracksNothingAndFloorsAtDelivery) {
  source_.Add("s.a");
  source_.Add("s.a");
  Make(Push(v1::ACK_NONE), v1::RETENTION_INTEREST);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1", "acked 1-1",
                                       "msg deliver 2 dc=1 dseq=2", "acked 2-2"));
  v1::ConsumerInfo info = consumer_->Info(now_);
  EXPECT_EQ(info.ack_floor().stream_seq(), 2u);
  EXPECT_EQ(info.num_ack_pending(), 0);
  Advance(60 * kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
}

TEST_F(ConsumerTest, ExplicitAcksAndTermsTellRetentionBeforeTheReply) {
  for (int i = 0; i < 3; ++i) source_.Add("s.a");
  Make(Push(), v1::RETENTION_INTEREST);
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Ack(1, "", "_INBOX.sync");
  EXPECT_THAT(out_.Take(), ElementsAre("acked 2-2", "ackreply _INBOX.sync"));
  Ack(0, "+TERM");
  EXPECT_THAT(out_.Take(), ElementsAre("acked 1-1", "adv terminated 1 1"));
  Ack(0);  // No longer pending: nats-server still tells its stream.
  EXPECT_THAT(out_.Take(), ElementsAre("acked 1-1"));
  Ack(2, "-NAK");
  EXPECT_THAT(out_.Take(), ElementsAre("adv nak 3 1", "msg deliver 3 dc=2 dseq=4"));
}

TEST_F(ConsumerTest, HoldsWhatItHasNotAckedAndMatches) {
  for (const char* subject : {"s.a", "s.b", "s.a", "s.a"}) source_.Add(subject);
  v1::ConsumerConfig config = Pull();
  config.set_filter_subject("s.a");
  Make(config, v1::RETENTION_INTEREST);
  consumer_->OnPullRequest("_INBOX.p", "2", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.p 1 dc=1 dseq=1", "msg _INBOX.p 3 dc=1 dseq=2"));
  Ack(1);
  // 1 pending, 3 acked, 4 not delivered yet; 2 was passed over.
  EXPECT_TRUE(consumer_->Holds(1));
  EXPECT_FALSE(consumer_->Holds(3));
  EXPECT_TRUE(consumer_->Holds(4));
  EXPECT_TRUE(consumer_->NeedsAck(1, "s.a"));
  EXPECT_FALSE(consumer_->NeedsAck(2, "s.b"));
  EXPECT_FALSE(consumer_->NeedsAck(4, "s.b"));
  Ack(0);
  EXPECT_FALSE(consumer_->Holds(1));
  EXPECT_EQ(consumer_->ack_floor_stream_seq(), 3u);
}

TEST_F(ConsumerTest, MaxDeliverDropsTheMessageWithoutAcknowledgingIt) {
  source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.set_max_deliver(1);
  config.set_ack_wait_ns(kSec);
  Make(config, v1::RETENTION_INTEREST);
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Advance(2 * kSec);
  // nats-server 2.9 drops it from pending without an ack: the stream keeps
  // it until some consumer's ack of it (or a consumer delete) removes it.
  EXPECT_THAT(out_.Take(), ElementsAre("adv max_deliveries 1 1"));
  EXPECT_FALSE(consumer_->Holds(1));
}

TEST_F(ConsumerTest, NakRedeliversAtOnceOrAfterItsDelay) {
  source_.Add("s.a");
  source_.Add("s.a");
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Ack(0, "-NAK");
  EXPECT_THAT(out_.Take(), ElementsAre("adv nak 1 1", "msg deliver 1 dc=2 dseq=3"));
  Ack(1, "-NAK {\"delay\":2000000000}");
  EXPECT_THAT(out_.Take(), ElementsAre("adv nak 2 1"));
  Advance(kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(kSec + 20 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 2 dc=2 dseq=4"));
}

TEST_F(ConsumerTest, ALateNakOfAnAcknowledgedMessageIsIgnored) {
  source_.Add("s.a");
  source_.Add("s.a");
  v1::ConsumerConfig config = Push(v1::ACK_ALL);
  config.set_ack_wait_ns(kSec);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  Advance(kSec + 2 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1", "msg deliver 2 dc=1 dseq=2",
                                       "msg deliver 1 dc=2 dseq=3", "msg deliver 2 dc=2 dseq=4"));
  Ack(1);          // Acks both; the floor's consumer sequence is 2.
  Ack(2, "-NAK");  // Message 1's redelivery, consumer sequence 3.
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(10 * kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
  EXPECT_EQ(consumer_->Info(now_).num_redelivered(), 0);
}

TEST_F(ConsumerTest, ANakWithADelayDoesNotPostponeADueRedeliveryCheck) {
  source_.Add("s.a");
  source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.set_ack_wait_ns(kSec);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  now_ += 1100 * kMs;  // The owner is late: the check due at 1s has not run.
  Ack(1, "-NAK {\"delay\":5000000000}");
  EXPECT_THAT(out_.Take(), ElementsAre("adv nak 2 1"));
  EXPECT_LE(consumer_->NextDueNs(), now_);
  Advance(0);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=2 dseq=3"));
}

TEST_F(ConsumerTest, ARedeliveryNobodyTakesIsNotCountedAsRedelivered) {
  source_.Add("s.a");
  Make(Pull());
  consumer_->OnPullRequest("a", "1", now_);
  consumer_->OnPullRequest("b", "{\"batch\":1,\"expires\":500000000}", now_);
  now_ += kSec;  // b has expired; the owner has not ticked yet.
  Ack(0, "-NAK");
  EXPECT_THAT(out_.Take(), ElementsAre("msg a 1 dc=1 dseq=1", "adv nak 1 1"));
  EXPECT_EQ(consumer_->Info(now_).num_redelivered(), 0);
  consumer_->OnPullRequest("c", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg c 1 dc=2 dseq=2"));
  EXPECT_EQ(consumer_->Info(now_).num_redelivered(), 1);
}

TEST_F(ConsumerTest, TermStopsRedeliveryAndTellsWhy) {
  source_.Add("s.a");
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Ack(0, "+TERM bad payload", "_INBOX.r");
  EXPECT_THAT(out_.Take(), ElementsAre("adv terminated 1 1 bad payload", "ackreply _INBOX.r"));
  Advance(60 * kSec);
  EXPECT_THAT(out_.Take(), IsEmpty());
}

TEST_F(ConsumerTest, ProgressRestartsTheAckWait) {
  source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.set_ack_wait_ns(2 * kSec);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Advance(1500 * kMs);
  Ack(0, "+WPI");
  Advance(1500 * kMs);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(600 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=2 dseq=2"));
}

TEST_F(ConsumerTest, AckSyncGetsAReplyButNxtDoesNot) {
  source_.Add("s.a");
  source_.Add("s.a");
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.p", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.p 1 dc=1 dseq=1"));
  Ack(0, "+NXT", "_INBOX.n");
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.n 2 dc=1 dseq=2"));
  Ack(1, "", "_INBOX.sync");
  EXPECT_THAT(out_.Take(), ElementsAre("ackreply _INBOX.sync"));
}

TEST_F(ConsumerTest, FilterSubjectsPickTheirMessages) {
  source_.Add("s.a");
  source_.Add("s.b");
  source_.Add("s.c");
  source_.Add("s.b");
  v1::ConsumerConfig config = Push();
  config.add_filter_subjects("s.b");
  config.add_filter_subjects("s.c");
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 2 dc=1 dseq=1", "msg deliver 3 dc=1 dseq=2",
                                       "msg deliver 4 dc=1 dseq=3"));
  EXPECT_EQ(consumer_->Info(now_).delivered().stream_seq(), 4u);
}

TEST_F(ConsumerTest, DeliverLastPerSubjectSendsEachSubjectsNewestThenNewMessages) {
  source_.Add("s.a");
  source_.Add("s.b");
  source_.Add("s.a");
  source_.Add("s.c");
  last_per_subject_ = {2, 3, 4};
  v1::ConsumerConfig config = Push();
  config.set_deliver_policy(v1::DELIVER_LAST_PER_SUBJECT);
  config.set_filter_subject("s.>");
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 2 dc=1 dseq=1", "msg deliver 3 dc=1 dseq=2",
                                       "msg deliver 4 dc=1 dseq=3"));
  Append(1, "s.b");
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 5 dc=1 dseq=4"));
}

TEST_F(ConsumerTest, HeadersOnlyAsksForHeaders) {
  source_.Add("s.a");
  v1::ConsumerConfig config = Push();
  config.set_headers_only(true);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1 hdrs"));
}

TEST_F(ConsumerTest, IdleHeartbeatsWhileNothingIsDelivered) {
  v1::ConsumerConfig config = Push();
  config.set_idle_heartbeat_ns(kSec);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  Advance(kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("status deliver 100 Idle Heartbeat"));
  EXPECT_EQ(out_.last_status_headers,
            "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 0\r\nNats-Last-Stream: 0\r\n\r\n");
  Append(1);
  out_.Take();
  Advance(500 * kMs);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(500 * kMs);
  EXPECT_EQ(out_.last_status_headers,
            "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\nNats-Last-Stream: 1\r\n\r\n");
}

TEST_F(ConsumerTest, FlowControlAsksThenWaitsForTheClient) {
  const std::string big(600 * 1024, 'x');
  for (int i = 0; i < 10; ++i) source_.Add("s.a", big);
  v1::ConsumerConfig config = Push();
  config.set_flow_control(true);
  config.set_idle_heartbeat_ns(kSec);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  // The first window is 2 MiB: a request past half of it, a stop past all.
  std::vector<std::string> events = out_.Take();
  ASSERT_THAT(events, ElementsAre("msg deliver 1 dc=1 dseq=1", "msg deliver 2 dc=1 dseq=2",
                                  "status deliver 100 FlowControl Request",
                                  "msg deliver 3 dc=1 dseq=3", "msg deliver 4 dc=1 dseq=4"));
  const std::string fc = out_.last_status_reply;
  EXPECT_EQ(fc.rfind("$JS.FC.S.C.", 0), 0u);
  Advance(kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("status deliver 100 Idle Heartbeat"));
  EXPECT_NE(out_.last_status_headers.find("Nats-Consumer-Stalled: " + fc), std::string::npos);
  consumer_->OnFlowControlReply(fc, now_);
  EXPECT_GE(out_.Take().size(), 2u);
}

TEST_F(ConsumerTest, ReplayOriginalKeepsTheStoredGaps) {
  source_.Add("s.a", "x", kT0);
  source_.Add("s.a", "x", kT0 + 2 * kSec);
  source_.Add("s.a", "x", kT0 + 2 * kSec + 500 * kMs);
  v1::ConsumerConfig config = Push();
  config.set_replay_policy(v1::REPLAY_ORIGINAL);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1"));
  Advance(1900 * kMs);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(100 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 2 dc=1 dseq=2"));
  Advance(500 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 3 dc=1 dseq=3"));
}

TEST_F(ConsumerTest, RateLimitPacesDeliveries) {
  for (int i = 0; i < 3; ++i) source_.Add("s.a", std::string(1000, 'x'));
  v1::ConsumerConfig config = Push();
  config.set_rate_limit_bps(8 * 1000);  // 1000 bytes a second.
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  // The burst (1 MiB) covers the start.
  EXPECT_EQ(out_.Take().size(), 3u);
}

TEST_F(ConsumerTest, RateLimitWaitsForTokensBeyondTheBurst) {
  for (int i = 0; i < 3; ++i) source_.Add("s.a", std::string(960, 'x'));
  rate_burst_ = 1000;
  v1::ConsumerConfig config = Push();
  config.set_rate_limit_bps(8 * 1000);  // 1000 bytes a second.
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  // ~1000 bytes a message (data, subject, ack reply): one now, one a second.
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 1 dc=1 dseq=1"));
  Advance(900 * kMs);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Advance(200 * kMs);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 2 dc=1 dseq=2"));
}

TEST_F(ConsumerTest, InactivePushConsumerExpiresAfterItsThreshold) {
  v1::ConsumerConfig config = Push();
  config.clear_durable_name();
  config.set_inactive_threshold_ns(5 * kSec);
  Make(config);
  consumer_->OnDeliveryInterest(true, now_);
  Advance(10 * kSec);
  EXPECT_FALSE(consumer_->Expired(now_));
  consumer_->OnDeliveryInterest(false, now_);
  Advance(5 * kSec);
  EXPECT_FALSE(consumer_->Expired(now_));
  Advance(kMs);
  EXPECT_TRUE(consumer_->Expired(now_));
}

TEST_F(ConsumerTest, RestartResumesAfterTheLastAck) {
  for (int i = 0; i < 5; ++i) source_.Add("s.a");
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  Ack(0);
  Ack(1);
  Ack(3);
  ConsumerState state = consumer_->State();
  EXPECT_EQ(state.ack_floor, (SequencePair{2, 2}));
  EXPECT_EQ(state.delivered, (SequencePair{5, 5}));
  EXPECT_EQ(state.pending.size(), 2u);

  out_.replies.clear();
  Make(Push(), v1::RETENTION_LIMITS, &state);
  consumer_->OnDeliveryInterest(true, now_);
  EXPECT_THAT(out_.Take(), IsEmpty());
  Append(1);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 6 dc=1 dseq=6"));
  // The unacked ones, from before and after the restart, come back after
  // the ack wait.
  Advance(31 * kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 3 dc=2 dseq=7", "msg deliver 5 dc=2 dseq=8",
                                       "msg deliver 6 dc=2 dseq=9"));
}

TEST_F(ConsumerTest, PendingBelowTheStreamsFirstSequenceIsDropped) {
  source_.Add("s.a");
  source_.Add("s.a");
  Make(Push());
  consumer_->OnDeliveryInterest(true, now_);
  out_.Take();
  source_.Remove(1);
  Advance(31 * kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("msg deliver 2 dc=2 dseq=3"));
  EXPECT_EQ(consumer_->Info(now_).num_ack_pending(), 1);
}

// --- Pull ----------------------------------------------------------------------

TEST_F(ConsumerTest, PullDeliversABatchToTheReply) {
  for (int i = 0; i < 5; ++i) source_.Add("s.a");
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.1", "{\"batch\":3}", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.1 1 dc=1 dseq=1", "msg _INBOX.1 2 dc=1 dseq=2",
                                       "msg _INBOX.1 3 dc=1 dseq=3"));
  EXPECT_EQ(consumer_->Info(now_).num_waiting(), 0);
  EXPECT_EQ(consumer_->Info(now_).num_pending(), 2u);
}

TEST_F(ConsumerTest, PullRequestsWaitForMessagesAndShareThemRoundRobin) {
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.a", "2", now_);
  consumer_->OnPullRequest("_INBOX.b", "2", now_);
  EXPECT_THAT(out_.Take(), IsEmpty());
  EXPECT_EQ(consumer_->Info(now_).num_waiting(), 2);
  Append(3);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.a 1 dc=1 dseq=1", "msg _INBOX.b 2 dc=1 dseq=2",
                                       "msg _INBOX.a 3 dc=1 dseq=3"));
}

TEST_F(ConsumerTest, NoWaitEndsWith404WhenEmptyAnd408AfterSomeMessages) {
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.1", "{\"batch\":5,\"no_wait\":true}", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("status _INBOX.1 404 No Messages"));
  Append(2);
  consumer_->OnPullRequest("_INBOX.2", "{\"batch\":5,\"no_wait\":true}", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.2 1 dc=1 dseq=1", "msg _INBOX.2 2 dc=1 dseq=2",
                                       "status _INBOX.2 408 Request Timeout"));
  EXPECT_EQ(out_.last_status_headers,
            "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 3\r\n"
            "Nats-Pending-Bytes: 0\r\n\r\n");
}

TEST_F(ConsumerTest, ExpiredPullRequestsGet408WithWhatWasLeft) {
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.1", "{\"batch\":4,\"expires\":1000000000}", now_);
  Append(1);
  out_.Take();
  Advance(kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("status _INBOX.1 408 Request Timeout"));
  EXPECT_NE(out_.last_status_headers.find("Nats-Pending-Messages: 3\r\n"), std::string::npos);
  EXPECT_EQ(consumer_->Info(now_).num_waiting(), 0);
}

TEST_F(ConsumerTest, PullMaxBytesEndsTheRequestWith409) {
  source_.Add("s.a", std::string(100, 'x'));
  source_.Add("s.a", std::string(100, 'x'));
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.1", "{\"batch\":10,\"max_bytes\":250}", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.1 1 dc=1 dseq=1",
                                       "status _INBOX.1 409 Message Size Exceeds MaxBytes"));
  // The second message waits for the next request.
  consumer_->OnPullRequest("_INBOX.2", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.2 2 dc=1 dseq=2"));
}

TEST_F(ConsumerTest, PullBatchCompletedWithBytesLeftIsTold) {
  source_.Add("s.a", std::string(100, 'x'));
  source_.Add("s.a", std::string(100, 'x'));
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.1", "{\"batch\":1,\"max_bytes\":500}", now_);
  EXPECT_THAT(out_.Take(),
              ElementsAre("msg _INBOX.1 1 dc=1 dseq=1", "status _INBOX.1 409 Batch Completed"));
  EXPECT_NE(out_.last_status_headers.find("Nats-Pending-Messages: 0\r\n"), std::string::npos);
  EXPECT_NE(out_.last_status_headers.find("Nats-Pending-Bytes: "), std::string::npos);
  // Without max_bytes a completed batch is just delivered.
  consumer_->OnPullRequest("_INBOX.2", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.2 2 dc=1 dseq=2"));
}

TEST_F(ConsumerTest, PullRequestErrorsAsNatsServerSendsThem) {
  v1::ConsumerConfig config = Pull();
  config.set_max_batch(10);
  config.set_max_expires_ns(kSec);
  config.set_max_bytes(1000);
  config.set_max_waiting(1);
  Make(config);
  consumer_->OnPullRequest("r", "{\"batch\":11}", now_);
  consumer_->OnPullRequest("r", "{\"batch\":1,\"expires\":2000000000}", now_);
  consumer_->OnPullRequest("r", "{\"batch\":1,\"max_bytes\":2000}", now_);
  consumer_->OnPullRequest("r", "{\"batch\":", now_);
  consumer_->OnPullRequest("r", "{\"expires\":1000000,\"idle_heartbeat\":1000000}", now_);
  consumer_->OnPullRequest("a", "1", now_);
  consumer_->OnPullRequest("b", "1", now_);
  std::vector<std::string> events = out_.Take();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0], "status r 409 Exceeded MaxRequestBatch of 10");
  EXPECT_EQ(events[1], "status r 409 Exceeded MaxRequestExpires of 1s");
  EXPECT_EQ(events[2], "status r 409 Exceeded MaxRequestMaxBytes of 1000");
  EXPECT_EQ(events[3].rfind("status r 400 Bad Request - ", 0), 0u) << events[3];
  EXPECT_EQ(events[4], "status r 400 Bad Request - heartbeat value too large");
  EXPECT_EQ(events[5], "status b 409 Exceeded MaxWaiting");
}

TEST_F(ConsumerTest, PullOnAPushConsumerIsRefused) {
  Make(Push());
  consumer_->OnPullRequest("r", "", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("status r 409 Consumer is push based"));
}

TEST_F(ConsumerTest, WaitingPullRequestsGetHeartbeats) {
  Make(Pull());
  consumer_->OnPullRequest(
      "r", "{\"batch\":1,\"expires\":10000000000,\"idle_heartbeat\":1000000000}", now_);
  Advance(kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("status r 100 Idle Heartbeat"));
  Advance(kSec);
  EXPECT_THAT(out_.Take(), ElementsAre("status r 100 Idle Heartbeat"));
}

TEST_F(ConsumerTest, AFetchingSourceNeitherEndsNoWaitRequestsNorLosesThem) {
  source_.Add("s.a");
  source_.fetching = true;
  Make(Pull());
  consumer_->OnPullRequest("r", "{\"batch\":2,\"no_wait\":true}", now_);
  EXPECT_THAT(out_.Take(), IsEmpty());
  source_.fetching = false;
  consumer_->Run(now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg r 1 dc=1 dseq=1", "status r 408 Request Timeout"));
}

// nats-server drops a waiting request whose reply has no interest before it
// delivers to it: nothing is counted delivered, the message waits for the
// next request.
TEST_F(ConsumerTest, ARequestWhoseReplyLostInterestIsDroppedWithoutADelivery) {
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.gone", "1", now_);
  EXPECT_EQ(consumer_->Info(now_).num_waiting(), 1);
  consumer_->OnReplyInterestLost("_INBOX.gone", now_);
  EXPECT_EQ(consumer_->Info(now_).num_waiting(), 0);
  Append(1);
  EXPECT_THAT(out_.Take(), IsEmpty());
  v1::ConsumerInfo info = consumer_->Info(now_);
  EXPECT_EQ(info.delivered().consumer_seq(), 0u);
  EXPECT_EQ(info.num_ack_pending(), 0);
  EXPECT_EQ(info.num_pending(), 1u);
  consumer_->OnPullRequest("_INBOX.live", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.live 1 dc=1 dseq=1"));
  EXPECT_EQ(consumer_->Info(now_).num_ack_pending(), 1);
}

// The compare scenario `deadreq`: a request waiting at max_ack_pending whose
// requester goes does not take the slot an ack frees.
TEST_F(ConsumerTest, AtMaxAckPendingAGoneRequesterDoesNotTakeTheFreedSlot) {
  v1::ConsumerConfig config = Pull();
  config.set_max_ack_pending(1);
  source_.Add("s.a");
  source_.Add("s.a");
  Make(config);
  consumer_->OnPullRequest("_INBOX.a", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.a 1 dc=1 dseq=1"));
  consumer_->OnPullRequest("_INBOX.gone", "{\"batch\":1,\"expires\":5000000000}", now_);
  consumer_->OnReplyInterestLost("_INBOX.gone", now_);
  Ack(0);
  EXPECT_THAT(out_.Take(), IsEmpty());
  v1::ConsumerInfo info = consumer_->Info(now_);
  EXPECT_EQ(info.num_waiting(), 0);
  EXPECT_EQ(info.num_ack_pending(), 0);
  EXPECT_EQ(info.num_pending(), 1u);
  EXPECT_EQ(info.delivered().stream_seq(), 1u);
  consumer_->OnPullRequest("_INBOX.b", "1", now_);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.b 2 dc=1 dseq=2"));
}

TEST_F(ConsumerTest, OnlyTheRequestsToTheLostReplyGo) {
  Make(Pull());
  consumer_->OnPullRequest("_INBOX.a", "2", now_);
  consumer_->OnPullRequest("_INBOX.gone", "2", now_);
  consumer_->OnPullRequest("_INBOX.gone", "1", now_);
  consumer_->OnPullRequest("_INBOX.b", "2", now_);
  consumer_->OnReplyInterestLost("_INBOX.gone", now_);
  EXPECT_EQ(consumer_->Info(now_).num_waiting(), 2);
  EXPECT_EQ(out_.waiting_requests, (std::map<std::string, int>{{"_INBOX.a", 1}, {"_INBOX.b", 1}}));
  Append(4);
  EXPECT_THAT(out_.Take(), ElementsAre("msg _INBOX.a 1 dc=1 dseq=1", "msg _INBOX.b 2 dc=1 dseq=2",
                                       "msg _INBOX.a 3 dc=1 dseq=3", "msg _INBOX.b 4 dc=1 dseq=4"));
}

// The output hears of every request that waits and of its end, however it
// ends, so its owner watches exactly the replies requests wait on.
TEST_F(ConsumerTest, TheOutputHearsWhichRepliesRequestsWaitOn) {
  struct Case {
    const char* name;
    const char* body;
    // What ends the request after it started waiting on an empty stream.
    std::function<void()> end;
  };
  const Case cases[] = {
      {"served", "2", [this] { Append(2); }},
      {"expired", "{\"batch\":2,\"expires\":1000000000}", [this] { Advance(kSec); }},
      {"no_wait at the end", "{\"batch\":2,\"no_wait\":true,\"expires\":1000000000}",
       [this] { Append(1); }},
      {"max_bytes", "{\"batch\":2,\"max_bytes\":10}", [this] { Append(1); }},
      {"interest lost", "2", [this] { consumer_->OnReplyInterestLost("_INBOX.r", now_); }},
      {"consumer deleted", "2", [this] { consumer_->ReleasePullRequests(); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    source_ = FakeSource();
    out_ = RecordingOutput();
    Make(Pull());
    consumer_->OnPullRequest("_INBOX.r", c.body, now_);
    EXPECT_EQ(out_.waiting_requests, (std::map<std::string, int>{{"_INBOX.r", 1}}));
    c.end();
    EXPECT_THAT(out_.waiting_requests, IsEmpty());
    EXPECT_EQ(consumer_->Info(now_).num_waiting(), 0);
  }
}

TEST_F(ConsumerTest, IdlePullConsumerExpiresAfterItsThreshold) {
  v1::ConsumerConfig config = Pull();
  config.clear_durable_name();
  config.set_inactive_threshold_ns(5 * kSec);
  Make(config);
  Advance(4 * kSec);
  consumer_->OnPullRequest("r", "{\"batch\":1,\"expires\":2000000000}", now_);
  Advance(2 * kSec);
  out_.Take();
  EXPECT_FALSE(consumer_->Expired(now_));
  Advance(5 * kSec);
  EXPECT_TRUE(consumer_->Expired(now_));
}

}  // namespace
}  // namespace jsengine::consumersvc
