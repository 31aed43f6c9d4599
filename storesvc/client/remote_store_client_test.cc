#include "storesvc/client/remote_store_client.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/grpc_status.h"
#include "common/status.h"
#include "gtest/gtest.h"

namespace jsengine::storesvc::client {
namespace {

// Numbers appends in arrival order, answering each batch with its results.
class NumberingStoreService final : public v1::StoreService::Service {
 public:
  grpc::Status Append(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::AppendResultBatch, v1::AppendBatch>* stream) override {
    v1::AppendBatch batch;
    while (stream->Read(&batch)) {
      v1::AppendResultBatch results;
      for (const v1::AppendRequest& request : batch.requests()) {
        v1::AppendResult* result = results.add_results();
        result->set_id(request.id());
        result->set_stream(request.stream());
        result->set_seq(++last_seq_);
      }
      stream->Write(results);
    }
    return grpc::Status::OK;
  }

  // One SNAPSHOT event numbered by how many watches were opened, then waits.
  grpc::Status WatchStreams(grpc::ServerContext* context, const v1::WatchStreamsRequest*,
                            grpc::ServerWriter<v1::StreamEvent>* writer) override {
    v1::StreamEvent event;
    event.set_kind(v1::StreamEvent::SNAPSHOT);
    event.set_name("WATCH" + std::to_string(++watches_));
    writer->Write(event);
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
    return grpc::Status::CANCELLED;
  }

  // One batch per message, seqs 1..max_messages; then, with tail, waits.
  grpc::Status Read(grpc::ServerContext* context, const v1::ReadRequest* request,
                    grpc::ServerWriter<v1::MessageBatch>* writer) override {
    for (uint64_t seq = 1; seq <= request->max_messages(); ++seq) {
      v1::MessageBatch batch;
      batch.add_messages()->set_seq(seq);
      if (!writer->Write(batch)) return grpc::Status::CANCELLED;
    }
    if (!request->tail()) return grpc::Status::OK;
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
    return grpc::Status::CANCELLED;
  }

  // Knows ORDERS; never answers for SLOW.
  grpc::Status GetStreamInfo(grpc::ServerContext* context, const v1::StreamInfoRequest* request,
                             v1::StreamInfo* info) override {
    if (request->name() == "SLOW") {
      while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
      return grpc::Status::CANCELLED;
    }
    if (request->name() != "ORDERS")
      return common::grpc::ToGrpcStatus(common::JsError(common::JsErrorId::kStreamNotFound));
    info->mutable_config()->set_name("ORDERS");
    info->mutable_state()->set_last_seq(last_seq_);
    return grpc::Status::OK;
  }

 private:
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<int> watches_{0};
};

v1::AppendBatch BatchOf(int count, uint64_t first_id) {
  v1::AppendBatch batch;
  for (int i = 0; i < count; ++i) {
    v1::AppendRequest* request = batch.add_requests();
    request->set_id(first_id + i);
    request->set_stream("ORDERS");
    request->set_subject("orders.new");
    request->set_data("x");
  }
  return batch;
}

TEST(RemoteStoreClientTest, ConcurrentAppendsGetTheirOwnResultsInOrder) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  RemoteStoreClient client("127.0.0.1:" + std::to_string((*server)->port()));

  constexpr int kThreads = 4;
  constexpr int kBatchesPerThread = 200;
  std::atomic<int> mismatches{0};
  std::atomic<int> results{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatchesPerThread; ++b) {
        int count = 1 + b % 3;
        uint64_t first_id = (uint64_t{1} << 32) * t + b * 10;
        client.Append(BatchOf(count, first_id), [&, count, first_id](v1::AppendResultBatch r) {
          if (r.results_size() != count) mismatches++;
          for (int i = 0; i < r.results_size(); ++i) {
            if (r.results(i).id() != first_id + i || r.results(i).has_error()) mismatches++;
          }
          results += r.results_size();
        });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  int expected = 0;
  for (int b = 0; b < kBatchesPerThread; ++b) expected += kThreads * (1 + b % 3);
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (results.load() < expected && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(results.load(), expected);
  EXPECT_EQ(mismatches.load(), 0);

  auto info = client.GetStreamInfo([] {
    v1::StreamInfoRequest request;
    request.set_name("ORDERS");
    return request;
  }());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state().last_seq(), static_cast<uint64_t>(expected));
}

TEST(RemoteStoreClientTest, KeepsJetStreamErrorCodes) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  RemoteStoreClient client("127.0.0.1:" + std::to_string((*server)->port()));
  v1::StreamInfoRequest request;
  request.set_name("MISSING");
  auto info = client.GetStreamInfo(request);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(common::ToErrorDetail(info.status()).err_code(), 10059);
}

TEST(RemoteStoreClientTest, UnansweredAdminCallsEndAtTheGivenDeadline) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  RemoteStoreClient client("127.0.0.1:" + std::to_string((*server)->port()),
                           std::chrono::milliseconds(200));
  v1::StreamInfoRequest request;
  request.set_name("SLOW");
  const absl::Time start = absl::Now();
  EXPECT_EQ(client.GetStreamInfo(request).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(RemoteStoreClientTest, FailsAppendsWhileTheStoreIsDownAndRecovers) {
  auto service = std::make_unique<NumberingStoreService>();
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {service.get()});
  ASSERT_TRUE(server.ok()) << server.status();
  int port = (*server)->port();
  std::string address = "127.0.0.1:" + std::to_string(port);
  RemoteStoreClient client(address);

  auto append_one = [&client] {
    absl::Notification done;
    v1::AppendResult result;
    client.Append(BatchOf(1, 7), [&](v1::AppendResultBatch batch) {
      result = batch.results(0);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    return result;
  };
  EXPECT_FALSE(append_one().has_error());

  (*server)->Shutdown();
  server->reset();
  v1::AppendResult failed = append_one();
  ASSERT_TRUE(failed.has_error());
  EXPECT_EQ(failed.error().code(), 503);

  auto restarted = common::grpc::GrpcServer::Start(address, {service.get()});
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  v1::AppendResult result = append_one();
  while (result.has_error() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    result = append_one();
  }
  EXPECT_FALSE(result.has_error()) << result.error().description();
}

TEST(RemoteStoreClientTest, WatchResumesAfterTheStoreRestarts) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  std::string address = "127.0.0.1:" + std::to_string((*server)->port());
  RemoteStoreClient client(address);

  absl::Mutex mu;
  std::vector<std::string> seen;
  auto watch = client.WatchStreams([&](const v1::StreamEvent& event) {
    absl::MutexLock lock(&mu);
    seen.push_back(event.name());
  });
  auto saw = [&](size_t n) {
    absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu);
        if (seen.size() >= n) return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  };
  ASSERT_TRUE(saw(1));

  (*server)->Shutdown();
  server->reset();
  auto restarted = common::grpc::GrpcServer::Start(address, {&service});
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  ASSERT_TRUE(saw(2));
  watch->Cancel();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen[0], "WATCH1");
  EXPECT_EQ(seen[1], "WATCH2");
}

}  // namespace
}  // namespace jsengine::storesvc::client

