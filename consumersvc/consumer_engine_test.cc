#include "consumersvc/consumer_engine.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "consumersvc/client/delivery_frame.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

int ErrCode(const absl::Status& status) { return common::ToErrorDetail(status).err_code(); }

// Collects what the engine sends to a session.
class Deliveries {
 public:
  void Add(v1::DeliveryBatch batch) {
    absl::MutexLock lock(&mu_);
    for (v1::Delivery& d : client::UnpackDeliveries(batch)) {
      // Consumer created/deleted advisories: stream_consumers_test's.
      if (absl::StartsWith(d.subject(), "$JS.EVENT.ADVISORY.CONSUMER.CREATED.") ||
          absl::StartsWith(d.subject(), "$JS.EVENT.ADVISORY.CONSUMER.DELETED.")) {
        continue;
      }
      deliveries_.push_back(std::move(d));
    }
    for (const std::string& s : batch.watch_interest()) watched_.push_back(s);
    for (uint64_t id : batch.settled()) settled_.push_back(id);
  }
  bool WaitSettled(uint64_t id) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return std::find(settled_.begin(), settled_.end(), id) != settled_.end();
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), kWait);
  }
  // Waits for `n` deliveries and takes them.
  std::vector<v1::Delivery> Take(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return deliveries_.size() >= n; };
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&enough), kWait))
        << "got " << deliveries_.size() << " of " << n;
    std::vector<v1::Delivery> out;
    while (!deliveries_.empty() && out.size() < n) {
      out.push_back(std::move(deliveries_.front()));
      deliveries_.pop_front();
    }
    return out;
  }
  bool WaitWatched(const std::string& subject) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return std::find(watched_.begin(), watched_.end(), subject) != watched_.end();
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), kWait);
  }
  size_t pending() {
    absl::MutexLock lock(&mu_);
    return deliveries_.size();
  }

 private:
  absl::Mutex mu_;
  std::deque<v1::Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> watched_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> settled_ ABSL_GUARDED_BY(mu_);
};

class ConsumerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storesvc::StoreOptions store_options;
    store_options.data_dir = testing::util::MakeTempDir("consumer_engine-");
    auto store = storesvc::Store::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    CreateStream(v1::RETENTION_LIMITS);
  }

  void CreateStream(v1::RetentionPolicy retention) {
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("S");
    create.mutable_config()->add_subjects("s.>");
    create.mutable_config()->set_retention(retention);
    ASSERT_TRUE(store_->CreateStream(create).ok());
  }

  // Makes stream S again with `retention`.
  void Recreate(v1::RetentionPolicy retention) {
    v1::DeleteStreamRequest del;
    del.set_name("S");
    ASSERT_TRUE(store_->DeleteStream(del).ok());
    CreateStream(retention);
  }

  v1::StreamInfo StreamInfo() {
    v1::StreamInfoRequest request;
    request.set_name("S");
    return store_->GetStreamInfo(request).value();
  }

  void StartEngine(ConsumerEngineOptions options = {}) {
    auto engine = ConsumerEngine::Start(options, store_.get());
    ASSERT_TRUE(engine.ok());
    engine_ = *std::move(engine);
    session_ = engine_->OpenSession([this](v1::DeliveryBatch b) { got_.Add(std::move(b)); });
  }

  void TearDown() override {
    session_.reset();
    engine_.reset();
    store_.reset();
  }

  void Publish(int n, const std::string& subject = "s.a") {
    v1::AppendBatch batch;
    for (int i = 0; i < n; ++i) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_stream("S");
      r->set_subject(subject);
      r->set_data(absl::StrCat("m", i));
    }
    absl::Notification done;
    store_->Append(std::move(batch), [&](v1::AppendResultBatch) { done.Notify(); });
    done.WaitForNotification();
  }

  absl::StatusOr<v1::ConsumerInfo> Create(v1::ConsumerConfig config) {
    v1::CreateConsumerRequest request;
    request.set_stream("S");
    *request.mutable_config() = std::move(config);
    return engine_->CreateConsumer(request);
  }

  void Pull(const std::string& consumer, const std::string& reply, const std::string& body) {
    v1::GatewayBatch batch;
    v1::PullRequest* pull = batch.add_events()->mutable_pull();
    pull->set_stream("S");
    pull->set_consumer(consumer);
    pull->set_reply(reply);
    pull->set_body(body);
    session_->Send(std::move(batch));
  }

  void Ack(const std::string& ack_subject, const std::string& body = "") {
    v1::GatewayBatch batch;
    client::AppendAck({ack_subject, body, ""}, batch.add_events()->mutable_acks());
    session_->Send(std::move(batch));
  }

  void Settle(const std::string& stream, uint64_t id) {
    v1::GatewayBatch batch;
    v1::Settle* settle = batch.add_events()->mutable_settle();
    settle->set_stream(stream);
    settle->set_id(id);
    session_->Send(std::move(batch));
  }

  void Interest(const std::string& subject, bool has) {
    v1::GatewayBatch batch;
    v1::InterestChange* interest = batch.add_events()->mutable_interest();
    interest->set_subject(subject);
    interest->set_has_interest(has);
    session_->Send(std::move(batch));
  }

  v1::ConsumerInfo Info(const std::string& name) {
    v1::ConsumerRequest request;
    request.set_stream("S");
    request.set_name(name);
    auto info = engine_->GetConsumerInfo(request);
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? *info : v1::ConsumerInfo();
  }

  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<ConsumerEngine> engine_;
  std::unique_ptr<client::ConsumerSession> session_;
  Deliveries got_;
};

