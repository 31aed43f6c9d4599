// Mirrors and sources end to end through the official NATS C client, against
// the embedded gateway, the three processes and nats-server -js: a mirror
// keeps its origin's sequences (gaps included), filters, sources with their
// Nats-Stream-Source header, stream info's mirror/sources state, config
// errors, and catch-up across a SIGKILL of the process holding the store.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/jetstream_client.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

class JetStreamMirrorTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = harness::Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    Connect();
  }
  void TearDown() override { Disconnect(); }

  void Connect() { ASSERT_TRUE(client_.Connect(engine_->nats_url()).ok()); }
  void Disconnect() { client_.Close(); }
  jsCtx* js() const { return client_.js(); }
  natsConnection* nc() const { return client_.nc(); }

  void AddStream(jsStreamConfig* config) {
    jsStreamInfo* info = nullptr;
    jsErrCode err = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_AddStream(&info, js(), config, nullptr, &err), NATS_OK)
        << nats_GetLastError(nullptr) << " err_code " << err;
    jsStreamInfo_Destroy(info);
  }
  void AddPlain(const char* name, const char* subject) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name;
    config.Subjects = &subject;
    config.SubjectsLen = 1;
    AddStream(&config);
  }
  // Creates stream `name` mirroring `origin`.
  void AddMirror(const char* name, const char* origin, uint64_t start_seq = 0,
                 const char* filter = nullptr) {
    jsStreamSource mirror;
    jsStreamSource_Init(&mirror);
    mirror.Name = origin;
    mirror.OptStartSeq = start_seq;
    mirror.FilterSubject = filter;
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name;
    config.Mirror = &mirror;
    AddStream(&config);
  }
  // Creates stream `name` sourcing each (origin, filter or nullptr).
  void AddSourcing(const char* name, const std::vector<std::pair<const char*, const char*>>& from) {
    std::vector<jsStreamSource> sources(from.size());
    std::vector<jsStreamSource*> pointers;
    for (size_t i = 0; i < from.size(); ++i) {
      jsStreamSource_Init(&sources[i]);
      sources[i].Name = from[i].first;
      sources[i].FilterSubject = from[i].second;
      pointers.push_back(&sources[i]);
    }
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name;
    config.Sources = pointers.data();
    config.SourcesLen = static_cast<int>(pointers.size());
    AddStream(&config);
  }
  void Publish(const std::string& subject, const std::string& data) {
    jsPubAck* ack = nullptr;
    ASSERT_EQ(js_Publish(&ack, js(), subject.c_str(), data.data(), static_cast<int>(data.size()),
                         nullptr, nullptr),
              NATS_OK)
        << nats_GetLastError(nullptr);
    jsPubAck_Destroy(ack);
  }
  void AsyncPublish(const std::string& subject, int n) {
    for (int i = 0; i < n; ++i) {
      std::string data = absl::StrCat(i);
      ASSERT_EQ(js_PublishAsync(js(), subject.c_str(), data.data(), static_cast<int>(data.size()),
                                nullptr),
                NATS_OK);
    }
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    opts.MaxWait = 30000;
    ASSERT_EQ(js_PublishAsyncComplete(js(), &opts), NATS_OK) << nats_GetLastError(nullptr);
  }
  void DeleteMsg(const char* stream, uint64_t seq) {
    ASSERT_EQ(js_DeleteMsg(js(), stream, seq, nullptr, nullptr), NATS_OK);
  }
  // The stream's state once `done` holds for it, or the last seen after 20s.
  jsStreamState WaitState(const char* stream, const std::function<bool(const jsStreamState&)>& done) {
    jsStreamState state{};
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    do {
      jsStreamInfo* info = nullptr;
      if (js_GetStreamInfo(&info, js(), stream, nullptr, nullptr) == NATS_OK) {
        state = info->State;
        state.Deleted = nullptr;
        state.DeletedLen = 0;
        state.Lost = nullptr;
        state.Subjects = nullptr;
        jsStreamInfo_Destroy(info);
        if (done(state)) return state;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (absl::Now() < deadline);
    return state;
  }
  // subject of message `seq`, "" when it is not stored.
  std::string SubjectAt(const char* stream, uint64_t seq, std::string* source_header = nullptr) {
    natsMsg* msg = nullptr;
    if (js_GetMsg(&msg, js(), stream, seq, nullptr, nullptr) != NATS_OK) return "";
    std::string subject = natsMsg_GetSubject(msg);
    const char* value = nullptr;
    if (source_header != nullptr &&
        natsMsgHeader_Get(msg, "Nats-Stream-Source", &value) == NATS_OK) {
      *source_header = value;
    }
    natsMsg_Destroy(msg);
    return subject;
  }

  std::unique_ptr<harness::Topology> engine_;
  harness::JetStreamClient client_;
};

TEST_P(JetStreamMirrorTest, MirrorKeepsSequencesAndGapsOfOrigin) {
  AddPlain("O", "o.>");
  for (int i = 1; i <= 10; ++i) Publish(absl::StrCat("o.", i), "x");
  DeleteMsg("O", 3);
  DeleteMsg("O", 5);
  AddMirror("M", "O");
  jsStreamState s = WaitState("M", [](const jsStreamState& st) { return st.LastSeq == 10; });
  EXPECT_EQ(s.Msgs, 8u);
  EXPECT_EQ(s.FirstSeq, 1u);
  EXPECT_EQ(s.LastSeq, 10u);
  EXPECT_EQ(SubjectAt("M", 3), "");
  EXPECT_EQ(SubjectAt("M", 4), "o.4");
  Publish("o.11", "y");
  s = WaitState("M", [](const jsStreamState& st) { return st.LastSeq == 11; });
  EXPECT_EQ(s.Msgs, 9u);
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, js(), "M", nullptr, nullptr), NATS_OK);
  ASSERT_NE(info->Mirror, nullptr);
  EXPECT_STREQ(info->Mirror->Name, "O");
  EXPECT_EQ(info->Mirror->Lag, 0u);
  jsStreamInfo_Destroy(info);
}