namespace jsengine::storesvc::client {
namespace {

// Collects what a Read subscription delivers.
struct ReadLog {
  absl::Mutex mu;
  std::vector<uint64_t> seqs;
  absl::Notification done;
  absl::Status status;
};

std::unique_ptr<Subscription> StartRead(RemoteStoreClient& client, ReadLog& log,
                                        uint64_t max_messages, bool tail, uint64_t stop_at = 0) {
  v1::ReadRequest request;
  request.set_stream("ORDERS");
  request.set_max_messages(max_messages);
  request.set_tail(tail);
  return client.Read(
      request,
      [&log, stop_at](const v1::MessageBatch& batch) {
        absl::MutexLock lock(&log.mu);
        for (const auto& m : batch.messages()) log.seqs.push_back(m.seq());
        return stop_at == 0 || log.seqs.back() < stop_at;
      },
      [&log](absl::Status status) {
        log.status = status;
        log.done.Notify();
      });
}

TEST(RemoteStoreClientTest, ReadDeliversRangeThenDone) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  RemoteStoreClient client("127.0.0.1:" + std::to_string((*server)->port()));

  ReadLog all;
  auto read_all = StartRead(client, all, 50, /*tail=*/false);
  ASSERT_TRUE(all.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_TRUE(all.status.ok()) << all.status;
  std::vector<uint64_t> expected;
  for (uint64_t seq = 1; seq <= 50; ++seq) expected.push_back(seq);
  EXPECT_EQ(all.seqs, expected);

  ReadLog stopped;
  auto read_some = StartRead(client, stopped, 50, /*tail=*/true, /*stop_at=*/7);
  ASSERT_TRUE(stopped.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_TRUE(stopped.status.ok()) << stopped.status;
  EXPECT_EQ(stopped.seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(RemoteStoreClientTest, CancelledTailCallsNothingMore) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  RemoteStoreClient client("127.0.0.1:" + std::to_string((*server)->port()));

  ReadLog tail;
  auto subscription = StartRead(client, tail, 3, /*tail=*/true);
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    absl::MutexLock lock(&tail.mu);
    if (tail.seqs.size() == 3) break;
    tail.mu.AwaitWithTimeout(
        absl::Condition(
            +[](std::vector<uint64_t>* s) { return s->size() == 3; }, &tail.seqs),
        absl::Milliseconds(10));
  }
  subscription->Cancel();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(tail.done.HasBeenNotified());
  absl::MutexLock lock(&tail.mu);
  EXPECT_EQ(tail.seqs, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(RemoteStoreClientTest, DestroyingTheClientEndsItsStreams) {
  NumberingStoreService service;
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  auto client =
      std::make_unique<RemoteStoreClient>("127.0.0.1:" + std::to_string((*server)->port()));
  ReadLog tail;
  auto subscription = StartRead(*client, tail, 1, /*tail=*/true);
  auto watch = client->WatchStreams([](const v1::StreamEvent&) {});
  absl::Notification appended;
  client->Append(BatchOf(1, 1), [&](v1::AppendResultBatch) { appended.Notify(); });
  ASSERT_TRUE(appended.WaitForNotificationWithTimeout(absl::Seconds(30)));
  client.reset();  // Returns although the tail and the watch never end by themselves.
  subscription.reset();
  watch.reset();
  EXPECT_FALSE(tail.done.HasBeenNotified());
}

}  // namespace
}  // namespace jsengine::storesvc::client
