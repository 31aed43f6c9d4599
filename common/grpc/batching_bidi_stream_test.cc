#include "common/grpc/batching_bidi_stream.h"

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/grpc/completion_pump.h"
#include "common/grpc/grpc_server.h"
#include "grpcpp/alarm.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "proto/store.grpc.pb.h"

namespace jsengine::common::grpc {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(10);

// StoreService.Append as a test peer. kEcho answers each batch with the ids
// of its requests; kCountUp answers a batch whose first request has id n
// with n messages, ids 1..n; kEndAfterFirst ends the call after one batch;
// kHold reads one batch and waits for the call to be cancelled.
class PeerService final : public v1::StoreService::Service {
 public:
  enum Mode { kEcho, kCountUp, kEndAfterFirst, kHold };

  explicit PeerService(Mode mode) : mode_(mode) {}

  ::grpc::Status Append(
      ::grpc::ServerContext* context,
      ::grpc::ServerReaderWriter<v1::AppendResultBatch, v1::AppendBatch>* stream) override {
    v1::AppendBatch batch;
    while (stream->Read(&batch)) {
      std::vector<uint64_t> ids;
      for (const v1::AppendRequest& request : batch.requests()) ids.push_back(request.id());
      {
        absl::MutexLock lock(&mu_);
        batches_.push_back(ids);
      }
      switch (mode_) {
        case kEcho: {
          v1::AppendResultBatch results;
          for (uint64_t id : ids) results.add_results()->set_id(id);
          stream->Write(results);
          break;
        }
        case kCountUp:
          for (uint64_t id = 1; id <= ids.front(); ++id) {
            v1::AppendResultBatch results;
            results.add_results()->set_id(id);
            stream->Write(results);
          }
          break;
        case kEndAfterFirst:
          return ::grpc::Status(::grpc::StatusCode::RESOURCE_EXHAUSTED, "enough");
        case kHold:
          while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
          return ::grpc::Status::CANCELLED;
      }
    }
    return ::grpc::Status::OK;
  }

  // Waits until `n` batches were read; returns every batch read, as ids.
  std::vector<std::vector<uint64_t>> AwaitBatches(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    want_ = n;
    mu_.AwaitWithTimeout(absl::Condition(this, &PeerService::HasWantedLocked), kPatience);
    return batches_;
  }

 private:
  bool HasWantedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return batches_.size() >= want_;
  }

  const Mode mode_;
  absl::Mutex mu_;
  std::vector<std::vector<uint64_t>> batches_ ABSL_GUARDED_BY(mu_);
  size_t want_ ABSL_GUARDED_BY(mu_) = 0;
};

// What a stream delivered. Owned by the test, so it outlives the stream.
class Sink {
 public:
  void Add(const v1::AppendResultBatch& message) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    for (const v1::AppendResult& result : message.results()) ids_.push_back(result.id());
  }
  void End(const ::grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    ++ends_;
    status_ = status;
  }

  // Waits until `n` results arrived; returns the ids of all, in order.
  std::vector<uint64_t> AwaitIds(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    want_ = n;
    mu_.AwaitWithTimeout(absl::Condition(this, &Sink::HasWantedLocked), kPatience);
    return ids_;
  }
  // Waits until the stream ended; returns its status.
  ::grpc::Status AwaitEnd() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &Sink::EndedLocked), kPatience);
    return status_;
  }
  int ends() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return ends_;
  }

 private:
  bool HasWantedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return ids_.size() >= want_; }
  bool EndedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return ends_ > 0; }

  absl::Mutex mu_;
  std::vector<uint64_t> ids_ ABSL_GUARDED_BY(mu_);
  size_t want_ ABSL_GUARDED_BY(mu_) = 0;
  int ends_ ABSL_GUARDED_BY(mu_) = 0;
  ::grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

struct MergeRequests {
  static void Merge(v1::AppendBatch& later, v1::AppendBatch* queued) {
    MoveRepeated(later.mutable_requests(), queued->mutable_requests());
  }
};