v1::ConsumerConfig PullConsumer(const std::string& name) {
  v1::ConsumerConfig c;
  c.set_durable_name(name);
  c.set_ack_policy(v1::ACK_EXPLICIT);
  return c;
}

TEST_F(ConsumerEngineTest, PullConsumerFetchesAcksAndReportsItsState) {
  StartEngine();
  Publish(3);
  auto info = Create(PullConsumer("P"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name(), "P");
  EXPECT_EQ(info->num_pending(), 3u);

  Pull("P", "_INBOX.1", "{\"batch\":2}");
  std::vector<v1::Delivery> batch = got_.Take(2);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].subject(), "_INBOX.1");
  EXPECT_EQ(batch[0].message().subject(), "s.a");
  EXPECT_EQ(batch[0].message().seq(), 1u);
  EXPECT_EQ(batch[1].message().seq(), 2u);
  EXPECT_EQ(batch[0].reply().rfind("$JS.ACK.S.P.1.1.1.", 0), 0u) << batch[0].reply();

  Ack(batch[0].reply());
  Ack(batch[1].reply());
  // Acks are asynchronous: wait until the info shows them.
  for (int i = 0; i < 3000 && Info("P").ack_floor().stream_seq() < 2; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  v1::ConsumerInfo after = Info("P");
  EXPECT_EQ(after.ack_floor().stream_seq(), 2u);
  EXPECT_EQ(after.delivered().stream_seq(), 2u);
  EXPECT_EQ(after.num_pending(), 1u);
  EXPECT_EQ(after.num_ack_pending(), 0);
}

TEST_F(ConsumerEngineTest, PushConsumerDeliversWhileItsSubjectHasInterestAndFollowsTheTail) {
  StartEngine();
  Publish(2);
  v1::ConsumerConfig push = PullConsumer("D");
  push.set_deliver_subject("deliver.d");
  ASSERT_TRUE(Create(push).ok());
  ASSERT_TRUE(got_.WaitWatched("deliver.d"));
  EXPECT_EQ(got_.pending(), 0u);
  Interest("deliver.d", true);
  std::vector<v1::Delivery> first = got_.Take(2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].subject(), "deliver.d");
  EXPECT_EQ(first[1].message().seq(), 2u);
  Publish(3, "s.b");
  std::vector<v1::Delivery> more = got_.Take(3);
  ASSERT_EQ(more.size(), 3u);
  EXPECT_EQ(more[2].message().seq(), 5u);
  EXPECT_EQ(more[2].message().subject(), "s.b");
}

