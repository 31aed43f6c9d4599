#include "gateway/jetstream/account_consumer_client.h"

#include <memory>
#include <string>
#include <utility>

#include "common/status.h"
#include "consumersvc/consumer_engine.h"
#include "gateway/jetstream/account_store_client.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::gateway::jetstream {
namespace {

int ErrCode(const absl::Status& status) { return common::ToErrorDetail(status).err_code(); }

v1::CreateConsumerRequest Durable(const std::string& name, const std::string& deliver = "") {
  v1::CreateConsumerRequest request;
  request.set_stream("ORDERS");
  request.mutable_config()->set_durable_name(name);
  request.mutable_config()->set_deliver_subject(deliver);
  return request;
}

class AccountConsumerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storesvc::StoreOptions options;
    options.data_dir = testing::util::MakeTempDir("account_consumer_client-");
    store_ = std::move(storesvc::Store::Open(options)).value();
    engine_ = std::move(consumersvc::ConsumerEngine::Start({}, store_.get())).value();
    for (const char* account : {"A", "B"}) {
      AccountStoreClient streams(store_.get(), JsAccountScope(account), nullptr);
      v1::CreateStreamRequest create;
      create.mutable_config()->set_name("ORDERS");
      create.mutable_config()->add_subjects("orders.>");
      ASSERT_TRUE(streams.CreateStream(create).ok());
    }
  }

  void TearDown() override { engine_->Stop(); }

  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<consumersvc::ConsumerEngine> engine_;
};

TEST_F(AccountConsumerClientTest, ConsumersBelongToTheirAccountsStream) {
  AccountConsumerClient a(engine_.get(), JsAccountScope("A"), nullptr);
  AccountConsumerClient b(engine_.get(), JsAccountScope("B"), nullptr);
  absl::StatusOr<v1::ConsumerInfo> created = a.CreateConsumer(Durable("C", "push.a"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->stream_name(), "ORDERS");
  EXPECT_EQ(created->config().deliver_subject(), "push.a");

  v1::ConsumerRequest in_service;
  in_service.set_stream("A~ORDERS");
  in_service.set_name("C");
  absl::StatusOr<v1::ConsumerInfo> raw = engine_->GetConsumerInfo(in_service);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->config().deliver_subject(), "$JSA.A.push.a");

  v1::ConsumerRequest info;
  info.set_stream("ORDERS");
  info.set_name("C");
  EXPECT_TRUE(a.GetConsumerInfo(info).ok());
  EXPECT_EQ(ErrCode(b.GetConsumerInfo(info).status()), 10014);
  v1::ConsumerCountsRequest counts;
  counts.add_streams("ORDERS");
  EXPECT_EQ(a.ConsumerCounts(counts)->counts(0), 1);
  EXPECT_EQ(b.ConsumerCounts(counts)->counts(0), 0);
}

TEST_F(AccountConsumerClientTest, MaxConsumersPerStream) {
  core::JetStreamLimits limits;
  limits.max_consumers = 1;
  auto cell = std::make_shared<AccountLimits>(limits);
  AccountConsumerClient a(engine_.get(), JsAccountScope("A"), cell);
  ASSERT_TRUE(a.CreateConsumer(Durable("C1")).ok());
  EXPECT_TRUE(a.CreateConsumer(Durable("C1")).ok()) << "an existing consumer is no new one";
  EXPECT_EQ(ErrCode(a.CreateConsumer(Durable("C2")).status()), 10026);
  AccountConsumerClient b(engine_.get(), JsAccountScope("B"), cell);
  EXPECT_TRUE(b.CreateConsumer(Durable("C2")).ok());
  // A reload's new limits apply from the next create on.
  limits.max_consumers = 2;
  cell->Set(limits);
  EXPECT_TRUE(a.CreateConsumer(Durable("C2")).ok());
  EXPECT_EQ(ErrCode(a.CreateConsumer(Durable("C3")).status()), 10026);
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
