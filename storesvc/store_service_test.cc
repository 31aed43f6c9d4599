// Runs StoreServiceImpl on a loopback gRPC server and calls it through the
// generated stub.
#include "storesvc/store_service.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/grpc/grpc_status.h"
#include "common/status.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "storesvc/client/remote_store_client.h"
#include "testing/util/read_seqs.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

// Runs with both sync policies: with kInterval the store acknowledges on the
// Append handler's thread, with kAlways on its sync thread.
class StoreServiceTest : public ::testing::TestWithParam<SyncPolicy> {
 protected:
  void SetUp() override {
    StoreOptions opts;
    opts.data_dir = testing::util::MakeTempDir("svc-");
    opts.sync = GetParam();
    store_ = std::move(Store::Open(opts)).value();
    service_ = std::make_unique<StoreServiceImpl>(store_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    address_ = "127.0.0.1:" + std::to_string(port);
    stub_ = v1::StoreService::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    server_->Shutdown();
    server_.reset();
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::unique_ptr<v1::StoreService::Stub> stub_;
};

TEST_P(StoreServiceTest, AdminCallsAndErrors) {
  grpc::ClientContext ctx;
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("ORDERS");
  create.mutable_config()->add_subjects("orders.*");
  v1::StreamInfo info;
  ASSERT_TRUE(stub_->CreateStream(&ctx, create, &info).ok());
  EXPECT_EQ(info.config().duplicate_window_ns(), 120'000'000'000);

  grpc::ClientContext ctx2;
  v1::StreamInfoRequest req;
  req.set_name("MISSING");
  grpc::Status st = stub_->GetStreamInfo(&ctx2, req, &info);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ErrorDetail detail = common::ToErrorDetail(common::grpc::FromGrpcStatus(st));
  EXPECT_EQ(detail.code(), 404);
  EXPECT_EQ(detail.err_code(), 10059);

  grpc::ClientContext ctx3;
  v1::ListStreamsRequest list;
  v1::StreamNamesResponse names;
  ASSERT_TRUE(stub_->StreamNames(&ctx3, list, &names).ok());
  ASSERT_EQ(names.names_size(), 1);
  EXPECT_EQ(names.names(0), "ORDERS");
}

TEST_P(StoreServiceTest, PipelinedAppendThenReadAndWatch) {
  grpc::ClientContext cctx;
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("S");
  v1::StreamInfo info;
  ASSERT_TRUE(stub_->CreateStream(&cctx, create, &info).ok());

  grpc::ClientContext wctx;
  auto watch = stub_->WatchStreams(&wctx, v1::WatchStreamsRequest());
  v1::StreamEvent event;
  ASSERT_TRUE(watch->Read(&event));
  EXPECT_EQ(event.kind(), v1::StreamEvent::SNAPSHOT);
  EXPECT_EQ(event.name(), "S");
  ASSERT_TRUE(watch->Read(&event));
  EXPECT_EQ(event.kind(), v1::StreamEvent::SNAPSHOT_DONE);

  grpc::ClientContext actx;
  auto append = stub_->Append(&actx);
  constexpr int kBatches = 20;
  for (int b = 0; b < kBatches; ++b) {
    v1::AppendBatch batch;
    for (int i = 0; i < 5; ++i) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_id(b * 5 + i);
      r->set_stream(b == 3 && i == 0 ? "NOPE" : "S");
      r->set_subject("S");
      r->set_data("payload");
    }
    ASSERT_TRUE(append->Write(batch));
  }
  append->WritesDone();
  uint64_t next_id = 0;
  uint64_t next_seq = 1;
  v1::AppendResultBatch results;
  while (append->Read(&results)) {
    for (const auto& r : results.results()) {
      EXPECT_EQ(r.id(), next_id++);
      if (r.id() == 15) {
        EXPECT_EQ(r.error().err_code(), 10059);
        continue;
      }
      EXPECT_EQ(r.seq(), next_seq++);
    }
  }
  EXPECT_TRUE(append->Finish().ok());
  EXPECT_EQ(next_id, kBatches * 5u);

  grpc::ClientContext rctx;
  v1::ReadRequest read;
  read.set_stream("S");
  read.set_start_seq(90);
  auto reader = stub_->Read(&rctx, read);
  v1::MessageBatch batch;
  std::vector<uint64_t> seqs;
  while (reader->Read(&batch)) {
    for (const auto& m : batch.messages()) seqs.push_back(m.seq());
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{90, 91, 92, 93, 94, 95, 96, 97, 98, 99}));

  grpc::ClientContext dctx;
  v1::DeleteStreamRequest del;
  del.set_name("S");
  v1::DeleteStreamResponse dresp;
  ASSERT_TRUE(stub_->DeleteStream(&dctx, del, &dresp).ok());
  ASSERT_TRUE(watch->Read(&event));
  EXPECT_EQ(event.kind(), v1::StreamEvent::DELETED);
  wctx.TryCancel();
  while (watch->Read(&event)) {
  }
  watch->Finish();
}

TEST_P(StoreServiceTest, TailEndsWhenClientCancels) {
  grpc::ClientContext cctx;
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("T");
  v1::StreamInfo info;
  ASSERT_TRUE(stub_->CreateStream(&cctx, create, &info).ok());
  grpc::ClientContext rctx;
  v1::ReadRequest read;
  read.set_stream("T");
  read.set_tail(true);
  auto reader = stub_->Read(&rctx, read);
  absl::Notification appended;
  v1::AppendBatch batch;
  v1::AppendRequest* r = batch.add_requests();
  r->set_stream("T");
  r->set_subject("T");
  r->set_data("live");
  store_->Append(batch, [&](v1::AppendResultBatch) { appended.Notify(); });
  v1::MessageBatch got;
  ASSERT_TRUE(reader->Read(&got));
  ASSERT_EQ(got.messages_size(), 1);
  EXPECT_EQ(got.messages(0).data(), "live");
  rctx.TryCancel();
  while (reader->Read(&got)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  appended.WaitForNotification();
}

// What a consumer asks of a remote store: RemoteStoreClient, the gRPC
// service, the Store.
TEST_P(StoreServiceTest, FilteredStateAndReadsThroughTheRemoteClient) {
  client::RemoteStoreClient remote(address_);
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("C");
  create.mutable_config()->add_subjects("c.>");
  ASSERT_TRUE(remote.CreateStream(create).ok());
  v1::AppendBatch batch;
  for (const char* subject : {"c.a", "c.b", "c.x.1", "c.a", "c.x.2", "c.b"}) {
    v1::AppendRequest* r = batch.add_requests();
    r->set_stream("C");
    r->set_subject(subject);
    r->set_data("x");
  }
  absl::Notification appended;
  remote.Append(batch, [&](v1::AppendResultBatch) { appended.Notify(); });
  appended.WaitForNotification();

  v1::FilteredStateRequest fs;
  fs.set_stream("C");
  fs.add_filter_subjects("c.a");
  fs.add_filter_subjects("c.x.*");
  fs.set_start_seq(2);
  fs.set_last_per_subject(true);
  auto state = remote.FilteredState(fs);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->messages(), 3u);
  EXPECT_EQ(state->first_seq(), 3u);
  EXPECT_EQ(state->last_seq(), 5u);
  EXPECT_EQ(state->stream_first_seq(), 1u);
  EXPECT_EQ(state->stream_last_seq(), 6u);
  EXPECT_EQ(state->start_seq(), 2u);
  EXPECT_EQ(
      std::vector<uint64_t>(state->last_per_subject().begin(), state->last_per_subject().end()),
      (std::vector<uint64_t>{3, 4, 5}));
  fs.set_stream("NOPE");
  EXPECT_EQ(common::ToErrorDetail(remote.FilteredState(fs).status()).err_code(), 10059);

  auto read = [&remote](const v1::ReadRequest& request) {
    auto seqs = testing::util::ReadSeqs(&remote, request);
    EXPECT_TRUE(seqs.ok()) << seqs.status();
    return seqs.value_or(std::vector<uint64_t>{});
  };
  v1::ReadRequest filtered;
  filtered.set_stream("C");
  filtered.set_filter_subject("c.b");
  filtered.add_filter_subjects("c.x.>");
  EXPECT_EQ(read(filtered), (std::vector<uint64_t>{2, 3, 5, 6}));
  v1::ReadRequest by_seq;
  by_seq.set_stream("C");
  for (uint64_t seq : {6, 1, 42, 4}) by_seq.add_seqs(seq);
  by_seq.set_tail(true);
  EXPECT_EQ(read(by_seq), (std::vector<uint64_t>{6, 1, 4}));
}

// 40 messages of 256 KiB are one 10 MiB batch in the store; a reader with
// gRPC's default 4 MiB receive limit gets them all (object-store chunks).
TEST_P(StoreServiceTest, ReadOfLargeMessagesFitsDefaultReceiveLimit) {
  client::RemoteStoreClient remote(address_);
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("BIG");
  create.mutable_config()->add_subjects("big");
  ASSERT_TRUE(remote.CreateStream(create).ok());
  for (int b = 0; b < 5; ++b) {
    v1::AppendBatch batch;
    for (int i = 0; i < 8; ++i) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_stream("BIG");
      r->set_subject("big");
      r->set_data(std::string(256 << 10, 'a' + b));
    }
    absl::Notification appended;
    remote.Append(batch, [&](v1::AppendResultBatch) { appended.Notify(); });
    appended.WaitForNotification();
  }

