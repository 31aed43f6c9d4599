// ConsumerSource behind the feed's cache: the read-ahead windows a consumer
// reading in order is served from, and when they are asked of the store.
#include "consumersvc/consumer_source.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/run_on_strand.h"
#include "common/strand.h"
#include "common/thread_pool.h"
#include "gtest/gtest.h"
#include "storesvc/client/forwarding_store_client.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

// Counts the store reads that are not the feed's tail.
class CountingStore : public storesvc::client::ForwardingStoreClient {
 public:
  using ForwardingStoreClient::ForwardingStoreClient;
  std::unique_ptr<storesvc::client::Subscription> Read(const v1::ReadRequest& request,
                                                       BatchCallback on_batch,
                                                       DoneCallback done) override {
    if (!request.tail()) {
      reads_.fetch_add(1);
      on_batch = [this, on_batch = std::move(on_batch)](v1::MessageBatch& batch) {
        batches_.fetch_add(1);
        const int size = batch.messages_size();
        int largest = largest_batch_.load();
        while (size > largest && !largest_batch_.compare_exchange_weak(largest, size)) {
        }
        return on_batch(batch);
      };
    }
    if (request.tail() && hold_tail_) on_batch = [](v1::MessageBatch&) { return true; };
    return ForwardingStoreClient::Read(request, std::move(on_batch), std::move(done));
  }
  int reads() const { return reads_.load(); }
  // Batches the reads that are not the tail brought, and the largest one.
  int batches() const { return batches_.load(); }
  int largest_batch() const { return largest_batch_.load(); }
  // Tails started from now on show nothing: a feed lagging behind the store.
  void HoldTail() { hold_tail_ = true; }

 private:
  std::atomic<int> reads_{0};
  std::atomic<int> batches_{0};
  std::atomic<int> largest_batch_{0};
  std::atomic<bool> hold_tail_{false};
};

class ConsumerSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storesvc::StoreOptions options;
    options.data_dir = testing::util::MakeTempDir("consumer_source-");
    auto store = storesvc::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    counting_ = std::make_unique<CountingStore>(store_.get());
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("S");
    create.mutable_config()->add_subjects("s.>");
    ASSERT_TRUE(store_->CreateStream(create).ok());
  }

  void TearDown() override {
    Run([this] {
      source_.reset();
      feed_.reset();
    });
    pool_.Shutdown();
  }

  // Stores `n` messages, every third on s.b, the others on s.a.
  void Publish(int n) {
    v1::AppendBatch batch;
    for (int i = 1; i <= n; ++i) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_stream("S");
      r->set_subject(i % 3 == 0 ? "s.b" : "s.a");
      r->set_data(absl::StrCat("m", i));
    }
    absl::Notification done;
    store_->Append(std::move(batch), [&](v1::AppendResultBatch) { done.Notify(); });
    done.WaitForNotification();
  }

  // A feed tailing the stream after `last_seq` (its cache: what comes
  // after, 4 messages at most), and a source over it for `filter`.
  // `on_fetched` (on the strand) replaces counting fetched_.
  void StartSource(uint64_t last_seq, SubjectFilter filter,
                   std::function<void()> on_fetched = nullptr) {
    if (on_fetched == nullptr) on_fetched = [this] { fetched_.fetch_add(1); };
    Run([&] {
      StreamFeed::Limits limits;
      limits.messages = 4;
      feed_ = std::make_shared<StreamFeed>(
          "S", counting_.get(), strand_, limits, [](const std::vector<StreamFeed::Message>&) {},
          [](absl::Status) {});
      feed_->Start(last_seq, /*max_age_ns=*/0);
      source_ = std::make_unique<ConsumerSource>(feed_, std::move(filter), std::move(on_fetched));
    });
  }

  void Run(const std::function<void()>& fn) { common::RunOnStrand(*strand_, fn); }

  // LoadNext(seq) on the strand, waiting out reads; the message's sequence
  // and data, or 0 at the end.
  std::pair<uint64_t, std::string> Next(uint64_t seq, const SubjectFilter& filter) {
    for (;;) {
      const int fetched = fetched_.load();
      std::pair<uint64_t, std::string> out{0, ""};
      bool fetching = false;
      Run([&] {
        MessageSource::Next next = source_->LoadNext(seq, filter);
        fetching = next.kind == MessageSource::Next::kFetching;
        if (next.kind == MessageSource::Next::kMessage) {
          out = {next.message->seq(), next.message->data()};
        }
      });
      if (!fetching) return out;
      while (fetched_.load() == fetched) absl::SleepFor(absl::Milliseconds(1));
    }
  }

  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<CountingStore> counting_;
  common::ThreadPool pool_{2};
  std::shared_ptr<common::Strand> strand_ = std::make_shared<common::Strand>(&pool_);
  std::shared_ptr<StreamFeed> feed_;
  std::unique_ptr<ConsumerSource> source_;
  std::atomic<int> fetched_{0};
};

