// The seed article's walk-through (seed/jetstream-tech-preview-article.zh.md)
// end to end through the official NATS C client: the message set
// "devices-events" on devices.*.events, devices publishing readings with
// plain requests, the durable push observable "temperature" delivering to
// devices.events, and a listener that is a plain core subscriber acking by
// hand, going offline and coming back, also across a server restart. The
// same expectations run against nats-server -js, so they encode what the
// reference does.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/harness/jetstream_client.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

constexpr char kStream[] = "devices-events";
constexpr char kConsumer[] = "temperature";
constexpr char kDeliverSubject[] = "devices.events";
constexpr char kAckPrefix[] = "$JS.ACK.devices-events.temperature.";
// Short enough that unacked messages come back within the test.
constexpr int64_t kAckWaitMs = 2000;
constexpr int64_t kReceiveTimeoutMs = 20000;

// A message as the listener receives it, with what its $JS.ACK reply says.
struct Received {
  std::string subject;
  std::string data;
  std::string reply;
  uint64_t delivered = 0;  // Delivery count.
  uint64_t stream_seq = 0;
};

// A reading the test published, as its PubAck numbered it.
struct Reading {
  std::string subject;
  std::string data;
  uint64_t seq = 0;
};

class SeedWalkthroughTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = harness::Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    Connect();
  }

  void TearDown() override {
    if (listener_ != nullptr) natsSubscription_Destroy(listener_);
  }

  void Connect() {
    const absl::Status connected = client_.Connect(engine_->nats_url());
    ASSERT_TRUE(connected.ok()) << connected;
  }
  natsConnection* nc() const { return client_.nc(); }
  jsCtx* js() const { return client_.js(); }

  // jsm add: devices-events on devices.*.events, file storage, no limits.
  void AddMessageSet() {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char* subjects[] = {"devices.*.events"};
    config.Name = kStream;
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_AddStream(&info, js(), &config, nullptr, &error), NATS_OK) << error;
    EXPECT_EQ(info->Config->Storage, js_FileStorage);
    jsStreamInfo_Destroy(info);
  }

  // jsm add-obs: durable push observable "temperature" to devices.events,
  // deliver all, explicit acks.
  void AddObservable() {
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = kConsumer;
    config.DeliverSubject = kDeliverSubject;
    config.DeliverPolicy = js_DeliverAll;
    config.AckPolicy = js_AckExplicit;
    config.AckWait = kAckWaitMs * 1000000;
    jsErrCode error = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_AddConsumer(nullptr, js(), kStream, &config, nullptr, &error), NATS_OK) << error;
  }

  // A plain request; the reply's data as JSON (null if it is not JSON).
  nlohmann::json Request(const std::string& subject, const std::string& body) {
    natsMsg* reply = nullptr;
    const natsStatus s = natsConnection_Request(&reply, nc(), subject.c_str(), body.data(),
                                                static_cast<int>(body.size()), 10000);
    EXPECT_EQ(s, NATS_OK) << subject << ": " << natsStatus_GetText(s);
    if (s != NATS_OK) return nullptr;
    const std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    nlohmann::json json = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(json.is_discarded()) << data;
    return json.is_discarded() ? nlohmann::json() : json;
  }

  // Device `device` sends a reading with a plain NATS request, as the
  // article's device.py does; the reply is the PubAck.
  void PublishReading(const std::string& device) {
    Reading r;
    r.subject = absl::StrCat("devices.", device, ".events");
    r.data = absl::StrCat(R"({"ts":"2019-12-08T23:12:)",
                          absl::Dec(readings_.size() % 60, absl::kZeroPad2), R"(Z","temp":)",
                          20 + readings_.size() % 5, ".", readings_.size() % 10, "}");
    const nlohmann::json ack = Request(r.subject, r.data);
    ASSERT_TRUE(ack.is_object()) << ack;
    EXPECT_FALSE(ack.contains("error")) << ack;
    EXPECT_EQ(ack.value("stream", ""), kStream) << ack;
    r.seq = ack.value("seq", uint64_t{0});
    EXPECT_EQ(r.seq, readings_.size() + 1) << ack;
    readings_.push_back(r);
  }

  void PublishReadings(int n) {
    static const char* const kDevices[] = {"3F45", "28E3"};
    for (int i = 0; i < n; ++i) PublishReading(kDevices[readings_.size() % 2]);
  }

  // jsm info: the message set holds readings_.
  void ExpectMessageSetHoldsTheReadings() {
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_GetStreamInfo(&info, js(), kStream, nullptr, &error), NATS_OK) << error;
    uint64_t bytes = 0;  // nats-server's file store record: 30 bytes + subject + data.
    for (const Reading& r : readings_) bytes += 30 + r.subject.size() + r.data.size();
    EXPECT_EQ(info->State.Msgs, readings_.size());
    EXPECT_EQ(info->State.Bytes, bytes);
    EXPECT_EQ(info->State.FirstSeq, readings_.empty() ? 0u : 1u);
    EXPECT_EQ(info->State.LastSeq, readings_.size());
    jsStreamInfo_Destroy(info);
  }

  jsConsumerInfo* ObservableInfo() {
    jsConsumerInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    EXPECT_EQ(js_GetConsumerInfo(&info, js(), kStream, kConsumer, nullptr, &error), NATS_OK)
        << error;
    return info;
  }

  // info-obs in one line: "delivered <consumer>/<stream> floor <consumer>/
  // <stream> ack_pending <n> redelivered <n> pending <n> bound <0|1>".
  std::string ObservableState() {
    jsConsumerInfo* i = ObservableInfo();
    if (i == nullptr) return "no info";
    const std::string state = absl::StrCat(
        "delivered ", i->Delivered.Consumer, "/", i->Delivered.Stream, " floor ",
        i->AckFloor.Consumer, "/", i->AckFloor.Stream, " ack_pending ", i->NumAckPending,
        " redelivered ", i->NumRedelivered, " pending ", i->NumPending, " bound ", i->PushBound);
    jsConsumerInfo_Destroy(i);
    return state;
  }

  // Polls the observable's info until `done` says so (acks and interest
  // changes are asynchronous); false at the deadline.
  template <typename Done>
  bool WaitForObservable(Done done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      jsConsumerInfo* info = ObservableInfo();
      const bool ok = info != nullptr && done(*info);
      if (info != nullptr) jsConsumerInfo_Destroy(info);
      if (ok) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // The listener: a plain core subscription on the deliver subject.
  void ListenerComesOnline() {
    ASSERT_EQ(listener_, nullptr);
    ASSERT_EQ(natsConnection_SubscribeSync(&listener_, nc(), kDeliverSubject), NATS_OK);
    ASSERT_EQ(natsConnection_Flush(nc()), NATS_OK);
  }

  // Unsubscribes, and waits until the observable knows nobody listens (else
  // a reading published now may go to nobody and come back only after the
  // ack wait, as a redelivery).
  void ListenerGoesOffline() {
    ASSERT_NE(listener_, nullptr);
    ASSERT_EQ(natsSubscription_Unsubscribe(listener_), NATS_OK);
    natsSubscription_Destroy(listener_);
    listener_ = nullptr;
    ASSERT_EQ(natsConnection_Flush(nc()), NATS_OK);
    ASSERT_TRUE(WaitForObservable([](const jsConsumerInfo& i) { return !i.PushBound; }));
  }

  Received Receive() {
    Received r;
    natsMsg* m = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&m, listener_, kReceiveTimeoutMs);
    EXPECT_EQ(s, NATS_OK) << "no message: " << natsStatus_GetText(s);
    if (s != NATS_OK) return r;
    r.subject = natsMsg_GetSubject(m);
    r.data = std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m));
    r.reply = natsMsg_GetReply(m) != nullptr ? natsMsg_GetReply(m) : "";
    natsMsg_Destroy(m);
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>
    EXPECT_TRUE(absl::StartsWith(r.reply, kAckPrefix)) << r.reply;
    const std::vector<std::string> tokens = absl::StrSplit(r.reply, '.');
    EXPECT_EQ(tokens.size(), 9u) << r.reply;
    if (tokens.size() == 9) {
      EXPECT_TRUE(absl::SimpleAtoi(tokens[4], &r.delivered)) << r.reply;
      EXPECT_TRUE(absl::SimpleAtoi(tokens[5], &r.stream_seq)) << r.reply;
    }
    // Delivered with its original subject and data.
    if (r.stream_seq >= 1 && r.stream_seq <= readings_.size()) {
      EXPECT_EQ(r.subject, readings_[r.stream_seq - 1].subject);
      EXPECT_EQ(r.data, readings_[r.stream_seq - 1].data);
    } else {
      ADD_FAILURE() << "stream sequence " << r.stream_seq << " was never published";
    }
    return r;
  }

  // Receives `n` messages, acking the first `ack` of them as they come (a
  // message waiting for its ack past the ack wait would come again).
  std::vector<Received> Receive(int n, int ack) {
    std::vector<Received> got;
    for (int i = 0; i < n && !HasFailure(); ++i) {
      got.push_back(Receive());
      if (i < ack) {
        EXPECT_EQ(natsConnection_PublishString(nc(), got.back().reply.c_str(), "+ACK"), NATS_OK);
      }
    }
    return got;
  }

  void WaitForAckFloor(uint64_t floor) {
    ASSERT_EQ(natsConnection_Flush(nc()), NATS_OK);
    EXPECT_TRUE(WaitForObservable([floor](const jsConsumerInfo& i) {
      return i.AckFloor.Stream == floor;
    })) << "ack floor never reached "
        << floor;
  }

  // The stream sequences of `received`, those first delivered and those
  // redelivered, each sorted.
  static std::pair<std::vector<uint64_t>, std::vector<uint64_t>> FirstAndRedelivered(
      const std::vector<Received>& received) {
    std::vector<uint64_t> first;
    std::vector<uint64_t> again;
    for (const Received& r : received) (r.delivered == 1 ? first : again).push_back(r.stream_seq);
    std::sort(first.begin(), first.end());
    std::sort(again.begin(), again.end());
    return {first, again};
  }

  static std::vector<uint64_t> Seqs(uint64_t from, uint64_t to) {
    std::vector<uint64_t> seqs;
    for (uint64_t s = from; s <= to; ++s) seqs.push_back(s);
    return seqs;
  }

  std::unique_ptr<harness::Topology> engine_;
  harness::JetStreamClient client_;
  natsSubscription* listener_ = nullptr;
  std::vector<Reading> readings_;
};

