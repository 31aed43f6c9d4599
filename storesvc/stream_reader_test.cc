#include "storesvc/stream_reader.h"

#include <dirent.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/status.h"
#include "common/thread_pool.h"
#include "gtest/gtest.h"
#include "storesvc/memory_store.h"
#include "storesvc/stream_config.h"

namespace jsengine::storesvc {
namespace {

int ThreadCount() {
  int n = 0;
  DIR* dir = opendir("/proc/self/task");
  while (dirent* e = readdir(dir)) n += e->d_name[0] != '.';
  closedir(dir);
  return n;
}

class StreamReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::StreamConfig cfg;
    cfg.set_name("S");
    cfg.add_subjects("s.>");
    stream_ = std::make_shared<Stream>(*CheckStreamConfig(cfg), 1, std::make_unique<MemoryStore>());
  }
  void TearDown() override { pool_->Shutdown(); }

  // Appends `n` messages on `subject` as one flushed batch.
  void Publish(int n, const std::string& subject = "s.a") {
    for (int i = 0; i < n; ++i) {
      v1::AppendRequest req;
      req.set_subject(subject);
      req.set_data("x");
      v1::AppendResult result;
      stream_->Append(req, 1000, &result);
      ASSERT_FALSE(result.has_error());
    }
    ASSERT_TRUE(stream_->Flush().ok());
  }

  std::unique_ptr<client::Subscription> Start(const v1::ReadRequest& request,
                                              client::StoreClient::BatchCallback on_batch,
                                              client::StoreClient::DoneCallback done) {
    return StreamReader::Start(pool_, std::make_unique<ReadCursor>(stream_, request),
                               std::move(on_batch), std::move(done));
  }

  std::shared_ptr<common::ThreadPool> pool_ = std::make_shared<common::ThreadPool>(2);
  std::shared_ptr<Stream> stream_;
};

// A batch cut at max_batch has been read through its last message; the
// one that reached the end, through the stream's last sequence.
TEST_F(StreamReaderTest, BatchesSayHowFarTheReadWent) {
  Publish(10, "s.a");
  Publish(10, "s.b");
  v1::ReadRequest request;
  request.set_filter_subject("s.a");
  request.set_max_batch(4);
  std::vector<uint64_t> read_through;
  absl::Notification done;
  auto sub = Start(
      request,
      [&](const v1::MessageBatch& batch) {
        EXPECT_EQ(batch.stream_last_seq(), 20u);
        read_through.push_back(batch.read_through_seq());
        return true;
      },
      [&](absl::Status) { done.Notify(); });
  done.WaitForNotification();
  EXPECT_EQ(read_through, (std::vector<uint64_t>{4, 8, 20}));
}

TEST_F(StreamReaderTest, RangeReadDeliversInBatchesThenDone) {
  Publish(10, "s.a");
  Publish(10, "s.b");
  v1::ReadRequest request;
  request.set_start_seq(3);
  request.set_filter_subject("s.b");
  request.set_max_batch(3);
  request.set_max_messages(5);
  std::vector<uint64_t> got;
  absl::Notification done;
  absl::Status status = absl::UnknownError("not done");
  auto sub = Start(
      request,
      [&](const v1::MessageBatch& batch) {
        EXPECT_LE(batch.messages_size(), 3);
        EXPECT_EQ(batch.stream_last_seq(), 20u);
        for (const auto& m : batch.messages()) got.push_back(m.seq());
        return true;
      },
      [&](absl::Status st) {
        status = st;
        done.Notify();
      });
  done.WaitForNotification();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(got, (std::vector<uint64_t>{11, 12, 13, 14, 15}));
}

TEST_F(StreamReaderTest, AThousandWaitingTailsHoldNoThreadsAndAllGetTheNextAppend) {
  constexpr int kTails = 1000;
  const int threads_before = ThreadCount();
  std::atomic<int> delivered{0};
  std::vector<std::unique_ptr<client::Subscription>> tails;
  for (int i = 0; i < kTails; ++i) {
    v1::ReadRequest request;
    request.set_start_seq(1);
    request.set_tail(true);
    tails.push_back(Start(
        request,
        [&](const v1::MessageBatch& batch) {
          delivered.fetch_add(batch.messages_size());
          return true;
        },
        [](absl::Status st) { ADD_FAILURE() << "tail ended: " << st; }));
  }
  while (stream_->appends().waiting() < static_cast<size_t>(kTails)) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(ThreadCount(), threads_before);
  Publish(1);
  while (delivered.load() < kTails) absl::SleepFor(absl::Milliseconds(1));
  Publish(2);
  while (delivered.load() < 3 * kTails) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(ThreadCount(), threads_before);
  tails.clear();
  EXPECT_EQ(stream_->appends().waiting(), 0u);
  EXPECT_EQ(delivered.load(), 3 * kTails);
}

