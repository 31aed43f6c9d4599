#include "consumersvc/consumer_service.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/grpc/grpc_server.h"
#include "common/status.h"
#include "consumersvc/client/delivery_frame.h"
#include "consumersvc/client/remote_consumer_client.h"
#include "consumersvc/consumer_engine.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

int ErrCode(const absl::Status& status) { return common::ToErrorDetail(status).err_code(); }

// Everything a session's callback got, batch by batch.
class Received {
 public:
  void Add(v1::DeliveryBatch batch) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    batches_.push_back(std::move(batch));
  }

  // Waits until `done(batches)` holds; returns whether it did.
  template <typename Done>
  bool WaitFor(Done done) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done(batches_); };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), kWait);
  }

  std::vector<v1::Delivery> Deliveries() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    std::vector<v1::Delivery> out;
    for (const v1::DeliveryBatch& batch : batches_) {
      for (v1::Delivery& d : client::UnpackDeliveries(batch)) out.push_back(std::move(d));
    }
    return out;
  }

  bool WaitForDeliveries(size_t n) {
    return WaitFor([n](const std::vector<v1::DeliveryBatch>& batches) {
      size_t count = 0;
      for (const v1::DeliveryBatch& batch : batches)
        count += client::UnpackDeliveries(batch).size();
      return count >= n;
    });
  }

  bool WaitForConsumer(const std::string& name) {
    return WaitFor([&name](const std::vector<v1::DeliveryBatch>& batches) {
      for (const v1::DeliveryBatch& batch : batches) {
        for (const v1::ConsumerRef& ref : batch.consumers_added()) {
          if (ref.name() == name) return true;
        }
      }
      return false;
    });
  }

  std::vector<v1::DeliveryBatch> batches() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::DeliveryBatch> batches_ ABSL_GUARDED_BY(mu_);
};

// A ConsumerClient that passes everything to another one and counts the
// sessions open.
class CountingConsumers final : public client::ConsumerClient {
 public:
  explicit CountingConsumers(client::ConsumerClient* inner) : inner_(inner) {}

  absl::StatusOr<v1::ConsumerInfo> CreateConsumer(
      const v1::CreateConsumerRequest& request) override {
    return inner_->CreateConsumer(request);
  }
  absl::Status DeleteConsumer(const v1::ConsumerRequest& request) override {
    return inner_->DeleteConsumer(request);
  }
  absl::StatusOr<v1::ConsumerInfo> GetConsumerInfo(const v1::ConsumerRequest& request) override {
    return inner_->GetConsumerInfo(request);
  }
  absl::StatusOr<v1::ListConsumersResponse> ListConsumers(
      const v1::ListConsumersRequest& request) override {
    return inner_->ListConsumers(request);
  }
  absl::StatusOr<v1::ConsumerNamesResponse> ConsumerNames(
      const v1::ListConsumersRequest& request) override {
    return inner_->ConsumerNames(request);
  }
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override {
    return inner_->PurgeStream(request);
  }
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override {
    return inner_->DeleteMessage(request);
  }
  absl::StatusOr<v1::ConsumerCountsResponse> ConsumerCounts(
      const v1::ConsumerCountsRequest& request) override {
    return inner_->ConsumerCounts(request);
  }
  std::unique_ptr<client::ConsumerSession> OpenSession(DeliveryCallback on_deliveries) override {
    return std::make_unique<Session>(this, inner_->OpenSession(std::move(on_deliveries)));
  }

  bool WaitForOpenSessions(int n) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_ == n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }

 private:
  class Session final : public client::ConsumerSession {
   public:
    Session(CountingConsumers* owner, std::unique_ptr<client::ConsumerSession> inner)
        : owner_(owner), inner_(std::move(inner)) {
      absl::MutexLock lock(&owner_->mu_);
      ++owner_->open_;
    }
    ~Session() override {
      inner_.reset();
      absl::MutexLock lock(&owner_->mu_);
      --owner_->open_;
    }
    void Send(v1::GatewayBatch batch) override { inner_->Send(std::move(batch)); }

   private:
    CountingConsumers* const owner_;
    std::unique_ptr<client::ConsumerSession> inner_;
  };

  client::ConsumerClient* const inner_;
  absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

v1::ConsumerConfig PullConsumer(const std::string& name) {
  v1::ConsumerConfig config;
  config.set_durable_name(name);
  config.set_ack_policy(v1::ACK_EXPLICIT);
  return config;
}

