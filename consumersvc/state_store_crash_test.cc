// Crash images of a ConsumerStateStore: copies of its files taken while it
// runs, both as they are (what a killed process leaves: everything written)
// and as a power cut would leave them (testing/util/power_cut.h: only what
// was fsynced, creations and renames undone unless their directory was
// fsynced). Every image must recover, for each consumer, the state after
// some prefix of its operations at least as long as what had been confirmed
// (a Flush callback had run) when the image was taken.
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "consumersvc/journal_record.h"
#include "consumersvc/state_store.h"
#include "consumersvc/state_store_test_util.h"
#include "gtest/gtest.h"
#include "testing/util/power_cut.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

namespace fs = std::filesystem;
using common::SyncPolicy;

std::unique_ptr<ConsumerStateStore> OpenStore(const std::string& dir, SyncPolicy sync,
                                              uint64_t fold_bytes = 16 << 20) {
  ConsumerStateStoreOptions options;
  options.data_dir = dir;
  options.sync = sync;
  options.fold_bytes = fold_bytes;
  options.write_delay = absl::Milliseconds(1);
  auto store = ConsumerStateStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// The next operation of a consumer whose state is `m`: deliveries, some
// redeliveries, acknowledgements that keep pending small.
JournalRecord NextOp(const ConsumerState& m, v1::AckPolicy policy, std::mt19937_64& rng) {
  JournalRecord op;
  const uint64_t dseq = m.delivered.consumer_seq + 1;
  if (m.pending.empty() || (m.pending.size() < 20 && rng() % 2 == 0)) {
    op.type = state_format::kDelivered;
    op.consumer_seq = dseq;
    op.stream_seq = m.delivered.stream_seq + 1 + rng() % 3;
    op.delivery_count = 1;
    op.delivered_ns = static_cast<int64_t>(dseq);
    return op;
  }
  auto it = std::next(m.pending.begin(), static_cast<long>(rng() % m.pending.size()));
  if (rng() % 5 == 0) {
    op.type = state_format::kDelivered;
    op.consumer_seq = dseq;
    op.stream_seq = it->first;
    op.delivery_count = 2 + rng() % 3;
    op.delivered_ns = static_cast<int64_t>(dseq);
    return op;
  }
  op.type = state_format::kAck;
  op.stream_seq = it->first;
  const bool moves_floor = policy == v1::ACK_ALL || it == m.pending.begin();
  op.ack_floor = moves_floor ? SequencePair{it->second.consumer_seq, it->first} : m.ack_floor;
  return op;
}

struct Consumer {
  std::string stream;
  std::string name;
  v1::AckPolicy policy;
  ConsumerStateWriter* writer = nullptr;
  std::vector<ConsumerState> history;  // history[k]: after k operations.
};

struct Image {
  std::string dir;
  bool power_cut;
  std::map<std::string, size_t> confirmed;  // By consumer: operations confirmed.
};

// Runs consumers of two streams, one thread per stream (as the engine's
// serial executors), flushing after every acknowledgement. Takes images
// after every fsync (both kinds: the durable view changes only then, and
// the store's thread is inside fsync, so no file changes during a copy) and
// from every 10th Flush callback (as they are: the store's thread runs the
// callbacks, so again nothing changes meanwhile).
std::vector<Image> RunAndTakeImages(const std::string& dir, const std::string& images,
                                    SyncPolicy sync, std::vector<Consumer>* consumers) {
  testing::util::PowerCut power_cut(dir);
  auto store = OpenStore(dir, sync, /*fold_bytes=*/3000);
  std::vector<std::unique_ptr<ConsumerStateWriter>> writers;
  for (Consumer& c : *consumers) {
    auto writer = store->Create(TestConsumerInfo(c.stream, c.name, c.policy));
    EXPECT_TRUE(writer.ok()) << writer.status();
    c.writer = writer->get();
    c.history.push_back(ConsumerState());
    writers.push_back(*std::move(writer));
  }
  // Creates under kInterval are durable at the next sync (see
  // IntervalCreatesSurviveACrashAndAreDurableAfterTheSync); this test is
  // about what follows them.
  if (sync == SyncPolicy::kInterval) store->SyncAll();
  absl::Mutex mu;
  std::map<std::string, size_t> confirmed;
  std::vector<Image> taken;
  int callbacks = 0;
  bool stop = false;
  constexpr size_t kImages = 400;
  constexpr int kCallbacks = 3000;
  auto take = [&](bool as_power_cut) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    taken.push_back({absl::StrCat(images, "/", taken.size()), as_power_cut, confirmed});
    if (as_power_cut) {
      power_cut.Image(taken.back().dir);
    } else {
      fs::copy(dir, taken.back().dir, fs::copy_options::recursive);
    }
    stop = stop || taken.size() >= kImages;
  };
  power_cut.SetHook([&] {
    absl::MutexLock lock(&mu);
    if (stop) return;
    take(true);
    take(false);
  });

  auto drive = [&](const std::string& stream, uint64_t seed) {
    std::mt19937_64 rng(seed);
    int in_flight = 0;  // Guarded by mu.
    for (;;) {
      {
        absl::MutexLock lock(&mu);
        auto room = [&] { return stop || in_flight < 8; };
        mu.Await(absl::Condition(&room));
        if (stop) break;
      }
      for (Consumer& c : *consumers) {
        if (c.stream != stream) continue;
        const JournalRecord op = NextOp(c.history.back(), c.policy, rng);
        ConsumerState next = c.history.back();
        ApplyRecord(op, c.policy, &next);
        if (op.type == state_format::kAck) {
          c.writer->RecordAck(op.stream_seq, op.ack_floor);
        } else {
          c.writer->RecordDelivered(op.consumer_seq, op.stream_seq, op.delivery_count,
                                    op.delivered_ns);
        }
        c.history.push_back(std::move(next));
        if (op.type != state_format::kAck) continue;
        {
          absl::MutexLock lock(&mu);
          ++in_flight;
        }
        const std::string key = c.stream + "/" + c.name;
        const size_t ops = c.history.size() - 1;
        c.writer->Flush([&, key, ops](absl::Status status) {
          EXPECT_TRUE(status.ok()) << status;
          absl::MutexLock lock(&mu);
          --in_flight;
          confirmed[key] = std::max(confirmed[key], ops);
          ++callbacks;
          if (!stop && callbacks % 10 == 0) take(false);
          stop = stop || callbacks >= kCallbacks;
        });
      }
    }
    absl::MutexLock lock(&mu);
    auto drained = [&] { return in_flight == 0; };
    mu.Await(absl::Condition(&drained));
  };
  std::thread s(drive, "S", 1);
  std::thread t(drive, "T", 2);
  s.join();
  t.join();
  power_cut.SetHook(nullptr);
  writers.clear();
  store.reset();
  int power_cuts = 0;
  for (const Image& image : taken) power_cuts += image.power_cut;
  std::cout << taken.size() << " images (" << power_cuts << " power cuts) after "
            << power_cut.syncs() << " fsyncs and " << callbacks << " confirmations\n";
  return taken;
}

