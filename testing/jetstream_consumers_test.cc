// Consumers end to end through the official NATS C client: pull consumers
// with Fetch, push consumers with js_Subscribe, acks of every kind, AckSync,
// ordered consumers and consumer management, against the embedded gateway
// and the three processes; the same expectations run against nats-server
// -js, so they encode the reference's behaviour.
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/jetstream_client.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

class JetStreamConsumersTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override { StartEngine({}); }

  void StartEngine(std::vector<std::string> store_args) {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
    js_ = nullptr;
    nc_ = nullptr;
    engine_.reset();
    auto engine = harness::Topology::Start(GetParam(), {}, std::move(store_args));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    Connect();
    AddStream("ORDERS", "orders.>");
  }

  void AddStream(const char* name, const char* subject, int64_t max_age_ns = 0) {
    jsErrCode error = static_cast<jsErrCode>(0);
    ASSERT_EQ(harness::AddStream(
                  js_, name, subject,
                  [max_age_ns](jsStreamConfig& config) { config.MaxAge = max_age_ns; }, &error),
              NATS_OK)
        << error;
  }

  void Connect() {
    ASSERT_EQ(natsConnection_ConnectTo(&nc_, engine_->nats_url().c_str()), NATS_OK)
        << nats_GetLastError(nullptr);
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = 10000;
    ASSERT_EQ(natsConnection_JetStream(&js_, nc_, &options), NATS_OK);
  }

  void Disconnect() {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
    js_ = nullptr;
    nc_ = nullptr;
  }

  void TearDown() override {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }

  void Publish(int n, const std::string& subject = "orders.new") {
    for (int i = 0; i < n; ++i) {
      const std::string data = absl::StrCat("order-", ++published_);
      jsErrCode error;
      ASSERT_EQ(js_Publish(nullptr, js_, subject.c_str(), data.data(),
                           static_cast<int>(data.size()), nullptr, &error),
                NATS_OK)
          << error;
    }
  }

  // Fetches up to `batch` messages (waiting up to `timeout_ms`) as data.
  std::vector<std::string> Fetch(natsSubscription* sub, int batch, int64_t timeout_ms,
                                 bool ack = true, std::vector<natsMsg*>* keep = nullptr) {
    natsMsgList list{};
    jsErrCode error;
    std::vector<std::string> out;
    natsStatus s = natsSubscription_Fetch(&list, sub, batch, timeout_ms, &error);
    if (s != NATS_OK) return out;
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* m = list.Msgs[i];
      out.push_back(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
      if (keep != nullptr) {
        keep->push_back(m);
        list.Msgs[i] = nullptr;
      } else if (ack) {
        EXPECT_EQ(natsMsg_Ack(m, nullptr), NATS_OK);
      }
    }
    natsMsgList_Destroy(&list);
    return out;
  }

  jsConsumerInfo* ConsumerInfo(const char* name) {
    jsConsumerInfo* info = nullptr;
    jsErrCode error;
    EXPECT_EQ(js_GetConsumerInfo(&info, js_, "ORDERS", name, nullptr, &error), NATS_OK) << error;
    return info;
  }

  std::unique_ptr<harness::Topology> engine_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  int published_ = 0;
};

TEST_P(JetStreamConsumersTest, PullConsumerFetchesInBatchesAndAcks) {
  Publish(5);
  natsSubscription* sub = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "worker", nullptr, nullptr, &error), NATS_OK)
      << error;
  EXPECT_EQ(Fetch(sub, 3, 5000), (std::vector<std::string>{"order-1", "order-2", "order-3"}));
  EXPECT_EQ(Fetch(sub, 10, 1000), (std::vector<std::string>{"order-4", "order-5"}));
  Publish(1);
  EXPECT_EQ(Fetch(sub, 1, 5000), (std::vector<std::string>{"order-6"}));
  // Acks are asynchronous: the ack floor reaches 6 soon after.
  jsConsumerInfo* info = nullptr;
  for (int i = 0; i < 500; ++i) {
    info = ConsumerInfo("worker");
    if (info == nullptr || info->AckFloor.Stream == 6) break;
    jsConsumerInfo_Destroy(info);
    info = nullptr;
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->AckFloor.Stream, 6u);
  EXPECT_EQ(info->Delivered.Stream, 6u);
  EXPECT_EQ(info->NumAckPending, 0);
  EXPECT_EQ(info->NumPending, 0u);
  jsConsumerInfo_Destroy(info);
  natsSubscription_Destroy(sub);
}

