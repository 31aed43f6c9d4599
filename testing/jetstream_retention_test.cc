// Interest and work-queue retention end to end through the official NATS C
// client, and stream info's consumer count, against the embedded gateway and
// the three processes; the same expectations run against nats-server -js, so
// they encode the reference's behaviour.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/jetstream_client.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

class JetStreamRetentionTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = harness::Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    ASSERT_EQ(natsConnection_ConnectTo(&nc_, engine_->nats_url().c_str()), NATS_OK)
        << nats_GetLastError(nullptr);
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = 10000;
    ASSERT_EQ(natsConnection_JetStream(&js_, nc_, &options), NATS_OK);
  }

  void TearDown() override {
    for (natsSubscription* sub : subs_) natsSubscription_Destroy(sub);
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }

  void AddStream(const char* name, const char* subject, jsRetentionPolicy retention) {
    jsErrCode error = static_cast<jsErrCode>(0);
    ASSERT_EQ(harness::AddStream(
                  js_, name, subject,
                  [retention](jsStreamConfig& config) { config.Retention = retention; }, &error),
              NATS_OK)
        << error;
  }

  // Publishes and returns the sequence of the PubAck.
  uint64_t Publish(const std::string& subject) {
    jsPubAck* ack = nullptr;
    jsErrCode error;
    EXPECT_EQ(js_Publish(&ack, js_, subject.c_str(), subject.data(),
                         static_cast<int>(subject.size()), nullptr, &error),
              NATS_OK)
        << error;
    const uint64_t seq = ack != nullptr ? ack->Sequence : 0;
    jsPubAck_Destroy(ack);
    return seq;
  }

  void AddPullConsumer(const char* stream, const char* name, const char* filter,
                       jsAckPolicy ack = js_AckExplicit) {
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = name;
    config.AckPolicy = ack;
    config.FilterSubject = filter;
    jsErrCode error;
    ASSERT_EQ(js_AddConsumer(nullptr, js_, stream, &config, nullptr, &error), NATS_OK) << error;
  }

  // Fetches `n` messages of consumer `name` (filter `subject`); the caller
  // acks them and owns them.
  std::vector<natsMsg*> Fetch(const char* subject, const char* name, int n) {
    natsSubscription* sub = nullptr;
    jsErrCode error;
    EXPECT_EQ(js_PullSubscribe(&sub, js_, subject, name, nullptr, nullptr, &error), NATS_OK)
        << error;
    std::vector<natsMsg*> out;
    if (sub == nullptr) return out;
    subs_.push_back(sub);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (static_cast<int>(out.size()) < n && absl::Now() < deadline) {
      natsMsgList list{};
      if (natsSubscription_Fetch(&list, sub, n - static_cast<int>(out.size()), 5000, &error) !=
          NATS_OK) {
        continue;
      }
      for (int i = 0; i < list.Count; ++i) {
        out.push_back(list.Msgs[i]);
        list.Msgs[i] = nullptr;
      }
      natsMsgList_Destroy(&list);
    }
    EXPECT_EQ(static_cast<int>(out.size()), n);
    return out;
  }

  void AckSync(natsMsg* m) {
    jsErrCode error;
    EXPECT_EQ(natsMsg_AckSync(m, nullptr, &error), NATS_OK) << error;
  }

  // The stream sequences of delivered `messages`.
  static std::vector<uint64_t> Sequences(const std::vector<natsMsg*>& messages) {
    std::vector<uint64_t> out;
    for (natsMsg* m : messages) {
      jsMsgMetaData* meta = nullptr;
      EXPECT_EQ(natsMsg_GetMetaData(&meta, m), NATS_OK);
      out.push_back(meta != nullptr ? meta->Sequence.Stream : 0);
      jsMsgMetaData_Destroy(meta);
    }
    return out;
  }
  static void Destroy(const std::vector<natsMsg*>& messages) {
    for (natsMsg* m : messages) natsMsg_Destroy(m);
  }

  jsStreamState State(const char* stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode error;
    jsStreamState state{};
    EXPECT_EQ(js_GetStreamInfo(&info, js_, stream, nullptr, &error), NATS_OK) << error;
    if (info == nullptr) return state;
    state = info->State;
    state.Subjects = nullptr;
    state.Deleted = nullptr;
    state.Lost = nullptr;
    jsStreamInfo_Destroy(info);
    return state;
  }

  // The stream's message count once it is `want`, or after a few seconds.
  uint64_t EventuallyMsgs(const char* stream, uint64_t want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    uint64_t msgs = State(stream).Msgs;
    while (msgs != want && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
      msgs = State(stream).Msgs;
    }
    return msgs;
  }

  std::unique_ptr<harness::Topology> engine_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::vector<natsSubscription*> subs_;
};

