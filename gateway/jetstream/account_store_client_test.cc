#include "gateway/jetstream/account_store_client.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/append_sync.h"
#include "testing/util/temp_dir.h"

namespace jsengine::gateway::jetstream {
namespace {

int ErrCode(const absl::Status& status) { return common::ToErrorDetail(status).err_code(); }

v1::CreateStreamRequest Create(const std::string& name, const std::string& subject,
                               int64_t max_bytes = 0, v1::StorageType storage = v1::STORAGE_FILE) {
  v1::CreateStreamRequest request;
  request.mutable_config()->set_name(name);
  request.mutable_config()->add_subjects(subject);
  request.mutable_config()->set_max_bytes(max_bytes);
  request.mutable_config()->set_storage(storage);
  return request;
}

class AccountStoreClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storesvc::StoreOptions options;
    options.data_dir = testing::util::MakeTempDir("account_store_client-");
    store_ = std::move(storesvc::Store::Open(options)).value();
  }

  std::unique_ptr<AccountStoreClient> Account(const std::string& name,
                                              core::JetStreamLimits limits = {}) {
    return std::make_unique<AccountStoreClient>(store_.get(), JsAccountScope(name),
                                                std::make_shared<AccountLimits>(limits));
  }

  std::unique_ptr<storesvc::Store> store_;
};

TEST_F(AccountStoreClientTest, SameNameInTwoAccountsIsTwoStreams) {
  auto a = Account("A");
  auto b = Account("B");
  absl::StatusOr<v1::StreamInfo> created = a->CreateStream(Create("ORDERS", "orders.>"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->config().name(), "ORDERS");
  EXPECT_EQ(created->config().account(), "");
  ASSERT_TRUE(b->CreateStream(Create("ORDERS", "orders.>")).ok());

  v1::AppendBatch batch;
  v1::AppendRequest* append = batch.add_requests();
  append->set_stream("ORDERS");
  append->set_subject("orders.1");
  append->set_data("x");
  v1::AppendResultBatch results = testing::util::AppendSync(a.get(), std::move(batch));
  ASSERT_EQ(results.results_size(), 1);
  EXPECT_EQ(results.results(0).stream(), "ORDERS");
  EXPECT_EQ(results.results(0).seq(), 1u);

  v1::StreamInfoRequest info;
  info.set_name("ORDERS");
  EXPECT_EQ(a->GetStreamInfo(info)->state().messages(), 1u);
  EXPECT_EQ(b->GetStreamInfo(info)->state().messages(), 0u);

  absl::StatusOr<v1::StreamNamesResponse> names = a->StreamNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->total(), 1);
  ASSERT_EQ(names->names_size(), 1);
  EXPECT_EQ(names->names(0), "ORDERS");
  // The store itself holds both, qualified.
  absl::StatusOr<v1::StreamNamesResponse> all = store_->StreamNames({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total(), 2);

  v1::DeleteStreamRequest del;
  del.set_name("ORDERS");
  ASSERT_TRUE(a->DeleteStream(del).ok());
  EXPECT_EQ(ErrCode(a->GetStreamInfo(info).status()), 10059);
  EXPECT_TRUE(b->GetStreamInfo(info).ok());
}

TEST_F(AccountStoreClientTest, StreamWithoutSubjectsListensOnItsOwnName) {
  auto a = Account("A");
  v1::CreateStreamRequest create = Create("ORDERS", "orders.>");
  create.mutable_config()->clear_subjects();
  absl::StatusOr<v1::StreamInfo> created = a->CreateStream(create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(std::vector<std::string>(created->config().subjects().begin(),
                                     created->config().subjects().end()),
            std::vector<std::string>{"ORDERS"});

  v1::UpdateStreamRequest update;
  *update.mutable_config() = Create("ORDERS", "orders.>").config();
  update.mutable_config()->clear_subjects();
  update.mutable_config()->set_max_msgs(100);
  absl::StatusOr<v1::StreamInfo> updated = a->UpdateStream(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(std::vector<std::string>(updated->config().subjects().begin(),
                                     updated->config().subjects().end()),
            std::vector<std::string>{"ORDERS"});
}

TEST_F(AccountStoreClientTest, ListPagesOverTheAccountsStreamsOnly) {
  auto a = Account("A");
  auto b = Account("B");
  for (const char* name : {"S1", "S2", "S3"}) {
    ASSERT_TRUE(a->CreateStream(Create(name, std::string(name) + ".>")).ok());
  }
  ASSERT_TRUE(b->CreateStream(Create("OTHER", "other")).ok());
  v1::ListStreamsRequest page;
  page.set_offset(1);
  page.set_limit(1);
  absl::StatusOr<v1::ListStreamsResponse> list = a->ListStreams(page);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total(), 3);
  ASSERT_EQ(list->streams_size(), 1);
  EXPECT_EQ(list->streams(0).config().name(), "S2");
}

TEST_F(AccountStoreClientTest, WatchShowsTheAccountsStreamsUnderItsNames) {
  auto a = Account("A");
  auto b = Account("B");
  ASSERT_TRUE(b->CreateStream(Create("THEIRS", "theirs")).ok());
  std::vector<std::string> seen;
  absl::Mutex mu;
  auto watch = a->WatchStreams([&](const v1::StreamEvent& event) {
    absl::MutexLock lock(&mu);
    seen.push_back(event.name());
  });
  ASSERT_TRUE(a->CreateStream(Create("MINE", "mine")).ok());
  absl::MutexLock lock(&mu);
  auto created = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return !seen.empty() && seen.back() == "MINE";
  };
  EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&created), absl::Seconds(30)));
  for (const std::string& name : seen) EXPECT_NE(name, "THEIRS");
  watch->Cancel();
}