// Each deliver policy starts where nats-server starts it, and every message
// carries the count still pending after it, as nats-server counts it.
TEST_P(JetStreamConsumersTest, DeliverPoliciesStartWhereNatsServerStarts) {
  Publish(3, "orders.a");
  Publish(3, "orders.b");
  struct Case {
    const char* name;
    jsDeliverPolicy policy;
    uint64_t start_seq;
    std::vector<std::string> want;  // "<subject>:<stream seq>:<pending>"
  };
  const std::vector<Case> cases = {
      {"all",
       js_DeliverAll,
       0,
       {"orders.a:1:5", "orders.a:2:4", "orders.a:3:3", "orders.b:4:2", "orders.b:5:1",
        "orders.b:6:0"}},
      {"last", js_DeliverLast, 0, {"orders.b:6:0"}},
      {"new", js_DeliverNew, 0, {}},
      {"startseq", js_DeliverByStartSequence, 4, {"orders.b:4:2", "orders.b:5:1", "orders.b:6:0"}},
      {"lastper", js_DeliverLastPerSubject, 0, {"orders.a:3:1", "orders.b:6:0"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Config.DeliverPolicy = c.policy;
    options.Config.OptStartSeq = c.start_seq;
    natsSubscription* sub = nullptr;
    jsErrCode error;
    ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.*", c.name, nullptr, &options, &error), NATS_OK)
        << error;
    std::vector<natsMsg*> held;
    Fetch(sub, 10, c.want.empty() ? 500 : 2000, false, &held);
    std::vector<std::string> got;
    for (natsMsg* m : held) {
      jsMsgMetaData* meta = nullptr;
      EXPECT_EQ(natsMsg_GetMetaData(&meta, m), NATS_OK);
      if (meta != nullptr) {
        got.push_back(
            absl::StrCat(natsMsg_GetSubject(m), ":", meta->Sequence.Stream, ":", meta->NumPending));
        jsMsgMetaData_Destroy(meta);
      }
      EXPECT_EQ(natsMsg_Ack(m, nullptr), NATS_OK);
      natsMsg_Destroy(m);
    }
    EXPECT_EQ(got, c.want);
    natsSubscription_Destroy(sub);
  }
}

// A message max_age removes while it waits for its ack stops being pending
// then, as in nats-server: not at the next append or after the ack wait.
TEST_P(JetStreamConsumersTest, MaxAgeRemovalReleasesAPendingAck) {
  AddStream("AGED", "aged", int64_t{1000} * 1000000);
  jsErrCode error;
  ASSERT_EQ(js_Publish(nullptr, js_, "aged", "old", 3, nullptr, &error), NATS_OK) << error;
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "c";
  config.AckPolicy = js_AckExplicit;
  config.AckWait = int64_t{60000} * 1000000;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "AGED", &config, nullptr, &error), NATS_OK) << error;
  natsSubscription* sub = nullptr;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "aged", "c", nullptr, nullptr, &error), NATS_OK) << error;
  std::vector<natsMsg*> held;
  ASSERT_EQ(Fetch(sub, 1, 5000, /*ack=*/false, &held), std::vector<std::string>{"old"});
  int64_t pending = -1;
  for (absl::Time deadline = absl::Now() + absl::Seconds(20); absl::Now() < deadline;) {
    jsConsumerInfo* info = nullptr;
    ASSERT_EQ(js_GetConsumerInfo(&info, js_, "AGED", "c", nullptr, &error), NATS_OK) << error;
    pending = info->NumAckPending;
    jsConsumerInfo_Destroy(info);
    if (pending == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(pending, 0);
  for (natsMsg* m : held) natsMsg_Destroy(m);
  natsSubscription_Destroy(sub);
}

// A consumer that starts later in the stream reports its ack floor as 0
// until an ack moves it, as nats-server's does.
TEST_P(JetStreamConsumersTest, AckFloorStartsAtZeroWhereverTheConsumerStarts) {
  Publish(4, "orders.a");
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "late";
  config.AckPolicy = js_AckExplicit;
  config.DeliverPolicy = js_DeliverByStartSequence;
  config.OptStartSeq = 3;
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  jsConsumerInfo* info = ConsumerInfo("late");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->Delivered.Stream, 2u);
  EXPECT_EQ(info->AckFloor.Stream, 0u);
  EXPECT_EQ(info->AckFloor.Consumer, 0u);
  EXPECT_EQ(info->NumPending, 2u);
  jsConsumerInfo_Destroy(info);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "late", nullptr, nullptr, &error), NATS_OK)
      << error;
  std::vector<natsMsg*> held;
  ASSERT_EQ(Fetch(sub, 2, 5000, /*ack=*/false, &held).size(), 2u);
  EXPECT_EQ(natsMsg_AckSync(held[0], nullptr, &error), NATS_OK) << error;
  for (natsMsg* m : held) natsMsg_Destroy(m);
  info = ConsumerInfo("late");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->AckFloor.Stream, 3u);
  EXPECT_EQ(info->AckFloor.Consumer, 1u);
  EXPECT_EQ(info->NumAckPending, 1);
  jsConsumerInfo_Destroy(info);
  natsSubscription_Destroy(sub);
}

