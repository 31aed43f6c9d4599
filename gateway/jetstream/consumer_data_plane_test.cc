// ConsumerDataPlane against a real core server and a recording consumer
// session: which batches the service gets.
#include "gateway/jetstream/consumer_data_plane.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "consumersvc/client/mock_consumer_client.h"
#include "gateway/core/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/core/raw_client.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);

// The session a MockConsumerClient opens: keeps the delivery callback and
// every batch sent on it.
class Recorder {
 public:
  explicit Recorder(consumersvc::client::MockConsumerClient* client) {
    ON_CALL(*client, OpenSession(::testing::_))
        .WillByDefault([this](consumersvc::client::ConsumerClient::DeliveryCallback deliver) {
          deliver_ = std::move(deliver);
          return std::unique_ptr<consumersvc::client::ConsumerSession>(
              std::make_unique<Session>(this));
        });
  }

  void Deliver(v1::DeliveryBatch batch) { deliver_(std::move(batch)); }

  // Waits until the batches hold `n` events; returns the batches.
  std::vector<v1::GatewayBatch> WaitForEvents(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return events_ >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
    return batches_;
  }

 private:
  class Session final : public consumersvc::client::ConsumerSession {
   public:
    explicit Session(Recorder* recorder) : recorder_(recorder) {}
    void Send(v1::GatewayBatch batch) override {
      absl::MutexLock lock(&recorder_->mu_);
      recorder_->events_ += batch.events_size();
      recorder_->batches_.push_back(std::move(batch));
    }

   private:
    Recorder* const recorder_;
  };

  consumersvc::client::ConsumerClient::DeliveryCallback deliver_;
  absl::Mutex mu_;
  std::vector<v1::GatewayBatch> batches_ ABSL_GUARDED_BY(mu_);
  int events_ ABSL_GUARDED_BY(mu_) = 0;
};

class ConsumerDataPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    plane_.Start();
    v1::DeliveryBatch announce;
    v1::ConsumerRef* consumer = announce.add_consumers_added();
    consumer->set_stream("S");
    consumer->set_name("C");
    recorder_.Deliver(std::move(announce));
  }
  void TearDown() override {
    plane_.Stop();
    server_.Shutdown();
  }

  static core::ServerOptions Options() {
    core::ServerOptions options;
    options.port = 0;
    return options;
  }

  core::Server server_{Options()};
  ::testing::NiceMock<consumersvc::client::MockConsumerClient> client_;
  Recorder recorder_{&client_};
  ConsumerDataPlane plane_{&server_, &client_};
};

// A client's acks, written together, reach the service as one batch (not
// one call per ack), in order.
TEST_F(ConsumerDataPlaneTest, AcksReadTogetherGoAsOneBatch) {
  testing::core::RawClient nats(server_.port());
  ASSERT_TRUE(nats.connected());
  ASSERT_TRUE(nats.ReadUntil("INFO"));
  constexpr int kAcks = 50;
  std::string wire = "CONNECT {\"verbose\":false}\r\n";
  for (int i = 1; i <= kAcks; ++i) {
    absl::StrAppend(&wire, "PUB $JS.ACK.S.C.1.", i, ".", i, ".0.0 0\r\n\r\n");
  }
  wire += "PING\r\n";
  ASSERT_TRUE(nats.Send(wire));
  ASSERT_TRUE(nats.ReadUntil("PONG"));

  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(kAcks);
  std::vector<std::string> acked;
  for (const v1::GatewayBatch& batch : batches) {
    for (const v1::GatewayEvent& event : batch.events())
      acked.push_back(event.ack().reply_subject());
  }
  ASSERT_EQ(acked.size(), static_cast<size_t>(kAcks));
  for (int i = 1; i <= kAcks; ++i) {
    EXPECT_EQ(acked[i - 1], absl::StrCat("$JS.ACK.S.C.1.", i, ".", i, ".0.0"));
  }
  // One read of the socket is one batch; the kernel may split the bytes.
  EXPECT_LE(batches.size(), 3u);
}

// Outside an event loop's pass (no burst), an event goes at once.
TEST_F(ConsumerDataPlaneTest, APullFromAnotherThreadGoesAtOnce) {
  plane_.PullRequest("S", "C", "inbox.1", "{\"batch\":1}");
  const std::vector<v1::GatewayBatch> batches = recorder_.WaitForEvents(1);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].events_size(), 1);
  EXPECT_EQ(batches[0].events(0).pull().reply(), "inbox.1");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
