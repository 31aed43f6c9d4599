// Streams end to end through the official NATS C client, against the embedded
// gateway and against three separate processes; the same expectations run
// against nats-server -js, so they encode the reference's behaviour.
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

class JetStreamStreamsTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override { StartEngine({}); }

  void TearDown() override { Disconnect(); }

  void StartEngine(std::vector<std::string> store_args) {
    auto engine = harness::Topology::Start(GetParam(), {}, std::move(store_args));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    Connect();
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

  void Restart() {
    Disconnect();
    ASSERT_TRUE(engine_->Restart().ok());
    Connect();
  }

  jsErrCode AddStream(const char* name, std::vector<const char*> subjects,
                      jsStorageType storage = js_FileStorage) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name;
    config.Subjects = subjects.data();
    config.SubjectsLen = static_cast<int>(subjects.size());
    config.Storage = storage;
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus status = js_AddStream(&info, js_, &config, nullptr, &error);
    if (status == NATS_OK) {
      EXPECT_STREQ(info->Config->Name, name);
      jsStreamInfo_Destroy(info);
    }
    return status == NATS_OK ? static_cast<jsErrCode>(0) : error;
  }

  // Publishes and returns the stored sequence, or 0 with `error` set.
  uint64_t Publish(const char* subject, const std::string& data, jsPubOptions* options = nullptr,
                   jsErrCode* error = nullptr, bool* duplicate = nullptr) {
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_Publish(&ack, js_, subject, data.data(), static_cast<int>(data.size()),
                                   options, &code);
    if (error != nullptr) *error = code;
    if (status != NATS_OK) return 0;
    uint64_t seq = ack->Sequence;
    if (duplicate != nullptr) *duplicate = ack->Duplicate;
    jsPubAck_Destroy(ack);
    return seq;
  }

  jsStreamState State(const char* stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode error;
    jsStreamState state{};
    EXPECT_EQ(js_GetStreamInfo(&info, js_, stream, nullptr, &error), NATS_OK) << error;
    if (info != nullptr) {
      state = info->State;
      jsStreamInfo_Destroy(info);
    }
    return state;
  }

  std::string GetData(const char* stream, uint64_t seq, std::string* subject = nullptr) {
    natsMsg* msg = nullptr;
    jsErrCode error;
    if (js_GetMsg(&msg, js_, stream, seq, nullptr, &error) != NATS_OK) return "<missing>";
    std::string data(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    if (subject != nullptr) *subject = natsMsg_GetSubject(msg);
    natsMsg_Destroy(msg);
    return data;
  }

  std::unique_ptr<harness::Topology> engine_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

TEST_P(JetStreamStreamsTest, PublishStoresAcksAndStillReachesSubscribers) {
  ASSERT_EQ(AddStream("ORDERS", {"orders.*"}), 0);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc_, "orders.*"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(nc_), NATS_OK);

  EXPECT_EQ(Publish("orders.new", "one"), 1u);
  EXPECT_EQ(Publish("orders.paid", "two"), 2u);
  EXPECT_EQ(Publish("orders.new", "three"), 3u);

  natsMsg* msg = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&msg, sub, 5000), NATS_OK);
  EXPECT_STREQ(natsMsg_GetData(msg), "one");
  natsMsg_Destroy(msg);
  natsSubscription_Destroy(sub);

  jsStreamState state = State("ORDERS");
  EXPECT_EQ(state.Msgs, 3u);
  EXPECT_EQ(state.FirstSeq, 1u);
  EXPECT_EQ(state.LastSeq, 3u);
  EXPECT_GT(state.Bytes, 0u);
  EXPECT_GT(state.LastTime, 0);

  std::string subject;
  EXPECT_EQ(GetData("ORDERS", 2, &subject), "two");
  EXPECT_EQ(subject, "orders.paid");

  natsMsg* last = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_GetLastMsg(&last, js_, "ORDERS", "orders.new", nullptr, &error), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(last)), "three");
  EXPECT_EQ(natsMsg_GetSequence(last), 3u);
  natsMsg_Destroy(last);
}