// A purge moves consumers past what it removed, as nats-server's does:
// nothing purged is delivered, and what was pending counts as acknowledged.
TEST_P(JetStreamConsumersTest, PurgeMovesConsumersPastWhatItRemoved) {
  natsSubscription* all = nullptr;
  natsSubscription* only_a = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_PullSubscribe(&all, js_, "orders.>", "all", nullptr, nullptr, &error), NATS_OK)
      << error;
  ASSERT_EQ(js_PullSubscribe(&only_a, js_, "orders.a", "only-a", nullptr, nullptr, &error), NATS_OK)
      << error;
  Publish(3, "orders.a");
  Publish(2, "orders.b");
  std::vector<natsMsg*> held;
  EXPECT_EQ(Fetch(all, 3, 5000, /*ack=*/false, &held),
            (std::vector<std::string>{"order-1", "order-2", "order-3"}));
  ASSERT_EQ(js_PurgeStream(js_, "ORDERS", nullptr, &error), NATS_OK) << error;
  for (natsMsg* m : held) {
    EXPECT_EQ(natsMsg_Ack(m, nullptr), NATS_OK);
    natsMsg_Destroy(m);
  }
  jsConsumerInfo* info = ConsumerInfo("all");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->Delivered.Stream, 5u);
  EXPECT_EQ(info->Delivered.Consumer, 3u);
  EXPECT_EQ(info->AckFloor.Stream, 5u);
  EXPECT_EQ(info->AckFloor.Consumer, 3u);
  EXPECT_EQ(info->NumAckPending, 0);
  EXPECT_EQ(info->NumPending, 0u);
  jsConsumerInfo_Destroy(info);
  Publish(1, "orders.b");
  EXPECT_EQ(Fetch(all, 10, 2000), (std::vector<std::string>{"order-6"}));

  // A purge of the one subject a consumer reads moves it past the stream's end.
  Publish(2, "orders.a");
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Purge.Subject = "orders.a";
  ASSERT_EQ(js_PurgeStream(js_, "ORDERS", &options, &error), NATS_OK) << error;
  info = ConsumerInfo("only-a");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->Delivered.Stream, 8u);
  EXPECT_EQ(info->NumPending, 0u);
  jsConsumerInfo_Destroy(info);
  Publish(1, "orders.a");
  EXPECT_EQ(Fetch(only_a, 10, 2000), (std::vector<std::string>{"order-9"}));
  natsSubscription_Destroy(all);
  natsSubscription_Destroy(only_a);
}