TEST_F(AccountStoreClientTest, LimitsWithNatsServerErrors) {
  core::JetStreamLimits limits;
  limits.max_streams = 2;
  limits.max_consumers = 3;
  limits.max_memory = 0;
  limits.max_storage = 1000;
  auto a = Account("A", limits);
  EXPECT_EQ(ErrCode(a->CreateStream(Create("M", "m", 0, v1::STORAGE_MEMORY)).status()), 10028);
  EXPECT_EQ(ErrCode(a->CreateStream(Create("BIG", "big", 1001)).status()), 10047);
  v1::CreateStreamRequest many = Create("MANY", "many");
  many.mutable_config()->set_max_consumers(4);
  EXPECT_EQ(ErrCode(a->CreateStream(many).status()), 10026);
  ASSERT_TRUE(a->CreateStream(Create("S1", "s1", 600)).ok());
  // 600 of 1000 bytes reserved.
  EXPECT_EQ(ErrCode(a->CreateStream(Create("S2", "s2", 500)).status()), 10047);
  ASSERT_TRUE(a->CreateStream(Create("S2", "s2", 400)).ok());
  EXPECT_TRUE(a->CreateStream(Create("S2", "s2", 400)).ok()) << "an existing stream is no new one";
  EXPECT_EQ(ErrCode(a->CreateStream(Create("S3", "s3", 1)).status()), 10027);
  v1::UpdateStreamRequest grow;
  *grow.mutable_config() = a->CreateStream(Create("S2", "s2", 400))->config();
  grow.mutable_config()->set_max_bytes(401);
  EXPECT_EQ(ErrCode(a->UpdateStream(grow).status()), 10047);

  core::JetStreamLimits required;
  required.max_bytes_required = true;
  required.storage_max_stream_bytes = 100;
  auto c = Account("C", required);
  EXPECT_EQ(ErrCode(c->CreateStream(Create("S", "s")).status()), 10113);
  EXPECT_EQ(ErrCode(c->CreateStream(Create("S", "s", 101)).status()), 10122);
  EXPECT_TRUE(c->CreateStream(Create("S", "s", 100)).ok());
}

TEST_F(AccountStoreClientTest, PublishesBeyondTheAccountsStorageAreRefusedInOrder) {
  core::JetStreamLimits limits;
  limits.max_storage = 200;
  auto a = Account("A", limits);
  ASSERT_TRUE(a->CreateStream(Create("S", "s.>")).ok());
  v1::AppendBatch batch;
  // Each takes 22 + 3 + 50 + 8 = 83 bytes as nats-server counts them.
  for (uint64_t id = 1; id <= 3; ++id) {
    v1::AppendRequest* append = batch.add_requests();
    append->set_id(id);
    append->set_stream("S");
    append->set_subject("s.x");
    append->set_data(std::string(50, 'x'));
  }
  v1::AppendRequest small = batch.requests(0);
  small.set_id(4);
  small.set_data("");
  *batch.add_requests() = small;  // 33 bytes: 83 + 83 + 33 fit in 200.
  v1::AppendResultBatch results = testing::util::AppendSync(a.get(), std::move(batch));
  ASSERT_EQ(results.results_size(), 4);
  EXPECT_EQ(results.results(0).seq(), 1u);
  EXPECT_EQ(results.results(1).seq(), 2u);
  EXPECT_EQ(results.results(2).id(), 3u);
  EXPECT_EQ(results.results(2).error().err_code(), 10002);
  EXPECT_EQ(results.results(2).stream(), "S");
  EXPECT_EQ(results.results(3).id(), 4u);
  EXPECT_EQ(results.results(3).seq(), 3u);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