TEST_P(JetStreamStreamsTest, DirectGetServesStreamsThatAllowIt) {
  const char* subjects[] = {"direct.*"};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = "DIRECT";
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.AllowDirect = true;
  jsStreamInfo* info = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_AddStream(&info, js_, &config, nullptr, &error), NATS_OK) << error;
  jsStreamInfo_Destroy(info);
  ASSERT_EQ(AddStream("PLAIN", {"plain.*"}), 0);
  EXPECT_EQ(Publish("direct.a", "one"), 1u);
  EXPECT_EQ(Publish("direct.b", "two"), 2u);
  EXPECT_EQ(Publish("direct.a", "three"), 3u);
  EXPECT_EQ(Publish("plain.a", "four"), 1u);

  jsDirectGetMsgOptions get;
  jsDirectGetMsgOptions_Init(&get);
  get.Sequence = 2;
  natsMsg* msg = nullptr;
  ASSERT_EQ(js_DirectGetMsg(&msg, js_, "DIRECT", nullptr, &get), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), "two");
  EXPECT_STREQ(natsMsg_GetSubject(msg), "direct.b");
  EXPECT_EQ(natsMsg_GetSequence(msg), 2u);
  natsMsg_Destroy(msg);

  jsDirectGetMsgOptions_Init(&get);
  get.LastBySubject = "direct.a";
  ASSERT_EQ(js_DirectGetMsg(&msg, js_, "DIRECT", nullptr, &get), NATS_OK);
  EXPECT_EQ(natsMsg_GetSequence(msg), 3u);
  natsMsg_Destroy(msg);

  jsDirectGetMsgOptions_Init(&get);
  get.Sequence = 99;
  EXPECT_EQ(js_DirectGetMsg(&msg, js_, "DIRECT", nullptr, &get), NATS_NOT_FOUND);

  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = 1000;
  jsDirectGetMsgOptions_Init(&get);
  get.Sequence = 1;
  // Nothing serves direct gets of a stream without allow_direct: nats-server
  // 2.9 and the gateway answer nothing; 2.10 tells a client that asked for
  // it that there are no responders (it reports a service import that
  // reached nobody, here the JetStream API's).
  const bool no_responders =
      GetParam() == harness::Topology::kReference && harness::NatsServerAtLeast(2, 10);
  EXPECT_EQ(js_DirectGetMsg(&msg, js_, "PLAIN", &options, &get),
            no_responders ? NATS_NO_RESPONDERS : NATS_TIMEOUT);
}

TEST_P(JetStreamStreamsTest, StreamDeletedWhileStoreWasAwayIsUnbound) {
  if (GetParam() != harness::Topology::kSeparate) GTEST_SKIP() << "needs a storesvc of its own";
  ASSERT_EQ(AddStream("GONE", {"gone.*"}), 0);
  ASSERT_EQ(AddStream("KEPT", {"kept.*"}), 0);
  EXPECT_EQ(Publish("gone.a", "x"), 1u);
  // Deleted behind the gateway's back: its watch resumes without it.
  ASSERT_TRUE(engine_
                  ->RestartStore([&] {
                    std::filesystem::remove_all(engine_->data_dir() + "/streams/GONE");
                  })
                  .ok());
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  jsErrCode error = static_cast<jsErrCode>(0);
  jsPubAck* ack = nullptr;
  natsStatus status = NATS_OK;
  while (absl::Now() < deadline) {
    status = js_Publish(&ack, js_, "gone.b", "y", 1, nullptr, &error);
    if (status == NATS_NO_RESPONDERS) break;
    jsPubAck_Destroy(ack);
    ack = nullptr;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(status, NATS_NO_RESPONDERS);
  deadline = absl::Now() + absl::Seconds(30);
  uint64_t kept = 0;
  while (kept == 0 && absl::Now() < deadline) {
    kept = Publish("kept.a", "z");
    if (kept == 0) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(kept, 1u);
}

TEST_P(JetStreamStreamsTest, AckWithoutAConsumerHasNoResponders) {
  ASSERT_EQ(AddStream("ACKS", {"acks.>"}), 0);
  EXPECT_EQ(Publish("acks.a", "x"), 1u);
  // nats-server subscribes a consumer's ack subjects only while it exists.
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, nc_, "$JS.ACK.ACKS.NOPE.1.1.1.0.0", "+ACK", 10000),
            NATS_NO_RESPONDERS);
  natsMsg_Destroy(reply);
}

