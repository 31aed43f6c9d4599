// Drives AppendReactor through a loopback gRPC server whose reactors pause
// reading after a few queued results, with both sync policies.
#include "storesvc/append_reactor.h"

#include <memory>
#include <string>
#include <thread>

#include "common/grpc/grpc_server.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/store.grpc.pb.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

constexpr int kMaxQueued = 10;

class SmallQueueService final : public v1::StoreService::CallbackService {
 public:
  explicit SmallQueueService(Store* store) : store_(store) {}
  grpc::ServerBidiReactor<v1::AppendBatch, v1::AppendResultBatch>* Append(
      grpc::CallbackServerContext*) override {
    return new AppendReactor(store_, kMaxQueued);
  }

 private:
  Store* const store_;
};

class AppendReactorTest : public ::testing::TestWithParam<SyncPolicy> {
 protected:
  void SetUp() override {
    StoreOptions opts;
    opts.data_dir = testing::util::MakeTempDir("reactor-");
    opts.sync = GetParam();
    store_ = std::move(Store::Open(opts)).value();
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("P");
    ASSERT_TRUE(store_->CreateStream(create).ok());
    service_ = std::make_unique<SmallQueueService>(store_.get());
    auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::StoreService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  static v1::AppendBatch Batch(uint64_t first_id, int count) {
    v1::AppendBatch batch;
    for (int i = 0; i < count; ++i) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_id(first_id + i);
      r->set_stream("P");
      r->set_subject("P");
      r->set_data("x");
    }
    return batch;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<SmallQueueService> service_;
  std::unique_ptr<common::grpc::GrpcServer> server_;
  std::unique_ptr<v1::StoreService::Stub> stub_;
};

TEST_P(AppendReactorTest, ClientThatReadsLateGetsEveryResultInOrder) {
  constexpr int kBatches = 300;
  constexpr int kPerBatch = 100;
  grpc::ClientContext context;
  auto append = stub_->Append(&context);
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      if (!append->Write(Batch(uint64_t{1} * b * kPerBatch, kPerBatch))) return;
    }
    append->WritesDone();
  });
  absl::SleepFor(absl::Milliseconds(300));
  uint64_t next = 0;
  v1::AppendResultBatch results;
  while (append->Read(&results)) {
    for (const auto& r : results.results()) {
      ASSERT_EQ(r.id(), next) << r.error().description();
      ASSERT_EQ(r.seq(), next + 1);
      ++next;
    }
  }
  writer.join();
  EXPECT_TRUE(append->Finish().ok());
  EXPECT_EQ(next, uint64_t{kBatches} * kPerBatch);
}

TEST_P(AppendReactorTest, StreamsCancelledMidWayLeaveConsistentState) {
  for (int round = 0; round < 10; ++round) {
    grpc::ClientContext context;
    auto append = stub_->Append(&context);
    for (int b = 0; b < 20; ++b) {
      if (!append->Write(Batch(b * 100, 100))) break;
    }
    context.TryCancel();
    append->Finish();
  }
  grpc::ClientContext context;
  auto append = stub_->Append(&context);
  ASSERT_TRUE(append->Write(Batch(0, 1)));
  append->WritesDone();
  v1::AppendResultBatch results;
  ASSERT_TRUE(append->Read(&results));
  ASSERT_EQ(results.results_size(), 1);
  EXPECT_FALSE(results.results(0).has_error());
  EXPECT_TRUE(append->Finish().ok());
  v1::StreamInfoRequest request;
  request.set_name("P");
  // The client's Finish() does not wait for the server to see the cancel: a
  // cancelled stream's batches that were already read may still be stored
  // after the last append. What every instant must show is a stream without
  // holes that holds that append.
  auto info = store_->GetStreamInfo(request);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state().first_seq(), 1u);
  EXPECT_EQ(info->state().messages(), info->state().last_seq());
  EXPECT_GE(info->state().last_seq(), results.results(0).seq());
}

INSTANTIATE_TEST_SUITE_P(SyncPolicies, AppendReactorTest,
                         ::testing::Values(SyncPolicy::kInterval, SyncPolicy::kAlways),
                         [](const auto& info) {
                           return info.param == SyncPolicy::kAlways ? "Always" : "Interval";
                         });

}  // namespace
}  // namespace jsengine::storesvc
