#include "storesvc/client/remote_append_stream.h"

#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/grpc/grpc_server.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

namespace jsengine::storesvc::client {
namespace {

// Answers each batch at once, or, with hold_replies, reads batches and never
// answers until the call is cancelled.
class AppendService final : public v1::StoreService::Service {
 public:
  explicit AppendService(bool hold_replies) : hold_replies_(hold_replies) {}

  grpc::Status Append(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::AppendResultBatch, v1::AppendBatch>* stream) override {
    v1::AppendBatch batch;
    while (stream->Read(&batch)) {
      if (hold_replies_) {
        batches_read_.Notify();
        while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
        return grpc::Status::CANCELLED;
      }
      v1::AppendResultBatch results;
      for (const v1::AppendRequest& request : batch.requests()) {
        results.add_results()->set_id(request.id());
      }
      stream->Write(results);
    }
    return grpc::Status::OK;
  }

  absl::Notification batches_read_;

 private:
  const bool hold_replies_;
};

class RemoteAppendStreamTest : public testing::Test {
 protected:
  void Serve(bool hold_replies) {
    service_ = std::make_unique<AppendService>(hold_replies);
    auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::StoreService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  // Appends one batch of `count`; `done` is notified with its results.
  bool AppendBatch(RemoteAppendStream& stream, int count, absl::Notification* done,
                   v1::AppendResultBatch* results) {
    v1::AppendBatch batch;
    for (int i = 0; i < count; ++i) batch.add_requests()->set_id(i + 1);
    StoreClient::AppendCallback callback = [done, results](v1::AppendResultBatch r) {
      *results = std::move(r);
      done->Notify();
    };
    return stream.Append(batch, callback);
  }

  std::unique_ptr<AppendService> service_;
  std::unique_ptr<common::grpc::GrpcServer> server_;
  std::unique_ptr<v1::StoreService::Stub> stub_;
};

// A count left above zero would have the pump spin on every wait for good.
void ExpectAwaitingBecomes(const common::grpc::CompletionPump& pump, int want) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (pump.awaiting_replies() != want && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(pump.awaiting_replies(), want);
}

TEST_F(RemoteAppendStreamTest, AwaitsRepliesOnlyWhileAppendsAreUnanswered) {
  Serve(/*hold_replies=*/false);
  common::grpc::CompletionPump pump;
  std::shared_ptr<RemoteAppendStream> stream = RemoteAppendStream::Open(stub_.get(), &pump);
  ASSERT_NE(stream, nullptr);
  for (int round = 0; round < 3; ++round) {
    absl::Notification first_done, second_done;
    v1::AppendResultBatch first, second;
    ASSERT_TRUE(AppendBatch(*stream, 2, &first_done, &first));
    ASSERT_TRUE(AppendBatch(*stream, 3, &second_done, &second));
    ASSERT_TRUE(first_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    ASSERT_TRUE(second_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    EXPECT_EQ(first.results_size(), 2);
    EXPECT_EQ(second.results_size(), 3);
    ExpectAwaitingBecomes(pump, 0);
  }
  stream->Cancel();
}

TEST_F(RemoteAppendStreamTest, StopsAwaitingWhenTheStreamBreaks) {
  Serve(/*hold_replies=*/true);
  common::grpc::CompletionPump pump;
  std::shared_ptr<RemoteAppendStream> stream = RemoteAppendStream::Open(stub_.get(), &pump);
  ASSERT_NE(stream, nullptr);
  absl::Notification done;
  v1::AppendResultBatch results;
  ASSERT_TRUE(AppendBatch(*stream, 4, &done, &results));
  ASSERT_TRUE(service_->batches_read_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(pump.awaiting_replies(), 1);
  EXPECT_FALSE(done.HasBeenNotified());

  stream->Cancel();
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_EQ(results.results_size(), 4);
  EXPECT_EQ(results.results(0).error().code(), 503);
  ExpectAwaitingBecomes(pump, 0);
  EXPECT_TRUE(stream->broken());
}

}  // namespace
}  // namespace jsengine::storesvc::client