TEST_P(JetStreamMirrorTest, MirrorFromStartSequence) {
  AddPlain("O", "o.>");
  for (int i = 1; i <= 6; ++i) Publish(absl::StrCat("o.", i), "x");
  AddMirror("M", "O", 4);
  jsStreamState s = WaitState("M", [](const jsStreamState& st) { return st.LastSeq == 6; });
  EXPECT_EQ(s.Msgs, 3u);
  EXPECT_EQ(s.FirstSeq, 4u);
}

TEST_P(JetStreamMirrorTest, FilteredMirror) {
  if (GetParam() == harness::Topology::kReference) {
    GTEST_SKIP() << "nats-server 2.9 refuses a mirror's filter_subject (10033); 2.10 takes it";
  }
  AddPlain("O", "o.>");
  for (int i = 1; i <= 9; ++i) Publish(i % 3 == 0 ? "o.keep" : "o.drop", absl::StrCat(i));
  AddMirror("M", "O", 0, "o.keep");
  jsStreamState s = WaitState("M", [](const jsStreamState& st) { return st.LastSeq == 9; });
  EXPECT_EQ(s.Msgs, 3u);
  EXPECT_EQ(s.FirstSeq, 3u);
  EXPECT_EQ(SubjectAt("M", 6), "o.keep");
  EXPECT_EQ(SubjectAt("M", 7), "");
}