  grpc::ClientContext ctx;
  v1::ReadRequest read;
  read.set_stream("BIG");
  auto reader = stub_->Read(&ctx, read);
  v1::MessageBatch batch;
  std::vector<uint64_t> seqs;
  while (reader->Read(&batch)) {
    for (const auto& m : batch.messages()) seqs.push_back(m.seq());
  }
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(seqs.size(), 40u);
  auto remote_seqs = testing::util::ReadSeqs(&remote, read);
  ASSERT_TRUE(remote_seqs.ok()) << remote_seqs.status();
  EXPECT_EQ(remote_seqs->size(), 40u);
}

TEST_P(StoreServiceTest, RetentionCallsThroughTheRemoteClient) {
  client::RemoteStoreClient remote(address_);
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("I");
  create.mutable_config()->add_subjects("i.>");
  create.mutable_config()->set_retention(v1::RETENTION_INTEREST);
  ASSERT_TRUE(remote.CreateStream(create).ok());
  v1::SetConsumerFiltersRequest set;
  set.set_stream("I");
  set.add_filters(">");
  auto range = remote.SetConsumerFilters(set);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->last_seq(), 0u);
  v1::AppendBatch batch;
  for (int i = 0; i < 3; ++i) {
    v1::AppendRequest* r = batch.add_requests();
    r->set_stream("I");
    r->set_subject("i.x");
  }
  absl::Notification appended;
  remote.Append(batch, [&](v1::AppendResultBatch) { appended.Notify(); });
  appended.WaitForNotification();

  v1::RemoveMessagesRequest remove;
  remove.set_stream("I");
  v1::Removal* r = remove.add_removals();
  r->set_first_seq(1);
  r->set_last_seq(2);
  absl::Notification removed;
  absl::StatusOr<v1::RemoveMessagesResponse> got;
  remote.RemoveMessages(remove, [&](absl::StatusOr<v1::RemoveMessagesResponse> response) {
    got = std::move(response);
    removed.Notify();
  });
  removed.WaitForNotification();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->removed(), 2u);
  v1::StreamInfoRequest info;
  info.set_name("I");
  EXPECT_EQ(remote.GetStreamInfo(info)->state().messages(), 1u);

  remove.set_stream("NOPE");
  absl::Notification failed;
  remote.RemoveMessages(remove, [&](absl::StatusOr<v1::RemoveMessagesResponse> response) {
    got = std::move(response);
    failed.Notify();
  });
  failed.WaitForNotification();
  EXPECT_EQ(common::ToErrorDetail(got.status()).err_code(), 10059);
}

INSTANTIATE_TEST_SUITE_P(SyncPolicies, StoreServiceTest,
                         ::testing::Values(SyncPolicy::kInterval, SyncPolicy::kAlways),
                         [](const ::testing::TestParamInfo<SyncPolicy>& info) {
                           return info.param == SyncPolicy::kAlways ? "Always" : "Interval";
                         });

}  // namespace
}  // namespace jsengine::storesvc