TEST_P(SeedWalkthroughTest, TheListenerGetsEveryReadingAndResumesAfterItsLastAck) {
  AddMessageSet();
  // jsm list; jsm info on the empty set.
  jsStreamNamesList* sets = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_StreamNames(&sets, js(), nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(sets->Count, 1);
  EXPECT_STREQ(sets->List[0], kStream);
  jsStreamNamesList_Destroy(sets);
  ExpectMessageSetHoldsTheReadings();

  // Two devices, 3F45 and 28E3, send readings.
  PublishReadings(6);
  ExpectMessageSetHoldsTheReadings();

  // jsm add-obs, ls-obs, info-obs: nothing delivered before anybody listens.
  AddObservable();
  jsConsumerNamesList* observables = nullptr;
  ASSERT_EQ(js_ConsumerNames(&observables, js(), kStream, nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(observables->Count, 1);
  EXPECT_STREQ(observables->List[0], kConsumer);
  jsConsumerNamesList_Destroy(observables);
  EXPECT_EQ(ObservableState(),
            "delivered 0/0 floor 0/0 ack_pending 0 redelivered 0 pending 6 bound 0");

  // The listener gets every reading from the first, with its original
  // subject, then one published while it listens. It acks the first four,
  // not the last three, and goes offline.
  ListenerComesOnline();
  std::vector<Received> got = Receive(6, 4);
  PublishReadings(1);
  got.push_back(Receive());
  ASSERT_FALSE(HasFailure());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].stream_seq, i + 1);
    EXPECT_EQ(got[i].delivered, 1u);
  }
  EXPECT_EQ(got[0].subject, "devices.3F45.events");
  EXPECT_EQ(got[1].subject, "devices.28E3.events");
  WaitForAckFloor(4);
  ListenerGoesOffline();
  EXPECT_EQ(ObservableState(),
            "delivered 7/7 floor 4/4 ack_pending 3 redelivered 0 pending 0 bound 0");

  // The devices go on while it is away.
  PublishReadings(3);
  ExpectMessageSetHoldsTheReadings();

  // Back: exactly what follows its last ack. The new readings once, the
  // three unacked ones again once their ack wait is over (redelivered,
  // their delivery count above one); nothing it acked.
  ListenerComesOnline();
  std::vector<Received> back = Receive(6, 6);
  ASSERT_FALSE(HasFailure());
  const auto [first, again] = FirstAndRedelivered(back);
  EXPECT_EQ(first, Seqs(8, 10));
  EXPECT_EQ(again, Seqs(5, 7));
  WaitForAckFloor(10);
  // Seven deliveries, then six: nothing else went out.
  EXPECT_EQ(ObservableState(),
            "delivered 13/10 floor 13/10 ack_pending 0 redelivered 0 pending 0 bound 1");
}

