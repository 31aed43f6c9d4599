// storesvc killed (SIGKILL) and started again on its data directory while
// consumersvc, the gateway and the clients stay up: the three-process
// deployment only, as nothing else has a store of its own to lose. A durable
// pull and a durable push consumer resume with every message delivered and
// acknowledged; a message is seen twice only as a redelivery. The consumers
// of a memory stream, which the restarted store no longer has, are dropped.
#include <algorithm>
#include <map>
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

constexpr int kBefore = 100;
constexpr int kAfter = 100;
constexpr int64_t kAckWaitNs = int64_t{2000} * 1000000;

// What one consumer saw: per stream sequence, how often it came as a first
// delivery and whether it was acknowledged.
class Seen {
 public:
  // Records `m`; returns whether to acknowledge it (a first delivery of a
  // sequence divisible by `hold_every` is left unacknowledged, to come back).
  bool Add(natsMsg* m, uint64_t hold_every) {
    jsMsgMetaData* meta = nullptr;
    EXPECT_EQ(natsMsg_GetMetaData(&meta, m), NATS_OK);
    if (meta == nullptr) return false;
    const uint64_t seq = meta->Sequence.Stream;
    const bool first = meta->NumDelivered == 1;
    jsMsgMetaData_Destroy(meta);
    absl::MutexLock lock(&mu_);
    Entry& e = seen_[seq];
    if (first) ++e.first_deliveries;
    const bool ack = !(first && seq % hold_every == 0);
    e.acked |= ack;
    return ack;
  }

  // Sequences 1..last acknowledged, each first delivered once.
  bool Complete(uint64_t last) {
    absl::MutexLock lock(&mu_);
    for (uint64_t seq = 1; seq <= last; ++seq) {
      auto it = seen_.find(seq);
      if (it == seen_.end() || !it->second.acked) return false;
    }
    return true;
  }

  size_t size() {
    absl::MutexLock lock(&mu_);
    return seen_.size();
  }

  // Sequences whose first delivery came more than once.
  std::vector<uint64_t> Duplicates() {
    absl::MutexLock lock(&mu_);
    std::vector<uint64_t> out;
    for (const auto& [seq, e] : seen_) {
      if (e.first_deliveries > 1) out.push_back(seq);
    }
    return out;
  }

  std::vector<uint64_t> Missing(uint64_t last) {
    absl::MutexLock lock(&mu_);
    std::vector<uint64_t> out;
    for (uint64_t seq = 1; seq <= last; ++seq) {
      auto it = seen_.find(seq);
      if (it == seen_.end() || !it->second.acked) out.push_back(seq);
    }
    return out;
  }

 private:
  struct Entry {
    int first_deliveries = 0;
    bool acked = false;
  };
  absl::Mutex mu_;
  std::map<uint64_t, Entry> seen_ ABSL_GUARDED_BY(mu_);
};

void OnPush(natsConnection*, natsSubscription*, natsMsg* m, void* closure) {
  auto* seen = static_cast<Seen*>(closure);
  if (seen->Add(m, 17)) natsMsg_Ack(m, nullptr);
  natsMsg_Destroy(m);
}

class StoreRestartTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = harness::Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    ASSERT_TRUE(client_.Connect(engine_->nats_url(), 5000).ok());
    js_ = client_.js();
  }

  // Publishes work.<n>, retrying (deduplicated by its message id) while the
  // store is away; returns its sequence, 0 if it never got through.
  uint64_t Publish(int n) {
    const std::string data = absl::StrCat("m-", n);
    const std::string subject = absl::StrCat("work.", n);
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = data.c_str();
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      jsPubAck* ack = nullptr;
      jsErrCode error;
      if (js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()),
                     &options, &error) == NATS_OK) {
        const uint64_t seq = ack->Sequence;
        jsPubAck_Destroy(ack);
        return seq;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return 0;
  }

  // One pull of up to 10, each recorded and acknowledged as Seen says.
  void Pull(natsSubscription* sub, Seen* seen) {
    natsMsgList list{};
    jsErrCode error;
    if (natsSubscription_Fetch(&list, sub, 10, 500, &error) != NATS_OK) return;
    for (int i = 0; i < list.Count; ++i) {
      if (seen->Add(list.Msgs[i], 13)) natsMsg_Ack(list.Msgs[i], nullptr);
    }
    natsMsgList_Destroy(&list);
  }

  std::unique_ptr<harness::Topology> engine_;
  harness::JetStreamClient client_;
  jsCtx* js_ = nullptr;
};