TEST_F(ConsumerSourceTest, InOrderReadsAskForTheNextWindowBeforeTheyReachIt) {
  // The first window, then one as large as these small messages allow,
  // then the last 10.
  const int n = ConsumerSource::kFirstReadAhead + ConsumerSource::kMaxReadAhead + 10;
  Publish(n);
  StartSource(n, SubjectFilter());
  Publish(4);  // Through the feed's tail, into its cache.
  for (uint64_t seq = 1; seq <= static_cast<uint64_t>(n) + 4; ++seq) {
    const std::pair<uint64_t, std::string> got = Next(seq, SubjectFilter());
    ASSERT_EQ(got.first, seq);
    if (seq <= static_cast<uint64_t>(n)) {
      EXPECT_EQ(got.second, absl::StrCat("m", seq));
    }
    if (seq == ConsumerSource::kFirstReadAhead / 2 + 1) {
      // Half of the first window left: the second one is asked for.
      EXPECT_EQ(counting_->reads(), 2);
    }
  }
  EXPECT_EQ(counting_->reads(), 3);
  EXPECT_EQ(Next(n + 5, SubjectFilter()).first, 0u);
}

TEST_F(ConsumerSourceTest, TheStoreSendsAWindowInBatchesTheSourceServesAsTheyLand) {
  const int n = ConsumerSource::kFirstReadAhead + ConsumerSource::kMaxReadAhead + 10;
  Publish(n);
  StartSource(n, SubjectFilter());
  for (uint64_t seq = 1; seq <= static_cast<uint64_t>(n); ++seq) {
    const std::pair<uint64_t, std::string> got = Next(seq, SubjectFilter());
    ASSERT_EQ(got.first, seq);
    ASSERT_EQ(got.second, absl::StrCat("m", seq));
  }
  EXPECT_EQ(counting_->reads(), 3);
  EXPECT_EQ(counting_->largest_batch(), static_cast<int>(ConsumerSource::kReadAheadBatch));
  // The second window, of kMaxReadAhead messages, came in several batches.
  EXPECT_GE(counting_->batches(),
            static_cast<int>(ConsumerSource::kMaxReadAhead / ConsumerSource::kReadAheadBatch) + 2);
}

TEST_F(ConsumerSourceTest, LoadsAnywhereInTheWindowFindTheirMessage) {
  const int n = ConsumerSource::kFirstReadAhead;
  Publish(n);
  StartSource(n, SubjectFilter());
  Publish(4);
  ASSERT_EQ(Next(1, SubjectFilter()).first, 1u);
  EXPECT_EQ(Next(100, SubjectFilter()), std::make_pair(uint64_t{100}, std::string("m100")));
  EXPECT_EQ(Next(101, SubjectFilter()), std::make_pair(uint64_t{101}, std::string("m101")));
  EXPECT_EQ(Next(1, SubjectFilter()), std::make_pair(uint64_t{1}, std::string("m1")));
  Run([&] {
    MessageSource::Next got = source_->Load(50);
    ASSERT_EQ(got.kind, MessageSource::Next::kMessage);
    EXPECT_EQ(got.message->data(), "m50");
    // Moving past the window's start drops it; later loads still find theirs.
    EXPECT_EQ(source_->NumPending(60, SubjectFilter()), static_cast<uint64_t>(n + 4 - 59));
    got = source_->Load(70);
    ASSERT_EQ(got.kind, MessageSource::Next::kMessage);
    EXPECT_EQ(got.message->data(), "m70");
    got = source_->LoadNext(60, SubjectFilter());
    ASSERT_EQ(got.kind, MessageSource::Next::kMessage);
    EXPECT_EQ(got.message->seq(), 60u);
    source_->Erase(60);
    got = source_->LoadNext(60, SubjectFilter());
    ASSERT_EQ(got.kind, MessageSource::Next::kMessage);
    EXPECT_EQ(got.message->seq(), 61u);
  });
}