// A message deleted before a consumer reached it is not delivered.
TEST_P(JetStreamConsumersTest, DeletedMessagesAreNotDelivered) {
  natsSubscription* sub = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "behind", nullptr, nullptr, &error), NATS_OK)
      << error;
  Publish(4);
  ASSERT_EQ(js_DeleteMsg(js_, "ORDERS", 2, nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(Fetch(sub, 10, 2000), (std::vector<std::string>{"order-1", "order-3", "order-4"}));
  natsSubscription_Destroy(sub);
}

TEST_P(JetStreamConsumersTest, UnackedAndNakedMessagesComeBackTermedOnesDoNot) {
  Publish(3);
  natsSubscription* sub = nullptr;
  jsErrCode error;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Config.AckWait = int64_t{500} * 1000000;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "retry", nullptr, &options, &error), NATS_OK)
      << error;
  std::vector<natsMsg*> held;
  EXPECT_EQ(Fetch(sub, 3, 5000, false, &held).size(), 3u);
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(natsMsg_Nak(held[0], nullptr), NATS_OK);
  EXPECT_EQ(natsMsg_Term(held[1], nullptr), NATS_OK);
  EXPECT_EQ(natsMsg_AckSync(held[2], nullptr, &error), NATS_OK) << error;
  for (natsMsg* m : held) natsMsg_Destroy(m);
  held.clear();
  // order-1 again at once (nak), nothing else even after the ack wait.
  EXPECT_EQ(Fetch(sub, 3, 1500, false, &held).size(), 1u);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(std::string(natsMsg_GetData(held[0]), natsMsg_GetDataLength(held[0])), "order-1");
  jsMsgMetaData* meta = nullptr;
  ASSERT_EQ(natsMsg_GetMetaData(&meta, held[0]), NATS_OK);
  EXPECT_EQ(meta->NumDelivered, 2u);
  EXPECT_EQ(meta->Sequence.Stream, 1u);
  jsMsgMetaData_Destroy(meta);
  EXPECT_EQ(natsMsg_AckSync(held[0], nullptr, &error), NATS_OK) << error;
  for (natsMsg* m : held) natsMsg_Destroy(m);
  natsSubscription_Destroy(sub);
}

TEST_P(JetStreamConsumersTest, PushConsumerDeliversEveryMessageWithItsOriginalSubject) {
  Publish(2, "orders.eu");
  Publish(1, "orders.us");
  natsSubscription* sub = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_SubscribeSync(&sub, js_, "orders.>", nullptr, nullptr, &error), NATS_OK) << error;
  std::vector<std::string> subjects;
  for (int i = 0; i < 4; ++i) {
    if (i == 3) Publish(1, "orders.asia");
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK) << "message " << i;
    subjects.push_back(natsMsg_GetSubject(m));
    EXPECT_EQ(natsMsg_Ack(m, nullptr), NATS_OK);
    natsMsg_Destroy(m);
  }
  EXPECT_EQ(subjects,
            (std::vector<std::string>{"orders.eu", "orders.eu", "orders.us", "orders.asia"}));
  natsSubscription_Destroy(sub);
}

TEST_P(JetStreamConsumersTest, DurablePushConsumerResumesAfterTheLastAck) {
  Publish(3);
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "temperature";
  config.DeliverSubject = "devices.events";
  config.AckPolicy = js_AckExplicit;
  config.AckWait = int64_t{2} * 1000000000;  // The default 30 s, shortened for the test.
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  // A plain subscriber on the deliver subject, as in the seed article.
  natsSubscription* plain = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&plain, nc_, "devices.events"), NATS_OK);
  for (int i = 1; i <= 2; ++i) {
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, plain, 5000), NATS_OK);
    EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), absl::StrCat("order-", i));
    EXPECT_STREQ(natsMsg_GetSubject(m), "orders.new");
    EXPECT_EQ(natsConnection_PublishString(nc_, natsMsg_GetReply(m), "+ACK"), NATS_OK);
    natsMsg_Destroy(m);
  }
  natsMsg* third = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&third, plain, 5000), NATS_OK);
  natsMsg_Destroy(third);  // Not acked.
  ASSERT_EQ(natsConnection_Flush(nc_), NATS_OK);
  natsSubscription_Destroy(plain);
  // Offline; more arrive; back online: order-3 again after the ack wait,
  // and the new ones, nothing acked before.
  Publish(1);
  ASSERT_EQ(natsConnection_SubscribeSync(&plain, nc_, "devices.events"), NATS_OK);
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, plain, 20000), NATS_OK);
    got.push_back(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
    EXPECT_EQ(natsConnection_PublishString(nc_, natsMsg_GetReply(m), "+ACK"), NATS_OK);
    natsMsg_Destroy(m);
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"order-3", "order-4"}));
  natsSubscription_Destroy(plain);
}