// The stream under test: passes what it gets to a Sink.
class SinkStream final
    : public BatchingBidiStream<SinkStream, v1::AppendBatch, v1::AppendResultBatch, MergeRequests> {
 public:
  static std::shared_ptr<SinkStream> Open(v1::StoreService::Stub* stub, CompletionPump* pump,
                                          Sink* sink) {
    std::shared_ptr<SinkStream> stream(new SinkStream(pump, sink));
    if (!stream->Start([stub](::grpc::ClientContext* context, ::grpc::CompletionQueue* cq) {
          return stub->PrepareAsyncAppend(context, cq);
        })) {
      return nullptr;
    }
    return stream;
  }

 private:
  friend BatchingBidiStream;

  SinkStream(CompletionPump* pump, Sink* sink) : BatchingBidiStream(pump), sink_(sink) {}

  void OnMessage(v1::AppendResultBatch& message) { sink_->Add(message); }
  void OnEnd(const ::grpc::Status& status) { sink_->End(status); }

  Sink* const sink_;
};

// Occupies the pump thread in a handler from construction until Release(),
// so no completion is handled meanwhile. Must outlive the pump.
class PumpBlocker {
 public:
  explicit PumpBlocker(CompletionPump* pump) {
    alarm_.Set(pump->cq(), gpr_now(GPR_CLOCK_MONOTONIC), &tag_);
    entered_.WaitForNotification();
  }

  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
    left_.WaitForNotification();
  }

 private:
  absl::Notification entered_;
  absl::Notification release_;
  absl::Notification left_;
  CompletionPump::Tag tag_{[this](bool) {
    entered_.Notify();
    release_.WaitForNotification();
    left_.Notify();
  }};
  ::grpc::Alarm alarm_;
};

v1::AppendBatch BatchOf(uint64_t id) {
  v1::AppendBatch batch;
  batch.add_requests()->set_id(id);
  return batch;
}

class BatchingBidiStreamTest : public testing::Test {
 protected:
  ~BatchingBidiStreamTest() override {
    if (blocker_ != nullptr) blocker_->Release();
  }

  void Serve(PeerService::Mode mode) {
    service_ = std::make_unique<PeerService>(mode);
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::StoreService::NewStub(::grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), ::grpc::InsecureChannelCredentials()));
  }

  // Opens a stream and writes one batch: one request, `id`.
  std::shared_ptr<SinkStream> OpenWithOneWrite(uint64_t id) {
    auto stream = SinkStream::Open(stub_.get(), pump_.get(), &sink_);
    if (stream == nullptr) return nullptr;
    v1::AppendBatch batch = BatchOf(id);
    EXPECT_TRUE(stream->Write(batch));
    return stream;
  }

  // With kHold served: a stream whose one batch the server has read.
  std::shared_ptr<SinkStream> OpenHeld() {
    auto stream = OpenWithOneWrite(1);
    if (stream != nullptr) {
      EXPECT_EQ(service_->AwaitBatches(1).size(), 1u);
    }
    return stream;
  }

  // Each of `threads` threads writes `per_thread` one-request batches, ids
  // thread * 1000 + 1, + 2, ...
  static void WriteFromThreads(SinkStream& stream, int threads, int per_thread) {
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&stream, t, per_thread] {
        for (int i = 1; i <= per_thread; ++i) {
          v1::AppendBatch batch = BatchOf(t * 1000 + i);
          EXPECT_TRUE(stream.Write(batch));
        }
      });
    }
    for (std::thread& writer : writers) writer.join();
  }

  // Each thread's ids appear once each, in the order it wrote them.
  static void ExpectEveryWriteInThreadOrder(const std::vector<uint64_t>& ids, int threads,
                                            int per_thread) {
    ASSERT_EQ(ids.size(), static_cast<size_t>(threads * per_thread));
    std::vector<uint64_t> last(threads, 0);
    for (uint64_t id : ids) {
      const int t = id / 1000;
      ASSERT_LT(t, threads);
      EXPECT_EQ(id % 1000, last[t] + 1) << "thread " << t;
      last[t] = id % 1000;
    }
  }

  static std::vector<uint64_t> Flatten(const std::vector<std::vector<uint64_t>>& batches) {
    std::vector<uint64_t> ids;
    for (const auto& batch : batches) ids.insert(ids.end(), batch.begin(), batch.end());
    return ids;
  }

  std::unique_ptr<PeerService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::StoreService::Stub> stub_;
  Sink sink_;
  std::unique_ptr<PumpBlocker> blocker_;
  std::unique_ptr<CompletionPump> pump_ = std::make_unique<CompletionPump>();
};