TEST_P(JetStreamStreamsTest, HeadersAreKeptByteExact) {
  ASSERT_EQ(AddStream("H", {"h.>"}), 0);
  natsMsg* msg = nullptr;
  ASSERT_EQ(natsMsg_Create(&msg, "h.x", nullptr, "payload", 7), NATS_OK);
  natsMsgHeader_Set(msg, "X-Trace", "abc 123");
  natsMsgHeader_Add(msg, "X-Multi", "one");
  natsMsgHeader_Add(msg, "X-Multi", "two");
  jsPubAck* ack = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_PublishMsg(&ack, js_, msg, nullptr, &error), NATS_OK) << error;
  jsPubAck_Destroy(ack);
  natsMsg_Destroy(msg);

  natsMsg* got = nullptr;
  ASSERT_EQ(js_GetMsg(&got, js_, "H", 1, nullptr, &error), NATS_OK) << error;
  const char* value = nullptr;
  ASSERT_EQ(natsMsgHeader_Get(got, "X-Trace", &value), NATS_OK);
  EXPECT_STREQ(value, "abc 123");
  const char** values = nullptr;
  int count = 0;
  ASSERT_EQ(natsMsgHeader_Values(got, "X-Multi", &values, &count), NATS_OK);
  ASSERT_EQ(count, 2);
  EXPECT_STREQ(values[0], "one");
  EXPECT_STREQ(values[1], "two");
  free(values);
  EXPECT_EQ(std::string(natsMsg_GetData(got), natsMsg_GetDataLength(got)), "payload");
  natsMsg_Destroy(got);
}

TEST_P(JetStreamStreamsTest, ReportsJetStreamErrors) {
  ASSERT_EQ(AddStream("ORDERS", {"orders.*"}), 0);
  EXPECT_EQ(AddStream("ORDERS", {"other.*"}), JSStreamNameExistErr);
  EXPECT_EQ(AddStream("OVERLAP", {"orders.new"}), JSStreamSubjectOverlapErr);

  jsStreamInfo* info = nullptr;
  jsErrCode error;
  EXPECT_NE(js_GetStreamInfo(&info, js_, "MISSING", nullptr, &error), NATS_OK);
  EXPECT_EQ(error, JSStreamNotFoundErr);

  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.ExpectLastSeq = 5;
  EXPECT_EQ(Publish("orders.new", "x", &options, &error), 0u);
  EXPECT_EQ(error, JSStreamWrongLastSequenceErr);

  jsPubOptions_Init(&options);
  options.ExpectStream = "OTHER";
  EXPECT_EQ(Publish("orders.new", "x", &options, &error), 0u);
  EXPECT_EQ(error, JSStreamNotMatchErr);

  EXPECT_EQ(State("ORDERS").Msgs, 0u);
}

TEST_P(JetStreamStreamsTest, DeduplicatesAndChecksExpectations) {
  ASSERT_EQ(AddStream("ORDERS", {"orders.*"}), 0);
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = "order-1";
  bool duplicate = true;
  EXPECT_EQ(Publish("orders.new", "a", &options, nullptr, &duplicate), 1u);
  EXPECT_FALSE(duplicate);
  EXPECT_EQ(Publish("orders.new", "a", &options, nullptr, &duplicate), 1u);
  EXPECT_TRUE(duplicate);

  jsPubOptions_Init(&options);
  options.ExpectLastSeq = 1;
  options.ExpectLastMsgId = "order-1";
  EXPECT_EQ(Publish("orders.paid", "b", &options), 2u);

  jsPubOptions_Init(&options);
  options.ExpectLastSubjectSeq = 1;
  EXPECT_EQ(Publish("orders.new", "c", &options), 3u);
  jsErrCode error;
  EXPECT_EQ(Publish("orders.new", "d", &options, &error), 0u);
  EXPECT_EQ(error, JSStreamWrongLastSequenceErr);
  EXPECT_EQ(State("ORDERS").Msgs, 3u);
}

TEST_P(JetStreamStreamsTest, AsyncPublishesAreAllStored) {
  ASSERT_EQ(AddStream("BULK", {"bulk.>"}), 0);
  constexpr int kCount = 20000;
  std::string payload(128, 'x');
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(js_PublishAsync(js_, "bulk.data", payload.data(), payload.size(), nullptr), NATS_OK);
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = 60000;
  ASSERT_EQ(js_PublishAsyncComplete(js_, &options), NATS_OK);
  natsMsgList pending;
  EXPECT_EQ(js_PublishAsyncGetPendingList(&pending, js_), NATS_NOT_FOUND);
  jsStreamState state = State("BULK");
  EXPECT_EQ(state.Msgs, static_cast<uint64_t>(kCount));
  EXPECT_EQ(state.LastSeq, static_cast<uint64_t>(kCount));
}