TEST_P(JetStreamRetentionTest, InterestStreamWithoutConsumersKeepsNothing) {
  AddStream("INT", "int.>", js_InterestPolicy);
  EXPECT_EQ(Publish("int.a"), 1u);
  EXPECT_EQ(Publish("int.b"), 2u);
  EXPECT_EQ(Publish("int.a"), 3u);
  jsStreamState state = State("INT");
  EXPECT_EQ(state.Msgs, 0u);
  EXPECT_EQ(state.LastSeq, 3u);
  EXPECT_EQ(state.FirstSeq, 4u);
  EXPECT_EQ(state.Consumers, 0);

  // A consumer's filter decides what is kept from then on.
  AddPullConsumer("INT", "A", "int.a");
  EXPECT_EQ(Publish("int.b"), 4u);
  EXPECT_EQ(Publish("int.a"), 5u);
  state = State("INT");
  EXPECT_EQ(state.Msgs, 1u);
  EXPECT_EQ(state.FirstSeq, 5u);
  EXPECT_EQ(state.LastSeq, 5u);
}

TEST_P(JetStreamRetentionTest, EveryConsumerWhoseFilterMatchesMustAck) {
  AddStream("INT", "int.>", js_InterestPolicy);
  AddPullConsumer("INT", "ALL", nullptr);
  AddPullConsumer("INT", "EU", "int.eu");
  EXPECT_EQ(Publish("int.eu"), 1u);
  EXPECT_EQ(Publish("int.us"), 2u);
  std::vector<natsMsg*> all = Fetch("int.>", "ALL", 2);
  std::vector<natsMsg*> eu = Fetch("int.eu", "EU", 1);
  ASSERT_EQ(Sequences(all), (std::vector<uint64_t>{1, 2}));
  ASSERT_EQ(Sequences(eu), (std::vector<uint64_t>{1}));
  EXPECT_EQ(State("INT").Msgs, 2u);

  AckSync(all[1]);
  jsStreamState state = State("INT");
  EXPECT_EQ(state.Msgs, 1u) << "int.us: only ALL's filter matches it";
  EXPECT_EQ(state.FirstSeq, 1u);
  AckSync(all[0]);
  EXPECT_EQ(State("INT").Msgs, 1u) << "int.eu waits for EU's ack too";
  AckSync(eu[0]);
  state = State("INT");
  EXPECT_EQ(state.Msgs, 0u);
  EXPECT_EQ(state.Consumers, 2);
  Destroy(all);
  Destroy(eu);
}