void ExpectImagesRecover(const std::vector<Image>& images, const std::vector<Consumer>& consumers,
                         bool power_cut_keeps_confirmed) {
  ASSERT_FALSE(images.empty());
  for (const Image& image : images) {
    SCOPED_TRACE(absl::StrCat(image.power_cut ? "power cut " : "process crash ", image.dir));
    auto store = OpenStore(image.dir, SyncPolicy::kAlways);
    ASSERT_NE(store, nullptr);
    std::map<std::string, ConsumerState> got;
    for (const std::string stream : {"S", "T"}) {
      for (LoadedConsumer& c : store->Load(stream)) got[stream + "/" + c.info.name()] = c.state;
    }
    for (const Consumer& c : consumers) {
      const std::string key = c.stream + "/" + c.name;
      ASSERT_EQ(got.count(key), 1u) << key;
      auto it = image.confirmed.find(key);
      const size_t confirmed = it == image.confirmed.end() ? 0 : it->second;
      const size_t from = image.power_cut && !power_cut_keeps_confirmed ? 0 : confirmed;
      bool found = false;
      for (size_t k = from; k < c.history.size() && !found; ++k) found = c.history[k] == got[key];
      EXPECT_TRUE(found) << key << ": the recovered state is not the state after " << from
                         << " or more of its operations (" << confirmed << " confirmed)";
    }
  }
}

std::vector<Consumer> SomeConsumers() {
  return {{"S", "a", v1::ACK_EXPLICIT},
          {"S", "b", v1::ACK_ALL},
          {"T", "c", v1::ACK_EXPLICIT},
          {"T", "d", v1::ACK_EXPLICIT}};
}

TEST(StateStoreCrashTest, SyncAlwaysLosesNoConfirmedAckToACrashOrAPowerCut) {
  const std::string dir = testing::util::MakeTempDir("cstate_crash-");
  const std::string images = testing::util::MakeTempDir("cstate_crash_images-");
  std::vector<Consumer> consumers = SomeConsumers();
  const std::vector<Image> taken = RunAndTakeImages(dir, images, SyncPolicy::kAlways, &consumers);
  ExpectImagesRecover(taken, consumers, /*power_cut_keeps_confirmed=*/true);
}