TEST_F(BatchingBidiStreamTest, WritesFromManyThreadsAllArriveInEachThreadsOrder) {
  Serve(PeerService::kEcho);
  auto stream = SinkStream::Open(stub_.get(), pump_.get(), &sink_);
  ASSERT_NE(stream, nullptr);
  constexpr int kThreads = 4, kPerThread = 200;
  WriteFromThreads(*stream, kThreads, kPerThread);

  const std::vector<uint64_t> results = sink_.AwaitIds(kThreads * kPerThread);
  ExpectEveryWriteInThreadOrder(results, kThreads, kPerThread);
  EXPECT_EQ(results, Flatten(service_->AwaitBatches(0)));
  stream->Cancel();
  EXPECT_EQ(sink_.AwaitEnd().error_code(), ::grpc::StatusCode::CANCELLED);
}

TEST_F(BatchingBidiStreamTest, BatchesWrittenWhileAWriteIsInFlightAreMergedIntoOne) {
  Serve(PeerService::kEcho);
  constexpr int kThreads = 4, kPerThread = 10;
  // The call's start counts as a write in flight until the pump handles it.
  blocker_ = std::make_unique<PumpBlocker>(pump_.get());
  auto stream = SinkStream::Open(stub_.get(), pump_.get(), &sink_);
  ASSERT_NE(stream, nullptr);
  WriteFromThreads(*stream, kThreads, kPerThread);
  blocker_->Release();

  const std::vector<std::vector<uint64_t>> batches = service_->AwaitBatches(1);
  ASSERT_EQ(batches.size(), 1u);
  ExpectEveryWriteInThreadOrder(batches[0], kThreads, kPerThread);
  EXPECT_EQ(sink_.AwaitIds(kThreads * kPerThread), batches[0]);
  stream->Cancel();
}

TEST_F(BatchingBidiStreamTest, MessagesReachTheHandlerInOrder) {
  Serve(PeerService::kCountUp);
  auto stream = OpenWithOneWrite(300);
  ASSERT_NE(stream, nullptr);

  const std::vector<uint64_t> ids = sink_.AwaitIds(300);
  ASSERT_EQ(ids.size(), 300u);
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], i + 1);
  stream->Cancel();
}

TEST_F(BatchingBidiStreamTest, ACallTheServerEndsReportsItsStatusOnceAndRefusesWrites) {
  Serve(PeerService::kEndAfterFirst);
  auto stream = OpenWithOneWrite(1);
  ASSERT_NE(stream, nullptr);

  const ::grpc::Status status = sink_.AwaitEnd();
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(), "enough");
  EXPECT_TRUE(stream->broken());
  v1::AppendBatch later = BatchOf(2);
  bool taken = false;
  EXPECT_FALSE(stream->Write(later, [&] { taken = true; }));
  EXPECT_FALSE(taken);
  EXPECT_EQ(later.requests_size(), 1);

  pump_.reset();
  EXPECT_EQ(sink_.ends(), 1);
}

TEST_F(BatchingBidiStreamTest, CancelEndsTheStream) {
  Serve(PeerService::kHold);
  auto stream = OpenHeld();
  ASSERT_NE(stream, nullptr);

  stream->Cancel();
  EXPECT_EQ(sink_.AwaitEnd().error_code(), ::grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(stream->broken());
  v1::AppendBatch later = BatchOf(2);
  EXPECT_FALSE(stream->Write(later));
}

TEST_F(BatchingBidiStreamTest, KeepsItselfAliveUntilItsCallEnds) {
  Serve(PeerService::kEcho);
  std::weak_ptr<SinkStream> weak;
  {
    auto stream = OpenWithOneWrite(7);
    ASSERT_NE(stream, nullptr);
    weak = stream;
  }
  EXPECT_EQ(sink_.AwaitIds(1), std::vector<uint64_t>{7});
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(sink_.ends(), 0);

  pump_.reset();
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(sink_.ends(), 1);
}

TEST_F(BatchingBidiStreamTest, DestroyingThePumpEndsAnOpenStream) {
  Serve(PeerService::kHold);
  auto stream = OpenHeld();
  ASSERT_NE(stream, nullptr);

  pump_.reset();
  EXPECT_EQ(sink_.ends(), 1);
  EXPECT_EQ(sink_.AwaitEnd().error_code(), ::grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(stream->broken());
  EXPECT_EQ(stream.use_count(), 1);
}

}  // namespace
}  // namespace jsengine::common::grpc