TEST_P(JetStreamMirrorTest, MirrorConfigErrorsAsNatsServer) {
  AddPlain("O", "o.>");
  natsMsg* reply = nullptr;
  const std::string with_subjects = R"({"name":"M","subjects":["m"],"mirror":{"name":"O"}})";
  ASSERT_EQ(natsConnection_Request(&reply, nc(), "$JS.API.STREAM.CREATE.M", with_subjects.data(),
                                   static_cast<int>(with_subjects.size()), 5000),
            NATS_OK);
  EXPECT_TRUE(absl::StrContains(natsMsg_GetData(reply),
                                R"("code":400,"err_code":10034,"description":"stream mirrors can not contain subjects")"))
      << natsMsg_GetData(reply);
  natsMsg_Destroy(reply);
  const std::string with_sources =
      R"({"name":"M","mirror":{"name":"O"},"sources":[{"name":"O"}]})";
  ASSERT_EQ(natsConnection_Request(&reply, nc(), "$JS.API.STREAM.CREATE.M", with_sources.data(),
                                   static_cast<int>(with_sources.size()), 5000),
            NATS_OK);
  EXPECT_TRUE(absl::StrContains(natsMsg_GetData(reply), R"("err_code":10031)"))
      << natsMsg_GetData(reply);
  natsMsg_Destroy(reply);
}

// nats.go's TestJetStreamStreamMirror: sourcing two mirrors of one stream
// reaches that stream twice, which is not a cycle.
TEST_P(JetStreamMirrorTest, SourcesOfTwoMirrorsOfOneStreamAreNoCycle) {
  AddPlain("ORIGIN", "origin.>");
  Publish("origin.a", "x");
  AddMirror("M1", "ORIGIN");
  AddMirror("M2", "ORIGIN");
  AddSourcing("S", {{"M1", nullptr}, {"M2", nullptr}});
  jsStreamState s = WaitState("S", [](const jsStreamState& st) { return st.Msgs >= 2; });
  EXPECT_EQ(s.Msgs, 2u);
}

TEST_P(JetStreamMirrorTest, SourcesFromTwoStreamsWithFilters) {
  AddPlain("A", "a.>");
  AddPlain("B", "b.>");
  for (int i = 0; i < 4; ++i) {
    Publish(i % 2 ? "a.x" : "a.y", "a");
    Publish(i % 2 ? "b.x" : "b.y", "b");
  }
  AddSourcing("S", {{"A", "a.x"}, {"B", "b.y"}});
  jsStreamState s = WaitState("S", [](const jsStreamState& st) { return st.Msgs >= 4; });
  EXPECT_EQ(s.Msgs, 4u);
  std::map<std::string, int> subjects;
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    std::string header;
    ++subjects[SubjectAt("S", seq, &header)];
    EXPECT_FALSE(header.empty()) << "seq " << seq;
  }
  EXPECT_EQ(subjects["a.x"], 2);
  EXPECT_EQ(subjects["b.y"], 2);
  Publish("a.x", "later");
  s = WaitState("S", [](const jsStreamState& st) { return st.Msgs >= 5; });
  EXPECT_EQ(s.Msgs, 5u);
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, js(), "S", nullptr, nullptr), NATS_OK);
  ASSERT_EQ(info->SourcesLen, 2);
  std::vector<std::string> names = {info->Sources[0]->Name, info->Sources[1]->Name};
  std::sort(names.begin(), names.end());  // nats-server lists them in map order.
  EXPECT_EQ(names, (std::vector<std::string>{"A", "B"}));
  jsStreamInfo_Destroy(info);
}