TEST_F(ConsumerEngineTest, ConsumersBehindTheCacheReadAheadFromTheStore) {
  ConsumerEngineOptions options;
  options.cache.messages = 4;
  StartEngine(options);
  Publish(600);
  ASSERT_TRUE(Create(PullConsumer("P")).ok());
  Pull("P", "r", "{\"batch\":600}");
  std::vector<v1::Delivery> all = got_.Take(600);
  ASSERT_EQ(all.size(), 600u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].message().seq(), i + 1);
  // The pending count in the ack subjects runs down to 0.
  EXPECT_EQ(all.back().reply().substr(all.back().reply().rfind('.') + 1), "0");
}

TEST_F(ConsumerEngineTest, RedeliveriesAreReadBackBySequence) {
  ConsumerEngineOptions options;
  options.cache.messages = 1;
  StartEngine(options);
  Publish(5);
  v1::ConsumerConfig config = PullConsumer("P");
  config.set_ack_wait_ns(200'000'000);
  ASSERT_TRUE(Create(config).ok());
  Pull("P", "r", "{\"batch\":5}");
  std::vector<v1::Delivery> first = got_.Take(5);
  ASSERT_EQ(first.size(), 5u);
  Ack(first[1].reply(), "-NAK");
  std::vector<v1::Delivery> nak = got_.Take(1);
  ASSERT_EQ(nak.size(), 1u);
  EXPECT_EQ(nak[0].subject(), "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.S.P");
  Pull("P", "r2", "1");
  std::vector<v1::Delivery> again = got_.Take(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].subject(), "r2");
  EXPECT_EQ(again[0].message().seq(), 2u);
  EXPECT_EQ(again[0].message().data(), "m1");
  EXPECT_EQ(again[0].reply().rfind("$JS.ACK.S.P.2.2.", 0), 0u) << again[0].reply();
}

TEST_F(ConsumerEngineTest, AdminErrorsAreNatsServers) {
  StartEngine();
  v1::CreateConsumerRequest missing;
  missing.set_stream("NOPE");
  *missing.mutable_config() = PullConsumer("P");
  EXPECT_EQ(ErrCode(engine_->CreateConsumer(missing).status()), 10059);
  v1::ConsumerRequest request;
  request.set_stream("S");
  request.set_name("nobody");
  EXPECT_EQ(ErrCode(engine_->GetConsumerInfo(request).status()), 10014);
  EXPECT_EQ(ErrCode(engine_->DeleteConsumer(request)), 10014);
  ASSERT_TRUE(Create(PullConsumer("P")).ok());
  v1::CreateConsumerRequest create_again;
  create_again.set_stream("S");
  create_again.set_action("create");
  *create_again.mutable_config() = PullConsumer("P");
  create_again.mutable_config()->set_description("changed");
  EXPECT_EQ(ErrCode(engine_->CreateConsumer(create_again).status()), 10148);
}

TEST_F(ConsumerEngineTest, ListsNamesAndEphemeralNames) {
  StartEngine();
  ASSERT_TRUE(Create(PullConsumer("B")).ok());
  ASSERT_TRUE(Create(PullConsumer("A")).ok());
  v1::ConsumerConfig ephemeral;
  ephemeral.set_ack_policy(v1::ACK_EXPLICIT);
  auto eph = Create(ephemeral);
  ASSERT_TRUE(eph.ok()) << eph.status();
  EXPECT_EQ(eph->name().size(), 8u);
  v1::ListConsumersRequest list;
  list.set_stream("S");
  auto names = engine_->ConsumerNames(list);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->total(), 3);
  EXPECT_TRUE(std::is_sorted(names->names().begin(), names->names().end()));
  auto infos = engine_->ListConsumers(list);
  ASSERT_TRUE(infos.ok());
  EXPECT_EQ(infos->consumers_size(), 3);
  ASSERT_TRUE(engine_
                  ->DeleteConsumer([] {
                    v1::ConsumerRequest r;
                    r.set_stream("S");
                    r.set_name("A");
                    return r;
                  }())
                  .ok());
  EXPECT_EQ(engine_->ConsumerNames(list)->total(), 2);
}