TEST_P(JetStreamStreamsTest, PurgeAndDelete) {
  ASSERT_EQ(AddStream("P", {"p.*"}), 0);
  for (int i = 0; i < 10; ++i) Publish(i % 2 ? "p.odd" : "p.even", absl::StrCat(i));
  jsErrCode error;
  ASSERT_EQ(js_DeleteMsg(js_, "P", 1, nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(GetData("P", 1), "<missing>");
  jsStreamState state = State("P");
  EXPECT_EQ(state.Msgs, 9u);
  EXPECT_EQ(state.FirstSeq, 2u);

  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Purge.Subject = "p.odd";
  options.Stream.Purge.Keep = 1;
  ASSERT_EQ(js_PurgeStream(js_, "P", &options, &error), NATS_OK) << error;
  EXPECT_EQ(State("P").Msgs, 5u);
  EXPECT_EQ(GetData("P", 10), "9");
  EXPECT_EQ(GetData("P", 8), "<missing>");

  // Without a subject, nats-server 2.10's file store keeps the last 3
  // messages (live 3,5,7,9,10: keeps 7, 9, 10); 2.9 kept the last 3
  // sequences (8..10).
  const bool keeps_sequences =
      GetParam() == harness::Topology::kReference && !harness::NatsServerAtLeast(2, 10);
  const uint64_t kept = keeps_sequences ? 2 : 3;
  jsOptions_Init(&options);
  options.Stream.Purge.Keep = 3;
  ASSERT_EQ(js_PurgeStream(js_, "P", &options, &error), NATS_OK) << error;
  state = State("P");
  EXPECT_EQ(state.Msgs, kept);
  if (keeps_sequences) {
    // First sequence: 8 on nats-server 2.9, a sequence its filtered purge
    // above had already removed.
    EXPECT_GE(state.FirstSeq, 8u);
    EXPECT_EQ(GetData("P", 7), "<missing>");
  } else {
    EXPECT_EQ(state.FirstSeq, 7u);
    EXPECT_EQ(GetData("P", 7), "6");
  }
  EXPECT_EQ(GetData("P", 5), "<missing>");
  EXPECT_EQ(GetData("P", 9), "8");
  options.Stream.Purge.Keep = 5;
  ASSERT_EQ(js_PurgeStream(js_, "P", &options, &error), NATS_OK) << error;
  EXPECT_EQ(State("P").Msgs, kept);

  ASSERT_EQ(js_PurgeStream(js_, "P", nullptr, &error), NATS_OK) << error;
  state = State("P");
  EXPECT_EQ(state.Msgs, 0u);
  EXPECT_EQ(state.LastSeq, 10u);
  EXPECT_EQ(Publish("p.even", "after"), 11u);
}

TEST_P(JetStreamStreamsTest, UnfilteredPurgeKeepOnMemoryKeepsTheLastSequences) {
  ASSERT_EQ(AddStream("M", {"m.*"}, js_MemoryStorage), 0);
  for (int i = 1; i <= 6; ++i) Publish("m.a", absl::StrCat(i));
  jsErrCode error;
  ASSERT_EQ(js_DeleteMsg(js_, "M", 5, nullptr, &error), NATS_OK) << error;
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Purge.Keep = 3;
  ASSERT_EQ(js_PurgeStream(js_, "M", &options, &error), NATS_OK) << error;
  // Sequences 4..6 stay, of which 4 and 6 are live.
  const jsStreamState state = State("M");
  EXPECT_EQ(state.Msgs, 2u);
  EXPECT_EQ(state.FirstSeq, 4u);
  EXPECT_EQ(GetData("M", 3), "<missing>");
  EXPECT_EQ(GetData("M", 4), "4");
}

TEST_P(JetStreamStreamsTest, ListsNamesUpdatesAndDeletes) {
  ASSERT_EQ(AddStream("A", {"a.>"}), 0);
  ASSERT_EQ(AddStream("B", {"b.>"}, js_MemoryStorage), 0);
  jsStreamNamesList* names = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_StreamNames(&names, js_, nullptr, &error), NATS_OK);
  ASSERT_EQ(names->Count, 2);
  jsStreamNamesList_Destroy(names);
  jsStreamInfoList* list = nullptr;
  ASSERT_EQ(js_Streams(&list, js_, nullptr, &error), NATS_OK);
  ASSERT_EQ(list->Count, 2);
  jsStreamInfoList_Destroy(list);

  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = "A";
  const char* subjects[] = {"a.>", "c.>"};
  config.Subjects = subjects;
  config.SubjectsLen = 2;
  config.MaxMsgs = 5;
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_UpdateStream(&info, js_, &config, nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(info->Config->MaxMsgs, 5);
  jsStreamInfo_Destroy(info);
  for (int i = 0; i < 8; ++i) Publish("c.x", "m");
  EXPECT_EQ(State("A").Msgs, 5u);

  ASSERT_EQ(js_DeleteStream(js_, "A", nullptr, &error), NATS_OK) << error;
  EXPECT_NE(js_GetStreamInfo(&info, js_, "A", nullptr, &error), NATS_OK);
  EXPECT_EQ(error, JSStreamNotFoundErr);
  EXPECT_EQ(Publish("c.x", "m", nullptr, &error), 0u);
}

// nats-server's stream_action advisories: one per create (none for a create
// that finds the same stream), update and delete.
TEST_P(JetStreamStreamsTest, StreamActionsAreAdvised) {
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc_, "$JS.EVENT.ADVISORY.STREAM.>"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(nc_), NATS_OK);
  ASSERT_EQ(AddStream("ADV", {"adv"}), 0);
  ASSERT_EQ(AddStream("ADV", {"adv"}), 0);
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = "ADV";
  const char* subjects[] = {"adv"};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.MaxMsgs = 5;
  jsStreamInfo* info = nullptr;
  jsErrCode error;
  ASSERT_EQ(js_UpdateStream(&info, js_, &config, nullptr, &error), NATS_OK) << error;
  jsStreamInfo_Destroy(info);
  ASSERT_EQ(js_DeleteStream(js_, "ADV", nullptr, &error), NATS_OK) << error;
  EXPECT_NE(js_DeleteStream(js_, "ADV", nullptr, &error), NATS_OK);

  std::vector<std::string> seen;
  natsMsg* msg = nullptr;
  while (natsSubscription_NextMsg(&msg, sub, 1000) == NATS_OK) {
    std::string data(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    EXPECT_NE(data.find(R"("type":"io.nats.jetstream.advisory.v1.stream_action")"),
              std::string::npos)
        << data;
    EXPECT_NE(data.find(R"("stream":"ADV")"), std::string::npos) << data;
    const size_t at = data.find(R"("action":")");
    seen.push_back(absl::StrCat(natsMsg_GetSubject(msg), " ",
                                at == std::string::npos ? "?" : data.substr(at + 10, 6)));
    natsMsg_Destroy(msg);
  }
  natsSubscription_Destroy(sub);
  EXPECT_EQ(seen, (std::vector<std::string>{"$JS.EVENT.ADVISORY.STREAM.CREATED.ADV create",
                                            "$JS.EVENT.ADVISORY.STREAM.UPDATED.ADV modify",
                                            "$JS.EVENT.ADVISORY.STREAM.DELETED.ADV delete"}));
}

TEST_P(JetStreamStreamsTest, StreamsAndMessagesSurviveRestart) {
  ASSERT_EQ(AddStream("DURABLE", {"durable.>"}), 0);
  for (int i = 1; i <= 100; ++i) ASSERT_EQ(Publish("durable.x", absl::StrCat("m", i)), i);
  Restart();
  jsStreamState state = State("DURABLE");
  EXPECT_EQ(state.Msgs, 100u);
  EXPECT_EQ(state.LastSeq, 100u);
  EXPECT_EQ(GetData("DURABLE", 42), "m42");
  EXPECT_EQ(Publish("durable.x", "after"), 101u);
}

TEST_P(JetStreamStreamsTest, MemoryStreamsDoNotOutliveARestart) {
  ASSERT_EQ(AddStream("MEM", {"mem.>"}, js_MemoryStorage), 0);
  ASSERT_EQ(Publish("mem.x", "gone"), 1u);
  Restart();
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  EXPECT_NE(js_GetStreamInfo(&info, js_, "MEM", nullptr, &error), NATS_OK);
  EXPECT_EQ(error, JSStreamNotFoundErr);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  // The name is free: a different configuration is no conflict.
  EXPECT_EQ(AddStream("MEM", {"mem.other"}, js_MemoryStorage), 0);
}

TEST_P(JetStreamStreamsTest, SyncAlwaysLosesNoAckedMessageOnCrash) {
  if (GetParam() == harness::Topology::kReference)
    GTEST_SKIP() << "nats-server 2.9 has no sync=always";
  Disconnect();
  engine_.reset();
  StartEngine({"--sync=always"});
  ASSERT_EQ(AddStream("CRASH", {"crash.>"}), 0);
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(js_PublishAsync(js_, "crash.x", "payload", 7, nullptr), NATS_OK);
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = 60000;
  ASSERT_EQ(js_PublishAsyncComplete(js_, &options), NATS_OK);
  Disconnect();
  ASSERT_TRUE(engine_->CrashAndRestart().ok());
  Connect();
  EXPECT_EQ(State("CRASH").Msgs, static_cast<uint64_t>(kCount));
}

JSE_TOPOLOGY_SUITE(JetStreamStreamsTest);

}  // namespace
}  // namespace jsengine::testing