TEST_P(JetStreamConsumersTest, OrderedConsumerReadsTheStreamInOrder) {
  Publish(10);
  natsSubscription* sub = nullptr;
  jsErrCode error;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Ordered = true;
  ASSERT_EQ(js_SubscribeSync(&sub, js_, "orders.>", nullptr, &options, &error), NATS_OK) << error;
  for (int i = 1; i <= 10; ++i) {
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK) << i;
    EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), absl::StrCat("order-", i));
    natsMsg_Destroy(m);
  }
  natsSubscription_Destroy(sub);
}

TEST_P(JetStreamConsumersTest, ConsumerManagementAndItsErrors) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "mgmt";
  config.AckPolicy = js_AckExplicit;
  jsConsumerInfo* info = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(&info, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  EXPECT_STREQ(info->Name, "mgmt");
  EXPECT_EQ(info->Config->AckWait, int64_t{30} * 1000000000);
  EXPECT_EQ(info->Config->MaxAckPending, 1000);
  jsConsumerInfo_Destroy(info);
  info = nullptr;

  EXPECT_NE(js_AddConsumer(&info, js_, "NOPE", &config, nullptr, &error), NATS_OK);
  EXPECT_EQ(error, JSStreamNotFoundErr);
  EXPECT_NE(js_GetConsumerInfo(&info, js_, "ORDERS", "nobody", nullptr, &error), NATS_OK);
  EXPECT_EQ(error, JSConsumerNotFoundErr);

  jsConsumerConfig bad;
  jsConsumerConfig_Init(&bad);
  bad.Durable = "bad";
  bad.AckPolicy = js_AckExplicit;
  bad.FlowControl = true;  // Needs push and a heartbeat.
  EXPECT_NE(js_AddConsumer(&info, js_, "ORDERS", &bad, nullptr, &error), NATS_OK);

  jsConsumerNamesList* names = nullptr;
  ASSERT_EQ(js_ConsumerNames(&names, js_, "ORDERS", nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(names->Count, 1);
  EXPECT_STREQ(names->List[0], "mgmt");
  jsConsumerNamesList_Destroy(names);

  ASSERT_EQ(js_DeleteConsumer(js_, "ORDERS", "mgmt", nullptr, &error), NATS_OK) << error;
  EXPECT_NE(js_DeleteConsumer(js_, "ORDERS", "mgmt", nullptr, &error), NATS_OK);
  EXPECT_EQ(error, JSConsumerNotFoundErr);
}

// nats.go's Fetch starts with a no_wait request: right after the PubAcks it
// must find every message published, as nats-server's does.
TEST_P(JetStreamConsumersTest, ANoWaitPullRightAfterPublishingFindsEveryMessage) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "eager";
  config.AckPolicy = js_AckNone;
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  natsSubscription* inbox = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&inbox, nc_, "_INBOX.eager"), NATS_OK);
  for (int round = 0; round < 30; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    Publish(3);
    ASSERT_EQ(natsConnection_PublishRequestString(nc_, "$JS.API.CONSUMER.MSG.NEXT.ORDERS.eager",
                                                  "_INBOX.eager", R"({"batch":3,"no_wait":true})"),
              NATS_OK);
    for (int i = 0; i < 3; ++i) {
      natsMsg* m = nullptr;
      ASSERT_EQ(natsSubscription_NextMsg(&m, inbox, 5000), NATS_OK);
      const char* status = nullptr;
      natsMsgHeader_Get(m, "Status", &status);
      EXPECT_EQ(status, nullptr) << "a status (" << status << ") instead of message " << i + 1;
      EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)),
                absl::StrCat("order-", round * 3 + i + 1));
      natsMsg_Destroy(m);
    }
  }
  natsSubscription_Destroy(inbox);
}