// A consumersvc in the test: an engine over a store in a temporary
// directory, served on a free port, and a RemoteConsumerClient of it.
class ConsumerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storesvc::StoreOptions store_options;
    store_options.data_dir = testing::util::MakeTempDir("consumer_service-");
    auto store = storesvc::Store::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto engine = ConsumerEngine::Start({}, store_.get());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    counting_ = std::make_unique<CountingConsumers>(engine_.get());
    service_ = std::make_unique<ConsumerServiceImpl>(counting_.get());
    auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = std::make_unique<client::RemoteConsumerClient>("127.0.0.1:" +
                                                             std::to_string(server_->port()));
  }

  void TearDown() override {
    client_.reset();
    if (server_ != nullptr) server_->Shutdown();
    server_.reset();
    service_.reset();
    if (engine_ != nullptr) engine_->Stop();
    engine_.reset();
    store_.reset();
  }

  void CreateStream() {
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("S");
    create.mutable_config()->add_subjects("s.>");
    ASSERT_TRUE(store_->CreateStream(create).ok());
  }

  void Publish(int n) {
    v1::AppendBatch batch;
    for (int i = 0; i < n; ++i) {
      v1::AppendRequest* request = batch.add_requests();
      request->set_stream("S");
      request->set_subject("s.a");
      request->set_data("m" + std::to_string(i + 1));
    }
    absl::Notification done;
    store_->Append(std::move(batch), [&](v1::AppendResultBatch) { done.Notify(); });
    done.WaitForNotification();
  }

  absl::StatusOr<v1::ConsumerInfo> Create(const std::string& stream, v1::ConsumerConfig config) {
    v1::CreateConsumerRequest request;
    request.set_stream(stream);
    *request.mutable_config() = std::move(config);
    return client_->CreateConsumer(request);
  }

  v1::ConsumerRequest Named(const std::string& name) {
    v1::ConsumerRequest request;
    request.set_stream("S");
    request.set_name(name);
    return request;
  }

  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<ConsumerEngine> engine_;
  std::unique_ptr<CountingConsumers> counting_;
  std::unique_ptr<ConsumerServiceImpl> service_;
  std::unique_ptr<common::grpc::GrpcServer> server_;
  std::unique_ptr<client::RemoteConsumerClient> client_;
};