// The store's process is killed while the mirror and the source catch up:
// after the restart they hold every origin message once.
TEST_P(JetStreamMirrorTest, CatchUpSurvivesCrashWithoutDuplicatesOrGaps) {
  constexpr int kMsgs = 20000;
  AddPlain("O", "o.>");
  AsyncPublish("o.x", kMsgs);
  jsStreamSource mirror, source;
  jsStreamSource_Init(&mirror);
  jsStreamSource_Init(&source);
  mirror.Name = "O";
  source.Name = "O";
  jsStreamConfig mcfg;
  jsStreamConfig_Init(&mcfg);
  mcfg.Name = "M";
  mcfg.Mirror = &mirror;
  AddStream(&mcfg);
  jsStreamSource* sources[] = {&source};
  jsStreamConfig scfg;
  jsStreamConfig_Init(&scfg);
  scfg.Name = "S";
  scfg.Sources = sources;
  scfg.SourcesLen = 1;
  AddStream(&scfg);
  Disconnect();
  ASSERT_TRUE(engine_->CrashAndRestart().ok());
  Connect();
  jsStreamState m = WaitState("M", [](const jsStreamState& st) { return st.LastSeq >= kMsgs; });
  EXPECT_EQ(m.Msgs, static_cast<uint64_t>(kMsgs));
  EXPECT_EQ(m.LastSeq, static_cast<uint64_t>(kMsgs));
  jsStreamState s = WaitState("S", [](const jsStreamState& st) { return st.Msgs >= kMsgs; });
  // Nothing more may arrive once the source has caught up.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  s = WaitState("S", [](const jsStreamState&) { return true; });
  EXPECT_EQ(s.Msgs, static_cast<uint64_t>(kMsgs));
  EXPECT_EQ(s.LastSeq, static_cast<uint64_t>(kMsgs));
}

// Each stored message is published again to the republish destination with
// the stream's headers; headers_only sends its size instead of the payload.
TEST_P(JetStreamMirrorTest, RepublishWithAndWithoutHeadersOnly) {
  for (bool headers_only : {false, true}) {
    SCOPED_TRACE(headers_only ? "headers_only" : "with payload");
    const std::string name = headers_only ? "RH" : "RP";
    const std::string in = absl::StrCat(name, ".in.>");
    const std::string out = absl::StrCat(name, ".out.>");
    natsSubscription* sub = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc(), out.c_str()), NATS_OK);
    jsRePublish republish;
    jsRePublish_Init(&republish);
    republish.Source = in.c_str();
    republish.Destination = out.c_str();
    republish.HeadersOnly = headers_only;
    const char* subject = in.c_str();
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name.c_str();
    config.Subjects = &subject;
    config.SubjectsLen = 1;
    config.RePublish = &republish;
    AddStream(&config);
    Publish(name + ".in.a", "hi");
    Publish(name + ".in.b", "there");
    Publish(name + ".in.a", "again");
    struct Want {
      std::string subject, seq, last, data;
    };
    const std::vector<Want> wants = {
        {".out.a", "1", "0", "hi"}, {".out.b", "2", "0", "there"}, {".out.a", "3", "1", "again"}};
    for (const Want& want : wants) {
      natsMsg* msg = nullptr;
      ASSERT_EQ(natsSubscription_NextMsg(&msg, sub, 10000), NATS_OK) << want.seq;
      EXPECT_EQ(std::string(natsMsg_GetSubject(msg)), name + want.subject);
      auto header = [msg](const char* key) {
        const char* value = nullptr;
        return natsMsgHeader_Get(msg, key, &value) == NATS_OK ? std::string(value) : "";
      };
      EXPECT_EQ(header("Nats-Stream"), name);
      EXPECT_EQ(header("Nats-Sequence"), want.seq);
      EXPECT_EQ(header("Nats-Last-Sequence"), want.last);
      EXPECT_EQ(header("Nats-Subject"), name + ".in" + want.subject.substr(4));
      // nats-server 2.10 added it; the reference here is 2.9.
      if (GetParam() != harness::Topology::kReference) {
        EXPECT_FALSE(header("Nats-Time-Stamp").empty());
      }
      std::string data(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
      if (headers_only) {
        EXPECT_EQ(data, "");
        EXPECT_EQ(header("Nats-Msg-Size"), absl::StrCat(want.data.size()));
      } else {
        EXPECT_EQ(data, want.data);
      }
      natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
  }
}

JSE_TOPOLOGY_SUITE(JetStreamMirrorTest);

}  // namespace
}  // namespace jsengine::testing
