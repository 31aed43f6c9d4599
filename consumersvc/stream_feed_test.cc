// StreamFeed over a scripted tail: which messages it caches and how far it
// says the stream has been shown, batch by batch.
#include "consumersvc/stream_feed.h"

#include <functional>
#include <memory>
#include <vector>

#include "common/run_on_strand.h"
#include "common/strand.h"
#include "common/thread_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"

namespace jsengine::consumersvc {
namespace {

using ::testing::_;

class NoSubscription : public storesvc::client::Subscription {
 public:
  void Cancel() override {}
};

class StreamFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_CALL(store_, Read(_, _, _))
        .WillOnce([this](const v1::ReadRequest& request,
                         storesvc::client::StoreClient::BatchCallback on_batch,
                         storesvc::client::StoreClient::DoneCallback) {
          EXPECT_TRUE(request.tail());
          tail_ = std::move(on_batch);
          return std::make_unique<NoSubscription>();
        });
    Run([this] {
      feed_ = std::make_shared<StreamFeed>(
          "S", &store_, strand_, StreamFeed::Limits(),
          [this](const std::vector<StreamFeed::Message>& added) {
            for (const auto& m : added) appended_.push_back(m->seq());
          },
          [](absl::Status) {});
      feed_->Start(0, /*max_age_ns=*/0);
    });
  }

  void TearDown() override {
    Run([this] { feed_.reset(); });
    pool_.Shutdown();
  }

  void Run(const std::function<void()>& fn) { common::RunOnStrand(*strand_, fn); }

  // The tail brings messages `seqs`, the stream ending at `stream_last`
  // and the read having gone through `read_through`.
  void Tail(std::vector<uint64_t> seqs, uint64_t stream_last, uint64_t read_through) {
    v1::MessageBatch batch;
    batch.set_stream_first_seq(1);
    batch.set_stream_last_seq(stream_last);
    batch.set_read_through_seq(read_through);
    for (uint64_t seq : seqs) {
      v1::StoredMessage* m = batch.add_messages();
      m->set_seq(seq);
      m->set_subject("s");
    }
    tail_(batch);
    Run([] {});
  }

  storesvc::client::MockStoreClient store_;
  common::ThreadPool pool_{1};
  std::shared_ptr<common::Strand> strand_ = std::make_shared<common::Strand>(&pool_);
  storesvc::client::StoreClient::BatchCallback tail_;
  std::shared_ptr<StreamFeed> feed_;
  std::vector<uint64_t> appended_;
};

// The store cuts a tail's batch at max_batch, or in pieces that fit gRPC
// messages: the first piece must not count the rest as shown.
TEST_F(StreamFeedTest, BatchCutShortLeavesTheRestToTheNextBatches) {
  Tail({1, 2}, /*stream_last=*/5, /*read_through=*/2);
  Run([this] { EXPECT_EQ(feed_->last_seq(), 2u); });
  Tail({3, 4, 5}, 5, 5);
  EXPECT_EQ(appended_, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  Run([this] {
    EXPECT_EQ(feed_->last_seq(), 5u);
    for (uint64_t seq = 1; seq <= 5; ++seq) EXPECT_NE(feed_->Find(seq), nullptr) << seq;
  });
}

// Past the last message the tail brought (deleted ones at the end): shown.
TEST_F(StreamFeedTest, ReadThroughPastTheLastMessageCountsAsShown) {
  Tail({1, 2}, /*stream_last=*/4, /*read_through=*/4);
  bool ran = false;
  Run([&] {
    EXPECT_EQ(feed_->last_seq(), 4u);
    feed_->WhenCaughtUp(4, [&] { ran = true; });
  });
  EXPECT_TRUE(ran);
}

// A store from before read_through_seq: the stream's last sequence counts.
TEST_F(StreamFeedTest, OlderStoresWithoutReadThrough) {
  Tail({1, 2}, /*stream_last=*/3, /*read_through=*/0);
  Run([this] { EXPECT_EQ(feed_->last_seq(), 3u); });
}

}  // namespace
}  // namespace jsengine::consumersvc