TEST_P(StoreRestartTest, ConsumersResumeAfterTheStoreIsKilledAndStartedAgain) {
  ASSERT_EQ(client_.AddStream("WORK", "work.>", js_FileStorage), NATS_OK);
  ASSERT_EQ(client_.AddStream("MEM", "mem.>", js_MemoryStorage), NATS_OK);
  jsErrCode error;
  jsConsumerConfig mem;
  jsConsumerConfig_Init(&mem);
  mem.Durable = "gone";
  mem.AckPolicy = js_AckExplicit;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "MEM", &mem, nullptr, &error), NATS_OK) << error;

  jsConsumerConfig pull;
  jsConsumerConfig_Init(&pull);
  pull.Durable = "puller";
  pull.AckPolicy = js_AckExplicit;
  pull.AckWait = kAckWaitNs;
  ASSERT_EQ(js_AddConsumer(nullptr, js_, "WORK", &pull, nullptr, &error), NATS_OK) << error;
  natsSubscription* pull_sub = nullptr;
  ASSERT_EQ(js_PullSubscribe(&pull_sub, js_, "work.>", "puller", nullptr, nullptr, &error), NATS_OK)
      << error;

  Seen pushed;
  jsSubOptions push;
  jsSubOptions_Init(&push);
  push.Stream = "WORK";
  push.Config.Durable = "pusher";
  push.Config.AckPolicy = js_AckExplicit;
  push.Config.AckWait = kAckWaitNs;
  push.Config.MaxAckPending = 10;
  push.ManualAck = true;
  natsSubscription* push_sub = nullptr;
  ASSERT_EQ(js_Subscribe(&push_sub, js_, "work.>", OnPush, &pushed, nullptr, &push, &error),
            NATS_OK)
      << error;

  for (int n = 1; n <= kBefore; ++n) ASSERT_EQ(Publish(n), static_cast<uint64_t>(n));
  Seen pulled;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (pulled.size() < kBefore / 2 && absl::Now() < deadline) Pull(pull_sub, &pulled);
  ASSERT_GE(pulled.size(), static_cast<size_t>(kBefore / 2));

  // Pulls go on while the store is away (for a few rounds of the
  // consumers' reconnect attempts).
  ASSERT_TRUE(engine_
                  ->RestartStore(
                      [&] {
                        const absl::Time until = absl::Now() + absl::Seconds(3);
                        while (absl::Now() < until) Pull(pull_sub, &pulled);
                      },
                      SIGKILL)
                  .ok());

  // The memory stream is gone with the store's restart; one made anew under
  // its name has none of the old one's consumers.
  deadline = absl::Now() + absl::Seconds(30);
  while (client_.AddStream("MEM", "mem.>", js_MemoryStorage) != NATS_OK && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  for (int n = kBefore + 1; n <= kBefore + kAfter; ++n) {
    ASSERT_EQ(Publish(n), static_cast<uint64_t>(n));
  }
  const uint64_t last = kBefore + kAfter;
  deadline = absl::Now() + absl::Seconds(60);
  while (!(pulled.Complete(last) && pushed.Complete(last)) && absl::Now() < deadline) {
    Pull(pull_sub, &pulled);
  }
  EXPECT_EQ(pulled.Missing(last), std::vector<uint64_t>{});
  EXPECT_EQ(pushed.Missing(last), std::vector<uint64_t>{});
  EXPECT_EQ(pulled.Duplicates(), std::vector<uint64_t>{});
  EXPECT_EQ(pushed.Duplicates(), std::vector<uint64_t>{});

  for (const char* name : {"puller", "pusher"}) {
    SCOPED_TRACE(name);
    jsConsumerInfo* info = nullptr;
    deadline = absl::Now() + absl::Seconds(30);
    for (;;) {
      ASSERT_EQ(js_GetConsumerInfo(&info, js_, "WORK", name, nullptr, &error), NATS_OK) << error;
      if ((info->AckFloor.Stream == last && info->NumAckPending == 0) || absl::Now() > deadline) {
        break;
      }
      jsConsumerInfo_Destroy(info);
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_EQ(info->AckFloor.Stream, last);
    EXPECT_EQ(info->NumAckPending, 0);
    EXPECT_EQ(info->NumPending, 0u);
    jsConsumerInfo_Destroy(info);
  }

  jsConsumerNamesList* names = nullptr;
  deadline = absl::Now() + absl::Seconds(30);
  int count = -1;
  while (absl::Now() < deadline) {
    // The C client answers NATS_NOT_FOUND for an empty list.
    const natsStatus s = js_ConsumerNames(&names, js_, "MEM", nullptr, &error);
    ASSERT_TRUE(s == NATS_OK || s == NATS_NOT_FOUND) << s << " " << error;
    count = s == NATS_OK ? names->Count : 0;
    jsConsumerNamesList_Destroy(names);
    names = nullptr;
    if (count == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(count, 0);

  natsSubscription_Destroy(push_sub);
  natsSubscription_Destroy(pull_sub);
}

INSTANTIATE_TEST_SUITE_P(Deployments, StoreRestartTest,
                         ::testing::Values(harness::Topology::kSeparate),
                         harness::TopologyParamName);

}  // namespace
}  // namespace jsengine::testing