TEST_P(JetStreamRetentionTest, APlainAckThenStreamInfoOnTheSameConnectionShowsTheRemoval) {
  AddStream("INT", "int.>", js_InterestPolicy);
  AddPullConsumer("INT", "C", nullptr);
  Publish("int.a");
  Publish("int.b");
  std::vector<natsMsg*> got = Fetch("int.>", "C", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(natsMsg_Ack(got[0], nullptr), NATS_OK);
  if (GetParam() == harness::Topology::kReference) {
    // nats-server 2.9.10 queues acks to the consumer's own goroutine
    // (consumer.go pushAck): the removal follows shortly.
    EXPECT_EQ(EventuallyMsgs("INT", 1), 1u);
  } else {
    EXPECT_EQ(State("INT").Msgs, 1u) << "stream info waits for the ack before it";
  }
  Destroy(got);
}

TEST_P(JetStreamRetentionTest, TermAndAckNoneCountAsAcks) {
  AddStream("INT", "int.>", js_InterestPolicy);
  AddPullConsumer("INT", "T", "int.t");
  AddPullConsumer("INT", "N", "int.n", js_AckNone);
  Publish("int.t");
  Publish("int.n");
  std::vector<natsMsg*> termed = Fetch("int.t", "T", 1);
  ASSERT_EQ(termed.size(), 1u);
  natsMsg* reply = nullptr;
  ASSERT_EQ(natsConnection_RequestString(&reply, nc_, natsMsg_GetReply(termed[0]), "+TERM", 5000),
            NATS_OK);
  natsMsg_Destroy(reply);
  EXPECT_EQ(State("INT").Msgs, 1u) << "the termed message is gone";
  Destroy(termed);
  Destroy(Fetch("int.n", "N", 1));
  // nats-server removes an ack-none delivery through the stream's ack queue.
  EXPECT_EQ(EventuallyMsgs("INT", 0), 0u);
}

TEST_P(JetStreamRetentionTest, DeletingAConsumerRemovesWhatOnlyItHeld) {
  AddStream("INT", "int.>", js_InterestPolicy);
  AddPullConsumer("INT", "A", "int.a");
  AddPullConsumer("INT", "B", nullptr);
  Publish("int.a");
  Publish("int.b");
  Publish("int.a");
  std::vector<natsMsg*> a = Fetch("int.a", "A", 2);
  ASSERT_EQ(a.size(), 2u);
  AckSync(a[0]);
  EXPECT_EQ(State("INT").Msgs, 3u) << "B holds every one";
  jsErrCode error;
  ASSERT_EQ(js_DeleteConsumer(js_, "INT", "B", nullptr, &error), NATS_OK) << error;
  jsStreamState state = State("INT");
  EXPECT_EQ(state.Msgs, 1u) << "only A's unacked int.a is left";
  EXPECT_EQ(state.FirstSeq, 3u);
  EXPECT_EQ(state.Consumers, 1);
  Destroy(a);
}

TEST_P(JetStreamRetentionTest, WorkQueueKeepsWithoutConsumersAndRemovesOnAck) {
  AddStream("WQ", "wq.>", js_WorkQueuePolicy);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(Publish("wq.job"), static_cast<uint64_t>(i));
  EXPECT_EQ(State("WQ").Msgs, 3u) << "a work queue keeps messages nobody consumes yet";
  AddPullConsumer("WQ", "W", nullptr);
  std::vector<natsMsg*> jobs = Fetch("wq.>", "W", 3);
  ASSERT_EQ(jobs.size(), 3u);
  AckSync(jobs[0]);
  AckSync(jobs[2]);
  jsStreamState state = State("WQ");
  EXPECT_EQ(state.Msgs, 1u);
  EXPECT_EQ(state.FirstSeq, 2u);
  EXPECT_EQ(state.Consumers, 1);
  jsErrCode error;
  ASSERT_EQ(js_DeleteConsumer(js_, "WQ", "W", nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(State("WQ").Msgs, 1u) << "deleting a work queue's consumer removes nothing";
  Destroy(jobs);
}

TEST_P(JetStreamRetentionTest, StreamInfoListAndAccountCountConsumers) {
  AddStream("LIM", "lim.>", js_LimitsPolicy);
  AddStream("WQ", "wq.>", js_WorkQueuePolicy);
  AddPullConsumer("LIM", "A", nullptr);
  AddPullConsumer("LIM", "B", nullptr);
  AddPullConsumer("WQ", "W", nullptr);
  EXPECT_EQ(State("LIM").Consumers, 2);
  EXPECT_EQ(State("WQ").Consumers, 1);

  jsStreamInfoList* list = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_Streams(&list, js_, nullptr, &error), NATS_OK) << error;
  int64_t listed = 0;
  for (int i = 0; i < list->Count; ++i) listed += list->List[i]->State.Consumers;
  EXPECT_EQ(list->Count, 2);
  EXPECT_EQ(listed, 3);
  jsStreamInfoList_Destroy(list);

  jsAccountInfo* account = nullptr;
  ASSERT_EQ(js_GetAccountInfo(&account, js_, nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(account->Consumers, 3);
  jsAccountInfo_Destroy(account);

  ASSERT_EQ(js_DeleteConsumer(js_, "LIM", "A", nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(State("LIM").Consumers, 1);
}

JSE_TOPOLOGY_SUITE(JetStreamRetentionTest);

}  // namespace
}  // namespace jsengine::testing