TEST_P(SeedWalkthroughTest, TheDurableObservableResumesAfterItsLastAckAcrossARestart) {
  AddMessageSet();
  AddObservable();
  PublishReadings(4);
  ListenerComesOnline();
  Receive(4, 2);
  ASSERT_FALSE(HasFailure());
  WaitForAckFloor(2);
  ListenerGoesOffline();

  client_.Close();
  ASSERT_TRUE(engine_->Restart().ok());
  Connect();

  // Both survive: the readings in the file store, the observable's acks.
  ExpectMessageSetHoldsTheReadings();
  EXPECT_EQ(ObservableState(),
            "delivered 4/4 floor 2/2 ack_pending 2 redelivered 0 pending 0 bound 0");

  PublishReadings(2);
  ListenerComesOnline();
  std::vector<Received> back = Receive(4, 4);
  ASSERT_FALSE(HasFailure());
  const auto [first, again] = FirstAndRedelivered(back);
  EXPECT_EQ(first, Seqs(5, 6));
  EXPECT_EQ(again, Seqs(3, 4));
  WaitForAckFloor(6);
  EXPECT_EQ(ObservableState(),
            "delivered 8/6 floor 8/6 ack_pending 0 redelivered 0 pending 0 bound 1");
}

TEST_P(SeedWalkthroughTest, BadRequestsGetJetStreamErrorsAndChangeNothing) {
  AddMessageSet();
  AddObservable();
  PublishReadings(2);

  struct BadRequest {
    std::string subject;
    std::string body;
    int code;
    int err_code;
  };
  const std::vector<BadRequest> bad = {
      // An observable for a message set that does not exist.
      {"$JS.API.CONSUMER.DURABLE.CREATE.nope.temperature",
       R"({"stream_name":"nope","config":{"durable_name":"temperature",)"
       R"("deliver_subject":"devices.events","ack_policy":"explicit"}})",
       404, 10059},
      // Malformed JSON.
      {"$JS.API.CONSUMER.CREATE.devices-events", R"({"stream_name":"devices-events","config":)",
       400, 10025},
      {"$JS.API.CONSUMER.DURABLE.CREATE.devices-events.temperature", "not json", 400, 10025},
      // The message set again with other subjects.
      {"$JS.API.STREAM.CREATE.devices-events",
       R"({"name":"devices-events","subjects":["sensors.>"],"storage":"file"})", 400, 10058},
      // An observable that does not exist.
      {"$JS.API.CONSUMER.INFO.devices-events.humidity", "", 404, 10014},
  };
  for (const BadRequest& b : bad) {
    SCOPED_TRACE(b.subject + " " + b.body);
    const nlohmann::json reply = Request(b.subject, b.body);
    ASSERT_TRUE(reply.is_object()) << reply;
    ASSERT_TRUE(reply.contains("error")) << reply;
    EXPECT_EQ(reply["error"].value("code", 0), b.code) << reply;
    EXPECT_EQ(reply["error"].value("err_code", 0), b.err_code) << reply;
    EXPECT_TRUE(absl::StartsWith(reply.value("type", ""), "io.nats.jetstream.api.v1.")) << reply;
  }

  // Nothing changed: one set with its subjects and readings, one observable
  // with its configuration, and the listener still gets every reading.
  jsStreamInfo* set = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_GetStreamInfo(&set, js(), kStream, nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(set->Config->SubjectsLen, 1);
  EXPECT_STREQ(set->Config->Subjects[0], "devices.*.events");
  jsStreamInfo_Destroy(set);
  ExpectMessageSetHoldsTheReadings();
  jsStreamNamesList* sets = nullptr;
  ASSERT_EQ(js_StreamNames(&sets, js(), nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(sets->Count, 1);
  jsStreamNamesList_Destroy(sets);
  jsConsumerNamesList* observables = nullptr;
  ASSERT_EQ(js_ConsumerNames(&observables, js(), kStream, nullptr, &error), NATS_OK) << error;
  ASSERT_EQ(observables->Count, 1);
  EXPECT_STREQ(observables->List[0], kConsumer);
  jsConsumerNamesList_Destroy(observables);
  jsConsumerInfo* info = ObservableInfo();
  ASSERT_NE(info, nullptr);
  EXPECT_STREQ(info->Config->DeliverSubject, kDeliverSubject);
  EXPECT_EQ(info->Config->AckPolicy, js_AckExplicit);
  jsConsumerInfo_Destroy(info);
  EXPECT_EQ(ObservableState(),
            "delivered 0/0 floor 0/0 ack_pending 0 redelivered 0 pending 2 bound 0");

  ListenerComesOnline();
  PublishReadings(1);
  std::vector<Received> got = Receive(3, 3);
  ASSERT_FALSE(HasFailure());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].stream_seq, i + 1);
  WaitForAckFloor(3);
}

JSE_TOPOLOGY_SUITE(SeedWalkthroughTest);

}  // namespace
}  // namespace jsengine::testing