// nats.go's TestPullSubscribeConsumerDeleted: a pull request still waiting
// when its consumer goes, alone or with its stream, is answered "409
// Consumer Deleted" rather than left to expire.
TEST_P(JetStreamConsumersTest, AWaitingPullIsToldItsConsumerWasDeleted) {
  for (bool whole_stream : {false, true}) {
    SCOPED_TRACE(whole_stream ? "stream deleted" : "consumer deleted");
    if (whole_stream) AddStream("GONE", "gone.>");
    const char* stream = whole_stream ? "GONE" : "ORDERS";
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = "puller";
    config.AckPolicy = js_AckExplicit;
    jsErrCode error;
    ASSERT_EQ(js_AddConsumer(nullptr, js_, stream, &config, nullptr, &error), NATS_OK) << error;
    natsSubscription* inbox = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&inbox, nc_, "_INBOX.puller"), NATS_OK);
    const std::string next = absl::StrCat("$JS.API.CONSUMER.MSG.NEXT.", stream, ".puller");
    ASSERT_EQ(natsConnection_PublishRequestString(nc_, next.c_str(), "_INBOX.puller",
                                                  R"({"batch":1,"expires":60000000000})"),
              NATS_OK);
    ASSERT_EQ(natsConnection_Flush(nc_), NATS_OK);
    if (whole_stream) {
      ASSERT_EQ(js_DeleteStream(js_, stream, nullptr, &error), NATS_OK) << error;
    } else {
      ASSERT_EQ(js_DeleteConsumer(js_, stream, "puller", nullptr, &error), NATS_OK) << error;
    }
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, inbox, 10000), NATS_OK);
    const char* status = nullptr;
    const char* description = nullptr;
    natsMsgHeader_Get(m, "Status", &status);
    natsMsgHeader_Get(m, "Description", &description);
    EXPECT_STREQ(status, "409");
    EXPECT_STREQ(description, "Consumer Deleted");
    natsMsg_Destroy(m);
    natsSubscription_Destroy(inbox);
  }
}

// nats-server drops a waiting pull request whose requester is gone (its
// reply unsubscribed, or its connection closed) before it delivers to it:
// the message is not counted delivered to nobody, it goes to the next
// request with delivery count 1, and the request no longer counts as
// waiting. A raw request without `expires` would otherwise wait forever.
TEST_P(JetStreamConsumersTest, APullRequestWhoseRequesterLeftGetsNothing) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "leaver";
  config.AckPolicy = js_AckExplicit;
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  // Polls consumer info until `waiting` requests wait; true if they did.
  auto waits = [this](int64_t waiting) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    for (;;) {
      jsConsumerInfo* info = ConsumerInfo("leaver");
      const bool now = info != nullptr && info->NumWaiting == waiting;
      jsConsumerInfo_Destroy(info);
      if (now || absl::Now() > deadline) return now;
      absl::SleepFor(absl::Milliseconds(20));
    }
  };
  natsSubscription* live = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&live, nc_, "_INBOX.live"), NATS_OK);
  int round = 0;
  for (bool disconnect : {false, true}) {
    SCOPED_TRACE(disconnect ? "requester disconnected" : "requester unsubscribed");
    ++round;
    natsConnection* requester = nullptr;
    ASSERT_EQ(natsConnection_ConnectTo(&requester, engine_->nats_url().c_str()), NATS_OK);
    natsSubscription* gone = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&gone, requester, "_INBOX.gone"), NATS_OK);
    ASSERT_EQ(
        natsConnection_PublishRequestString(requester, "$JS.API.CONSUMER.MSG.NEXT.ORDERS.leaver",
                                            "_INBOX.gone", R"({"batch":1})"),
        NATS_OK);
    ASSERT_EQ(natsConnection_Flush(requester), NATS_OK);
    ASSERT_TRUE(waits(1));
    if (disconnect) {
      natsConnection_Close(requester);
    } else {
      ASSERT_EQ(natsSubscription_Unsubscribe(gone), NATS_OK);
      ASSERT_EQ(natsConnection_Flush(requester), NATS_OK);
    }
    ASSERT_TRUE(waits(0)) << "the request of a requester that left still waits";

    Publish(1);
    ASSERT_EQ(
        natsConnection_PublishRequestString(nc_, "$JS.API.CONSUMER.MSG.NEXT.ORDERS.leaver",
                                            "_INBOX.live", R"({"batch":1,"expires":5000000000})"),
        NATS_OK);
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, live, 10000), NATS_OK);
    EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)),
              absl::StrCat("order-", round));
    jsMsgMetaData* meta = nullptr;
    ASSERT_EQ(natsMsg_GetMetaData(&meta, m), NATS_OK);
    EXPECT_EQ(meta->NumDelivered, 1u);
    EXPECT_EQ(meta->Sequence.Consumer, static_cast<uint64_t>(round));
    jsMsgMetaData_Destroy(meta);
    natsMsg_Destroy(m);

    jsConsumerInfo* info = ConsumerInfo("leaver");
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->NumAckPending, round) << "only what the live requester got awaits an ack";
    EXPECT_EQ(info->NumRedelivered, 0);
    EXPECT_EQ(info->Delivered.Consumer, static_cast<uint64_t>(round));
    EXPECT_EQ(info->NumWaiting, 0);
    jsConsumerInfo_Destroy(info);
    natsSubscription_Destroy(gone);
    natsConnection_Destroy(requester);
  }
  natsSubscription_Destroy(live);
}