TEST_F(StreamReaderTest, ATailSeesEveryMessageOnceInOrder) {
  Publish(5);
  absl::Mutex mu;
  std::vector<uint64_t> got;
  v1::ReadRequest request;
  request.set_start_seq(1);
  request.set_tail(true);
  request.set_max_batch(7);
  auto sub = Start(
      request,
      [&](const v1::MessageBatch& batch) {
        absl::MutexLock lock(&mu);
        for (const auto& m : batch.messages()) got.push_back(m.seq());
        return true;
      },
      nullptr);
  size_t total = 5;
  for (int i = 0; i < 50; ++i) {
    Publish(1 + i % 4);
    total += 1 + i % 4;
  }
  absl::MutexLock lock(&mu);
  auto all = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return got.size() >= total; };
  mu.Await(absl::Condition(&all));
  ASSERT_EQ(got.size(), total);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], i + 1);
}

// max_age removes messages without an append: a caught-up tail hands over an
// empty batch whose stream_first_seq says so.
TEST_F(StreamReaderTest, ACaughtUpTailReportsMessagesMaxAgeRemoved) {
  v1::StreamConfig cfg;
  cfg.set_name("S");
  cfg.add_subjects("s.>");
  cfg.set_max_age_ns(1'000'000'000);
  stream_ = std::make_shared<Stream>(*CheckStreamConfig(cfg), 1, std::make_unique<MemoryStore>());
  Publish(3);
  absl::Mutex mu;
  std::vector<std::string> got;
  v1::ReadRequest request;
  request.set_start_seq(1);
  request.set_tail(true);
  auto sub = Start(
      request,
      [&](const v1::MessageBatch& batch) {
        absl::MutexLock lock(&mu);
        got.push_back(absl::StrCat(batch.messages_size(), " from ", batch.stream_first_seq()));
        return true;
      },
      nullptr);
  {
    absl::MutexLock lock(&mu);
    auto read = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !got.empty(); };
    mu.Await(absl::Condition(&read));
    EXPECT_EQ(got, std::vector<std::string>{"3 from 1"});
  }
  ASSERT_TRUE(stream_->ExpireAged(1000 + 2'000'000'000).ok());
  absl::MutexLock lock(&mu);
  auto told = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return got.size() >= 2; };
  mu.Await(absl::Condition(&told));
  EXPECT_EQ(got, (std::vector<std::string>{"3 from 1", "0 from 4"}));
}

TEST_F(StreamReaderTest, NothingRunsAfterCancelEvenFromACallback) {
  Publish(3);
  std::atomic<int> batches{0};
  std::atomic<bool> done_ran{false};
  std::unique_ptr<client::Subscription> sub;
  absl::Notification first;
  v1::ReadRequest request;
  request.set_start_seq(1);
  request.set_tail(true);
  request.set_max_batch(1);
  absl::Mutex sub_mu;
  {
    absl::MutexLock lock(&sub_mu);
    sub = Start(
        request,
        [&](const v1::MessageBatch&) {
          batches.fetch_add(1);
          absl::MutexLock lock(&sub_mu);
          sub->Cancel();
          first.Notify();
          return true;
        },
        [&](absl::Status) { done_ran = true; });
  }
  first.WaitForNotification();
  Publish(3);
  sub.reset();
  EXPECT_EQ(batches.load(), 1);
  EXPECT_FALSE(done_ran.load());
  EXPECT_EQ(stream_->appends().waiting(), 0u);
}

TEST_F(StreamReaderTest, ClosingTheStreamEndsTailsWithStreamNotFound) {
  v1::ReadRequest request;
  request.set_tail(true);
  absl::Notification done;
  absl::Status status;
  auto sub = Start(
      request, [](const v1::MessageBatch&) { return true; },
      [&](absl::Status st) {
        status = st;
        done.Notify();
      });
  while (stream_->appends().waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_TRUE(stream_->Close().ok());
  done.WaitForNotification();
  EXPECT_EQ(common::ToErrorDetail(status).err_code(), 10059);
}

TEST_F(StreamReaderTest, ReturningFalseStopsTheReadWithOk) {
  Publish(10);
  v1::ReadRequest request;
  request.set_start_seq(1);
  request.set_max_batch(2);
  request.set_tail(true);
  int batches = 0;
  absl::Notification done;
  absl::Status status = absl::UnknownError("not done");
  auto sub = Start(
      request, [&](const v1::MessageBatch&) { return ++batches < 2; },
      [&](absl::Status st) {
        status = st;
        done.Notify();
      });
  done.WaitForNotification();
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(batches, 2);
}

TEST_F(StreamReaderTest, AShutDownPoolEndsReadsSilently) {
  pool_->Shutdown();
  Publish(2);
  bool called = false;
  v1::ReadRequest request;
  request.set_start_seq(1);
  auto sub = Start(
      request,
      [&](const v1::MessageBatch&) {
        called = true;
        return true;
      },
      [&](absl::Status) { called = true; });
  sub->Cancel();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace jsengine::storesvc
