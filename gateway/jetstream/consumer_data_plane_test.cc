// The data plane over the embedded consumer engine and store, on a core
// server that is never started (internal publishes need no sockets): acks
// published on the server, then Settle.
#include "gateway/jetstream/consumer_data_plane.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "consumersvc/consumer_engine.h"
#include "gateway/core/server.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

class ConsumerDataPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storesvc::StoreOptions store_options;
    store_options.data_dir = testing::util::MakeTempDir("consumer_data_plane-");
    store_ = std::move(storesvc::Store::Open(store_options)).value();
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("W");
    create.mutable_config()->add_subjects("w.>");
    create.mutable_config()->set_retention(v1::RETENTION_WORK_QUEUE);
    ASSERT_TRUE(store_->CreateStream(create).ok());
    engine_ = std::move(consumersvc::ConsumerEngine::Start({}, store_.get())).value();
    data_plane_ = std::make_unique<ConsumerDataPlane>(&server_, engine_.get());
    data_plane_->Start();
    server_.SubscribeInternal("inbox", "", [this](const core::InboundMessage& m) {
      absl::MutexLock lock(&mu_);
      acks_.push_back(std::string(m.reply));
    });
  }

  void TearDown() override {
    data_plane_->Stop();
    engine_->Stop();
  }

  // Waits for `n` deliveries to "inbox" and returns their ack subjects.
  std::vector<std::string> Acks(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return acks_.size() >= n; };
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&enough), kWait));
    return acks_;
  }

  uint64_t Messages() {
    v1::StreamInfoRequest request;
    request.set_name("W");
    return store_->GetStreamInfo(request).value().state().messages();
  }

  core::ServerOptions options_;
  core::Server server_{options_};
  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<consumersvc::ConsumerEngine> engine_;
  std::unique_ptr<ConsumerDataPlane> data_plane_;
  absl::Mutex mu_;
  std::vector<std::string> acks_ ABSL_GUARDED_BY(mu_);
};

TEST_F(ConsumerDataPlaneTest, SettleReturnsOnceTheAcksPublishedBeforeItRemovedTheirMessages) {
  v1::AppendBatch batch;
  for (int i = 0; i < 3; ++i) {
    v1::AppendRequest* r = batch.add_requests();
    r->set_stream("W");
    r->set_subject("w.job");
  }
  absl::Notification appended;
  store_->Append(std::move(batch), [&](v1::AppendResultBatch) { appended.Notify(); });
  appended.WaitForNotification();
  v1::CreateConsumerRequest create;
  create.set_stream("W");
  create.mutable_config()->set_durable_name("C");
  create.mutable_config()->set_ack_policy(v1::ACK_EXPLICIT);
  ASSERT_TRUE(engine_->CreateConsumer(create).ok());

  data_plane_->PullRequest("W", "C", "inbox", R"({"batch":3})");
  std::vector<std::string> acks = Acks(3);
  ASSERT_EQ(acks.size(), 3u);
  for (const std::string& ack : acks) server_.Publish(ack, "", "", "+ACK");
  ASSERT_TRUE(data_plane_->Settle("W"));
  EXPECT_EQ(Messages(), 0u);
}

TEST_F(ConsumerDataPlaneTest, SettleOnAStreamWithoutConsumersAnswersAtOnce) {
  EXPECT_TRUE(data_plane_->Settle("W"));
  EXPECT_TRUE(data_plane_->Settle("NOPE"));
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