TEST_P(JetStreamConsumersTest, ConsumerCreateAndDeleteAreAnnounced) {
  natsSubscription* events = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&events, nc_, "$JS.EVENT.ADVISORY.CONSUMER.>"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(nc_), NATS_OK);
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "watched";
  config.AckPolicy = js_AckExplicit;
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(js_DeleteConsumer(js_, "ORDERS", "watched", nullptr, &error), NATS_OK) << error;

  std::vector<std::pair<std::string, std::string>> seen;  // Subject, body.
  natsMsg* m = nullptr;
  while (natsSubscription_NextMsg(&m, events, 1000) == NATS_OK) {
    seen.emplace_back(natsMsg_GetSubject(m),
                      std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
    natsMsg_Destroy(m);
  }
  natsSubscription_Destroy(events);
  ASSERT_EQ(seen.size(), 2u) << "one create (the same config again is no news), one delete";
  EXPECT_EQ(seen[0].first, "$JS.EVENT.ADVISORY.CONSUMER.CREATED.ORDERS.watched");
  EXPECT_EQ(seen[1].first, "$JS.EVENT.ADVISORY.CONSUMER.DELETED.ORDERS.watched");
  for (const auto& [subject, body] : seen) {
    SCOPED_TRACE(body);
    EXPECT_NE(body.find("\"type\":\"io.nats.jetstream.advisory.v1.consumer_action\""),
              std::string::npos);
    EXPECT_NE(body.find("\"stream\":\"ORDERS\",\"consumer\":\"watched\""), std::string::npos);
    EXPECT_NE(body.find("\"timestamp\":\""), std::string::npos);
  }
  EXPECT_NE(seen[0].second.find("\"action\":\"create\""), std::string::npos);
  EXPECT_NE(seen[1].second.find("\"action\":\"delete\""), std::string::npos);
}