TEST_F(ConsumerEngineTest, DeletingTheStreamDeletesItsConsumers) {
  StartEngine();
  ASSERT_TRUE(Create(PullConsumer("P")).ok());
  Recreate(v1::RETENTION_LIMITS);
  v1::ListConsumersRequest list;
  list.set_stream("S");
  absl::StatusOr<v1::ConsumerNamesResponse> names;
  for (int i = 0; i < 3000; ++i) {
    names = engine_->ConsumerNames(list);
    if (names.ok() && names->total() == 0) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->total(), 0);
}

TEST_F(ConsumerEngineTest, SettleAnswersOnceTheAcksBeforeItRemovedTheirMessages) {
  Recreate(v1::RETENTION_WORK_QUEUE);
  StartEngine();
  Publish(3);
  ASSERT_TRUE(Create(PullConsumer("W")).ok());
  Pull("W", "_INBOX.1", "{\"batch\":3}");
  std::vector<v1::Delivery> batch = got_.Take(3);
  ASSERT_EQ(batch.size(), 3u);
  Ack(batch[0].reply());
  Ack(batch[2].reply());
  Settle("S", 41);
  ASSERT_TRUE(got_.WaitSettled(41));
  EXPECT_EQ(StreamInfo().state().messages(), 1u);
  Settle("NOPE", 42);
  EXPECT_TRUE(got_.WaitSettled(42)) << "a stream without consumers has nothing to wait for";
}

TEST_F(ConsumerEngineTest, InterestStreamsKeepOnlyWhatConsumersTake) {
  Recreate(v1::RETENTION_INTEREST);
  StartEngine();
  Publish(2);
  EXPECT_EQ(StreamInfo().state().messages(), 0u);
  v1::ConsumerConfig filtered = PullConsumer("A");
  filtered.set_filter_subject("s.a");
  ASSERT_TRUE(Create(filtered).ok());
  Publish(1, "s.a");
  Publish(1, "s.b");
  const v1::StreamInfo info = StreamInfo();
  EXPECT_EQ(info.state().messages(), 1u);
  EXPECT_EQ(
      std::vector<std::string>(info.consumer_filters().begin(), info.consumer_filters().end()),
      std::vector<std::string>{"s.a"});
  v1::ConsumerRequest del;
  del.set_stream("S");
  del.set_name("A");
  ASSERT_TRUE(engine_->DeleteConsumer(del).ok());
  EXPECT_EQ(StreamInfo().state().messages(), 0u) << "gone when the delete returns";
  EXPECT_EQ(StreamInfo().consumer_filters_size(), 0);
}

TEST_F(ConsumerEngineTest, StartClearsFiltersOfConsumersItDoesNotHave) {
  Recreate(v1::RETENTION_INTEREST);
  v1::SetConsumerFiltersRequest set;
  set.set_stream("S");
  set.add_filters(">");
  ASSERT_TRUE(store_->SetConsumerFilters(set).ok());
  StartEngine();
  EXPECT_EQ(StreamInfo().consumer_filters_size(), 0);
  Publish(1);
  EXPECT_EQ(StreamInfo().state().messages(), 0u);
}

TEST_F(ConsumerEngineTest, CountsConsumersPerStream) {
  StartEngine();
  ASSERT_TRUE(Create(PullConsumer("A")).ok());
  ASSERT_TRUE(Create(PullConsumer("B")).ok());
  v1::ConsumerCountsRequest request;
  request.add_streams("S");
  request.add_streams("NOPE");
  auto counts = engine_->ConsumerCounts(request);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(std::vector<int32_t>(counts->counts().begin(), counts->counts().end()),
            (std::vector<int32_t>{2, 0}));
}

}  // namespace
}  // namespace jsengine::consumersvc