// With the default policy a Flush means written, not fsynced: a killed
// process loses nothing confirmed, a power cut may lose the last changes
// but still leaves each consumer as it was after some prefix of them.
TEST(StateStoreCrashTest, SyncIntervalLosesNoConfirmedAckToACrash) {
  const std::string dir = testing::util::MakeTempDir("cstate_crash-");
  const std::string images = testing::util::MakeTempDir("cstate_crash_images-");
  std::vector<Consumer> consumers = SomeConsumers();
  const std::vector<Image> taken = RunAndTakeImages(dir, images, SyncPolicy::kInterval, &consumers);
  ExpectImagesRecover(taken, consumers, /*power_cut_keeps_confirmed=*/false);
}

// Creating, updating and deleting consumers and streams is durable when the
// call returns: a power cut right after keeps it.
TEST(StateStoreCrashTest, AdminChangesAreDurableWhenTheyReturn) {
  const std::string dir = testing::util::MakeTempDir("cstate_admin-");
  const std::string images = testing::util::MakeTempDir("cstate_admin_images-");
  testing::util::PowerCut power_cut(dir);
  auto store = OpenStore(dir, SyncPolicy::kAlways);
  int n = 0;
  // What a store opened on a power-cut image now holds: stream/consumer ->
  // description.
  auto image = [&] {
    const std::string to = absl::StrCat(images, "/", n++);
    power_cut.Image(to);
    auto recovered = OpenStore(to, SyncPolicy::kAlways);
    std::map<std::string, std::string> consumers;
    for (const std::string& stream : recovered->Streams()) {
      for (LoadedConsumer& c : recovered->Load(stream)) {
        consumers[stream + "/" + c.info.name()] = c.info.config().description();
      }
    }
    EXPECT_FALSE(fs::exists(to + "/quarantine"));
    return consumers;
  };
  using Consumers = std::map<std::string, std::string>;

  auto a = store->Create(TestConsumerInfo("S", "a", v1::ACK_EXPLICIT));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(image(), (Consumers{{"S/a", ""}}));
  v1::ConsumerInfo b_info = TestConsumerInfo("S", "b", v1::ACK_EXPLICIT);
  auto b = store->Create(b_info);
  ASSERT_TRUE(b.ok()) << b.status();
  b_info.mutable_config()->set_description("v2");
  ASSERT_TRUE(store->Update(b_info).ok());
  EXPECT_EQ(image(), (Consumers{{"S/a", ""}, {"S/b", "v2"}}));
  a->reset();
  ASSERT_TRUE(store->Delete("S", "a").ok());
  EXPECT_EQ(image(), (Consumers{{"S/b", "v2"}}));
  (*b)->RecordDelivered(1, 1, 1, 1);
  ASSERT_TRUE(FlushAndWait(b->get()).ok());
  b->reset();
  ASSERT_TRUE(store->DeleteStream("S").ok());
  EXPECT_EQ(image(), Consumers());
  auto c = store->Create(TestConsumerInfo("S", "c", v1::ACK_EXPLICIT));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(image(), (Consumers{{"S/c", ""}}));
}

// Under kInterval a create makes no fsync: the consumer survives a killed
// process (its files are written), and a power cut once the next sync ran.
TEST(StateStoreCrashTest, IntervalCreatesSurviveACrashAndAreDurableAfterTheSync) {
  const std::string dir = testing::util::MakeTempDir("cstate_icreate-");
  const std::string images = testing::util::MakeTempDir("cstate_icreate_images-");
  testing::util::PowerCut power_cut(dir);
  auto store = OpenStore(dir, SyncPolicy::kInterval);
  auto first = store->Create(TestConsumerInfo("S", "first", v1::ACK_EXPLICIT));
  ASSERT_TRUE(first.ok()) << first.status();
  const int syncs = power_cut.syncs();
  std::vector<std::unique_ptr<ConsumerStateWriter>> writers;
  for (const char* name : {"a", "b", "c"}) {
    auto writer = store->Create(TestConsumerInfo("S", name, v1::ACK_EXPLICIT));
    ASSERT_TRUE(writer.ok()) << writer.status();
    writers.push_back(*std::move(writer));
  }
  EXPECT_EQ(power_cut.syncs(), syncs);

  auto recovered_names = [](const std::string& image) {
    auto recovered = OpenStore(image, SyncPolicy::kAlways);
    EXPECT_FALSE(fs::exists(image + "/quarantine"));
    return recovered->Consumers("S");
  };
  const std::vector<std::string> all = {"a", "b", "c", "first"};
  const std::string crash = images + "/crash";
  fs::copy(dir, crash, fs::copy_options::recursive);
  EXPECT_EQ(recovered_names(crash), all);

  store->SyncAll();
  EXPECT_GT(power_cut.syncs(), syncs);
  const std::string cut = images + "/cut";
  power_cut.Image(cut);
  EXPECT_EQ(recovered_names(cut), all);
}

}  // namespace
}  // namespace jsengine::consumersvc