// As a Consumer does: woken by a read landing, it takes all it can on the
// strand at once. It must still ask for the next window half-way through.
TEST_F(ConsumerSourceTest, AConsumerRunByTheReadAsksForTheNextWindowOnTheWay) {
  const int n = 2 * ConsumerSource::kFirstReadAhead + 10;
  Publish(n);
  // Shared with the callback, which may run once more after the end.
  struct Progress {
    uint64_t next = 1;
    int reads_at_half = -1;
    std::atomic<bool> ended{false};
  };
  auto progress = std::make_shared<Progress>();
  auto drain = [this, progress] {
    for (;;) {
      MessageSource::Next got = source_->LoadNext(progress->next, SubjectFilter());
      if (got.kind == MessageSource::Next::kEnd) progress->ended = true;
      if (got.kind != MessageSource::Next::kMessage) return;
      ASSERT_EQ(got.message->seq(), progress->next);
      if (progress->next == ConsumerSource::kFirstReadAhead / 2 + 1) {
        progress->reads_at_half = counting_->reads();
      }
      ++progress->next;
    }
  };
  StartSource(n, SubjectFilter(), drain);
  Run(drain);
  for (int i = 0; i < 30000 && !progress->ended; ++i) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_TRUE(progress->ended);
  Run([&] {
    EXPECT_EQ(progress->next, static_cast<uint64_t>(n) + 1);
    EXPECT_EQ(progress->reads_at_half, 2);
  });
}

TEST_F(ConsumerSourceTest, FilteredReadsSkipWhatDoesNotMatch) {
  const int n = 2 * ConsumerSource::kFirstReadAhead * 3;
  Publish(n);
  const SubjectFilter only_b({"s.b"});
  StartSource(n, only_b);
  Publish(4);
  uint64_t seq = 1;
  for (int i = 1; 3 * i <= n; ++i) {
    const std::pair<uint64_t, std::string> got = Next(seq, only_b);
    ASSERT_EQ(got.first, static_cast<uint64_t>(3 * i));
    EXPECT_EQ(got.second, absl::StrCat("m", 3 * i));
    seq = got.first + 1;
  }
}

// Moving past messages the feed has not shown yet (its tail lags behind
// the store) counts them in the store, not in the feed's empty cache.
TEST_F(ConsumerSourceTest, PendingCountWhileTheFeedLags) {
  counting_->HoldTail();
  StartSource(0, SubjectFilter());
  Publish(6);
  Run([this] {
    EXPECT_EQ(source_->NumPending(1, SubjectFilter()), 6u);
    EXPECT_EQ(source_->NumPending(5, SubjectFilter()), 2u);
    EXPECT_EQ(source_->NumPending(7, SubjectFilter()), 0u);
  });
}

// A message loaded again while its read is in flight is there once the read
// lands (asking twice used to start the read over and drop what it brought,
// for ever).
TEST_F(ConsumerSourceTest, ARedeliveryLoadedTwiceWhileReadingLandsOnce) {
  Publish(10);
  StartSource(10, SubjectFilter());
  bool both_fetching = false;
  const int fetched = fetched_.load();
  Run([&] {
    both_fetching = source_->Load(3).kind == MessageSource::Next::kFetching &&
                    source_->Load(3).kind == MessageSource::Next::kFetching;
  });
  EXPECT_TRUE(both_fetching);
  while (fetched_.load() == fetched) absl::SleepFor(absl::Milliseconds(1));
  std::string data;
  Run([&] {
    MessageSource::Next next = source_->Load(3);
    if (next.kind == MessageSource::Next::kMessage) data = next.message->data();
  });
  EXPECT_EQ(data, "m3");
  EXPECT_EQ(counting_->reads(), 1);
}

// A read of a deleted stream is not asked again and again until the
// stream's tail ends and the consumer goes (it used to loop, logging each
// failure).
TEST_F(ConsumerSourceTest, AReadOfADeletedStreamIsNotRetried) {
  Publish(10);
  StartSource(10, SubjectFilter());
  v1::DeleteStreamRequest remove;
  remove.set_name("S");
  ASSERT_TRUE(store_->DeleteStream(remove).ok());
  const int fetched = fetched_.load();
  bool fetching = false;
  Run([&] {
    fetching = source_->LoadNext(1, SubjectFilter()).kind == MessageSource::Next::kFetching;
  });
  EXPECT_TRUE(fetching);
  while (counting_->reads() == 0) absl::SleepFor(absl::Milliseconds(1));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(counting_->reads(), 1);
  EXPECT_EQ(fetched_.load(), fetched);
}

}  // namespace
}  // namespace jsengine::consumersvc