TEST_F(ConsumerServiceTest, AdminCallsCrossWithTheirJetStreamErrors) {
  EXPECT_EQ(ErrCode(Create("S", PullConsumer("P")).status()), 10059);
  CreateStream();
  absl::StatusOr<v1::ConsumerInfo> created = Create("S", PullConsumer("P"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->stream_name(), "S");
  EXPECT_EQ(created->name(), "P");
  EXPECT_EQ(created->config().ack_policy(), v1::ACK_EXPLICIT);

  absl::StatusOr<v1::ConsumerInfo> info = client_->GetConsumerInfo(Named("P"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name(), "P");
  v1::ListConsumersRequest list;
  list.set_stream("S");
  absl::StatusOr<v1::ConsumerNamesResponse> names = client_->ConsumerNames(list);
  ASSERT_TRUE(names.ok()) << names.status();
  ASSERT_EQ(names->names_size(), 1);
  EXPECT_EQ(names->names(0), "P");
  absl::StatusOr<v1::ListConsumersResponse> listed = client_->ListConsumers(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->total(), 1);
  ASSERT_EQ(listed->consumers_size(), 1);
  EXPECT_EQ(listed->consumers(0).name(), "P");
  v1::ConsumerCountsRequest count;
  count.add_streams("S");
  count.add_streams("NOPE");
  absl::StatusOr<v1::ConsumerCountsResponse> counts = client_->ConsumerCounts(count);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(std::vector<int32_t>(counts->counts().begin(), counts->counts().end()),
            (std::vector<int32_t>{1, 0}));

  v1::CreateConsumerRequest conflicting;
  conflicting.set_stream("S");
  conflicting.set_action("create");
  *conflicting.mutable_config() = PullConsumer("P");
  conflicting.mutable_config()->set_description("changed");
  EXPECT_EQ(ErrCode(client_->CreateConsumer(conflicting).status()), 10148);

  EXPECT_TRUE(client_->DeleteConsumer(Named("P")).ok());
  EXPECT_EQ(ErrCode(client_->DeleteConsumer(Named("P"))), 10014);
  EXPECT_EQ(ErrCode(client_->GetConsumerInfo(Named("P")).status()), 10014);
  list.set_stream("NOPE");
  EXPECT_EQ(ErrCode(client_->ConsumerNames(list).status()), 10059);
}

TEST_F(ConsumerServiceTest, ASessionCarriesPullsAndAcksUpAndDeliveriesDown) {
  CreateStream();
  Publish(3);
  Received received;
  std::unique_ptr<client::ConsumerSession> session =
      client_->OpenSession([&](v1::DeliveryBatch batch) { received.Add(std::move(batch)); });
  ASSERT_TRUE(counting_->WaitForOpenSessions(1));
  ASSERT_TRUE(Create("S", PullConsumer("P")).ok());
  ASSERT_TRUE(received.WaitForConsumer("P"));
  // The consumer_action advisory comes down first, as a plain publish.
  ASSERT_TRUE(received.WaitForDeliveries(1));
  v1::Delivery advisory = received.Deliveries()[0];
  EXPECT_EQ(advisory.subject(), "$JS.EVENT.ADVISORY.CONSUMER.CREATED.S.P");
  EXPECT_TRUE(advisory.reply().empty());
  EXPECT_NE(advisory.message().data().find("\"action\":\"create\""), std::string::npos)
      << advisory.message().data();

  v1::GatewayBatch pull;
  v1::PullRequest* request = pull.add_events()->mutable_pull();
  request->set_stream("S");
  request->set_consumer("P");
  request->set_reply("_INBOX.1");
  request->set_body("{\"batch\":2}");
  session->Send(pull);
  ASSERT_TRUE(received.WaitForDeliveries(3));
  std::vector<v1::Delivery> deliveries = received.Deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  deliveries.erase(deliveries.begin());
  EXPECT_EQ(deliveries[0].subject(), "_INBOX.1");
  EXPECT_EQ(deliveries[0].message().subject(), "s.a");
  EXPECT_EQ(deliveries[0].message().data(), "m1");
  EXPECT_EQ(deliveries[1].message().data(), "m2");
  EXPECT_EQ(deliveries[0].reply().rfind("$JS.ACK.S.P.1.1.1.", 0), 0u) << deliveries[0].reply();

  // An AckSync: its confirmation comes down as a delivery to its reply.
  v1::GatewayBatch ack;
  client::AppendAck({deliveries[0].reply(), "+ACK", "_INBOX.ack"},
                    ack.add_events()->mutable_acks());
  session->Send(ack);
  ASSERT_TRUE(received.WaitForDeliveries(4));
  EXPECT_EQ(received.Deliveries()[3].subject(), "_INBOX.ack");
  absl::StatusOr<v1::ConsumerInfo> info = client_->GetConsumerInfo(Named("P"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->ack_floor().stream_seq(), 1u);
  EXPECT_EQ(info->delivered().stream_seq(), 2u);
}

TEST_F(ConsumerServiceTest, ANewSessionHearsOfEveryConsumer) {
  CreateStream();
  ASSERT_TRUE(Create("S", PullConsumer("A")).ok());
  v1::ConsumerConfig push = PullConsumer("B");
  push.set_deliver_subject("deliver.b");
  ASSERT_TRUE(Create("S", push).ok());
  Received received;
  std::unique_ptr<client::ConsumerSession> session =
      client_->OpenSession([&](v1::DeliveryBatch batch) { received.Add(std::move(batch)); });
  ASSERT_TRUE(received.WaitForConsumer("A"));
  ASSERT_TRUE(received.WaitForConsumer("B"));
  const v1::DeliveryBatch first = received.batches().front();
  EXPECT_TRUE(first.session_start());
  EXPECT_EQ(first.consumers_added_size(), 2);
  ASSERT_EQ(first.watch_interest_size(), 1);
  EXPECT_EQ(first.watch_interest(0), "deliver.b");
}

TEST_F(ConsumerServiceTest, DestroyingTheSessionEndsItInTheService) {
  Received received;
  std::unique_ptr<client::ConsumerSession> session =
      client_->OpenSession([&](v1::DeliveryBatch batch) { received.Add(std::move(batch)); });
  ASSERT_TRUE(counting_->WaitForOpenSessions(1));
  session.reset();
  EXPECT_TRUE(counting_->WaitForOpenSessions(0));
}

TEST_F(ConsumerServiceTest, ShuttingTheServerDownEndsOpenSessions) {
  Received received;
  std::unique_ptr<client::ConsumerSession> session =
      client_->OpenSession([&](v1::DeliveryBatch batch) { received.Add(std::move(batch)); });
  ASSERT_TRUE(counting_->WaitForOpenSessions(1));
  server_->Shutdown();
  EXPECT_TRUE(counting_->WaitForOpenSessions(0));
}

// A ConsumerClient whose session answers every batch it is sent with
// kBatches DeliveryBatches at once, from the sending thread: one delivery
// each, and on every 10th also a consumer added, removed by the next.
class BurstingConsumers final : public client::ConsumerClient {
 public:
  static constexpr int kBatches = 2000;

  absl::StatusOr<v1::ConsumerInfo> CreateConsumer(const v1::CreateConsumerRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::Status DeleteConsumer(const v1::ConsumerRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::ConsumerInfo> GetConsumerInfo(const v1::ConsumerRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::ListConsumersResponse> ListConsumers(
      const v1::ListConsumersRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::ConsumerNamesResponse> ConsumerNames(
      const v1::ListConsumersRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(const v1::PurgeStreamRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::Status DeleteMessage(const v1::DeleteMessageRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::ConsumerCountsResponse> ConsumerCounts(
      const v1::ConsumerCountsRequest&) override {
    return absl::UnimplementedError("");
  }
  std::unique_ptr<client::ConsumerSession> OpenSession(DeliveryCallback on_deliveries) override {
    return std::make_unique<Session>(std::move(on_deliveries));
  }

  // What the gateway does with `batches`, in its order: deliveries first,
  // then consumers added, then removed.
  static std::vector<std::string> Actions(const std::vector<v1::DeliveryBatch>& batches) {
    std::vector<std::string> out;
    for (const v1::DeliveryBatch& batch : batches) {
      for (const v1::Delivery& d : client::UnpackDeliveries(batch)) {
        out.push_back("deliver " + d.subject());
      }
      for (const v1::ConsumerRef& c : batch.consumers_added()) out.push_back("add " + c.name());
      for (const v1::ConsumerRef& c : batch.consumers_removed()) {
        out.push_back("remove " + c.name());
      }
    }
    return out;
  }

  static std::vector<v1::DeliveryBatch> Burst() {
    std::vector<v1::DeliveryBatch> out;
    for (int i = 0; i < kBatches; ++i) {
      v1::DeliveryBatch batch;
      client::AppendDelivery(client::DeliveryView::Plain("d." + std::to_string(i), "", ""),
                             batch.mutable_packed_deliveries());
      if (i % 10 == 0) batch.add_consumers_added()->set_name("C");
      if (i % 10 == 1) batch.add_consumers_removed()->set_name("C");
      out.push_back(std::move(batch));
    }
    return out;
  }

 private:
  class Session final : public client::ConsumerSession {
   public:
    explicit Session(DeliveryCallback on_deliveries) : on_deliveries_(std::move(on_deliveries)) {}
    void Send(v1::GatewayBatch) override {
      for (v1::DeliveryBatch& batch : Burst()) on_deliveries_(std::move(batch));
    }

   private:
    const DeliveryCallback on_deliveries_;
  };
};

TEST(ConsumerServiceBatchingTest, MergedDeliveriesReadAsTheBatchesInTurn) {
  BurstingConsumers consumers;
  ConsumerServiceImpl service(&consumers);
  auto server = common::grpc::GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  client::RemoteConsumerClient client("127.0.0.1:" + std::to_string((*server)->port()));
  Received received;
  std::unique_ptr<client::ConsumerSession> session =
      client.OpenSession([&](v1::DeliveryBatch batch) { received.Add(std::move(batch)); });
  session->Send(v1::GatewayBatch());
  ASSERT_TRUE(received.WaitForDeliveries(BurstingConsumers::kBatches));
  std::vector<v1::DeliveryBatch> got = received.batches();
  EXPECT_EQ(BurstingConsumers::Actions(got),
            BurstingConsumers::Actions(BurstingConsumers::Burst()));
  session.reset();
}

}  // namespace
}  // namespace jsengine::consumersvc