TEST_P(JetStreamConsumersTest, DurableConsumersKeepTheirAcksAcrossARestart) {
  Publish(4);
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = "keeper";
  config.AckPolicy = js_AckExplicit;
  config.AckWait = int64_t{1000} * 1000000;
  jsErrCode error;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "ORDERS", &config, nullptr, &error), NATS_OK) << error;
  natsSubscription* sub = nullptr;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "keeper", nullptr, nullptr, &error), NATS_OK)
      << error;
  std::vector<natsMsg*> held;
  ASSERT_EQ(Fetch(sub, 3, 5000, false, &held).size(), 3u);
  EXPECT_EQ(natsMsg_AckSync(held[0], nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(natsMsg_AckSync(held[1], nullptr, &error), NATS_OK) << error;
  for (natsMsg* m : held) natsMsg_Destroy(m);
  natsSubscription_Destroy(sub);
  Disconnect();
  ASSERT_TRUE(engine_->Restart().ok());
  Connect();

  jsConsumerInfo* info = ConsumerInfo("keeper");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->AckFloor.Stream, 2u);
  EXPECT_EQ(info->Delivered.Stream, 3u);
  EXPECT_EQ(info->NumAckPending, 1);
  EXPECT_EQ(info->NumPending, 1u);
  jsConsumerInfo_Destroy(info);
  // The unacked third comes back after its ack wait, then the fourth.
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "keeper", nullptr, nullptr, &error), NATS_OK)
      << error;
  std::vector<std::string> got = Fetch(sub, 2, 10000);
  if (got.size() == 1) {
    std::vector<std::string> more = Fetch(sub, 1, 10000);
    got.insert(got.end(), more.begin(), more.end());
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"order-3", "order-4"}));
  natsSubscription_Destroy(sub);
}

TEST_P(JetStreamConsumersTest, ConfirmedAcksSurviveSigkillWithSyncAlways) {
  if (GetParam() == harness::Topology::kReference) {
    GTEST_SKIP() << "nats-server 2.9.10 loses a durable consumer's acks on kill -9 (issue #10)";
  }
  StartEngine({"--sync=always"});
  Publish(5);
  natsSubscription* sub = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "safe", nullptr, nullptr, &error), NATS_OK)
      << error;
  std::vector<natsMsg*> held;
  ASSERT_EQ(Fetch(sub, 5, 5000, false, &held).size(), 5u);
  for (natsMsg* m : held) {
    EXPECT_EQ(natsMsg_AckSync(m, nullptr, &error), NATS_OK) << error;
    natsMsg_Destroy(m);
  }
  natsSubscription_Destroy(sub);
  Disconnect();
  ASSERT_TRUE(engine_->CrashAndRestart().ok());
  Connect();
  jsConsumerInfo* info = ConsumerInfo("safe");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->AckFloor.Stream, 5u);
  EXPECT_EQ(info->NumAckPending, 0);
  jsConsumerInfo_Destroy(info);
}

TEST_P(JetStreamConsumersTest, AnAckForNoConsumerHasNoResponders) {
  natsMsg* reply = nullptr;
  EXPECT_EQ(
      natsConnection_RequestString(&reply, nc_, "$JS.ACK.ORDERS.nobody.1.1.1.1.0", "+ACK", 2000),
      NATS_NO_RESPONDERS);
}

TEST_P(JetStreamConsumersTest, ARestartedConsumersvcResumesItsDurableConsumers) {
  if (GetParam() != harness::Topology::kSeparate) GTEST_SKIP() << "needs a consumersvc of its own";
  Publish(2);
  natsSubscription* sub = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_PullSubscribe(&sub, js_, "orders.>", "durable", nullptr, nullptr, &error), NATS_OK)
      << error;
  std::vector<natsMsg*> kept;
  EXPECT_EQ(Fetch(sub, 1, 5000, /*ack=*/false, &kept), (std::vector<std::string>{"order-1"}));
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(natsMsg_AckSync(kept[0], nullptr, &error), NATS_OK) << error;
  natsMsg_Destroy(kept[0]);

  ASSERT_TRUE(engine_->RestartConsumers().ok());
  // The gateway's session comes back on its own; until then fetches time out.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::vector<std::string> got;
  while (got.empty() && absl::Now() < deadline) got = Fetch(sub, 1, 1000);
  EXPECT_EQ(got, (std::vector<std::string>{"order-2"}));
  Publish(1);
  EXPECT_EQ(Fetch(sub, 1, 5000), (std::vector<std::string>{"order-3"}));
  natsSubscription_Destroy(sub);
}

JSE_TOPOLOGY_SUITE(JetStreamConsumersTest);

}  // namespace
}  // namespace jsengine::testing
