// The bridge on a core server that is never started (its internal
// publishes and subscriptions need no sockets), over a mock store.
#include "gateway/jetstream/bridge.h"

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gateway/core/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"

namespace jsengine::gateway::jetstream {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Return;

// Bounds waits on other threads so a request stuck behind another fails the
// test instead of hanging it; generous, as the machine may be busy.
constexpr absl::Duration kDeadlock = absl::Minutes(1);

// Records what the bridge hands it, in order.
class RecordingDataPlane : public DataPlane {
 public:
  void PullRequest(std::string_view stream, std::string_view consumer, std::string_view reply,
                   std::string_view payload, uint64_t) override {
    Record({"pull", stream, consumer, reply, payload});
  }
  bool Settle(std::string_view stream) override {
    Record({"settle", stream});
    return true;
  }
  void Flush() override { Record({"flush"}); }

  // Waits until `n` requests have come; false after kDeadlock.
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return seen_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kDeadlock);
  }
  std::vector<std::string> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  // The call's arguments joined by spaces.
  void Record(std::initializer_list<std::string_view> args) {
    std::string what;
    for (std::string_view arg : args) {
      if (!what.empty()) what += ' ';
      what += arg;
    }
    absl::MutexLock lock(&mu_);
    seen_.push_back(std::move(what));
  }

  absl::Mutex mu_;
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

class BridgeTest : public ::testing::Test {
 protected:
  BridgeTest() {
    ON_CALL(store_, ListStreams(_)).WillByDefault(Return(v1::ListStreamsResponse()));
    options_.port = 0;
  }

  ~BridgeTest() override {
    if (!release_store_.HasBeenNotified()) release_store_.Notify();
    if (bridge_ != nullptr) bridge_->Stop();
  }

  void StartBridge(DataPlane* data_plane) {
    bridge_ = std::make_unique<Bridge>(&server_, &store_, JsApiOptions{}, data_plane);
    ASSERT_TRUE(bridge_->Start().ok());
  }

  // Makes the store's CreateStream wait for release_store_.
  void BlockCreateStream() {
    ON_CALL(store_, CreateStream(_)).WillByDefault([this](const v1::CreateStreamRequest& r) {
      create_entered_.Notify();
      release_store_.WaitForNotification();
      v1::StreamInfo info;
      *info.mutable_config() = r.config();
      return absl::StatusOr<v1::StreamInfo>(info);
    });
  }

  // The next message published to `subject`.
  std::shared_ptr<std::string> Capture(const std::string& subject,
                                       std::shared_ptr<absl::Notification> arrived) {
    auto payload = std::make_shared<std::string>();
    server_.SubscribeInternal(subject, "", [payload, arrived](const core::InboundMessage& m) {
      if (arrived->HasBeenNotified()) return;
      *payload = std::string(m.payload);
      arrived->Notify();
    });
    return payload;
  }

  core::ServerOptions options_;
  core::Server server_{options_};
  NiceMock<storesvc::client::MockStoreClient> store_;
  absl::Notification create_entered_;
  absl::Notification release_store_;
  std::unique_ptr<Bridge> bridge_;
};

TEST_F(BridgeTest, PullsAreServedWhileAnAdminRequestIsBlockedInTheStore) {
  RecordingDataPlane data_plane;
  BlockCreateStream();
  StartBridge(&data_plane);
  auto created = std::make_shared<absl::Notification>();
  std::shared_ptr<std::string> create_reply = Capture("reply.create", created);

  server_.Publish("$JS.API.STREAM.CREATE.S", "reply.create", "", R"({"name":"S"})");
  ASSERT_TRUE(create_entered_.WaitForNotificationWithTimeout(kDeadlock));
  server_.Publish("$JS.API.CONSUMER.MSG.NEXT.S.C", "inbox.1", "", R"({"batch":1})");
  server_.Publish("$JS.API.CONSUMER.MSG.NEXT.S.C", "inbox.2", "", "");

  ASSERT_TRUE(data_plane.WaitFor(3)) << "the data plane waited for the blocked STREAM.CREATE";
  EXPECT_FALSE(created->HasBeenNotified());
  EXPECT_EQ(data_plane.seen(), (std::vector<std::string>{
                                   "flush",
                                   R"(pull S C inbox.1 {"batch":1})",
                                   "pull S C inbox.2 ",
                               }));

  release_store_.Notify();
  ASSERT_TRUE(created->WaitForNotificationWithTimeout(kDeadlock));
  EXPECT_THAT(*create_reply, HasSubstr(R"("did_create":true)"));
}

TEST_F(BridgeTest, AdminRequestsAreAnsweredInArrivalOrder) {
  StartBridge(nullptr);
  BlockCreateStream();
  auto created = std::make_shared<absl::Notification>();
  auto named = std::make_shared<absl::Notification>();
  std::shared_ptr<std::string> create_reply = Capture("reply.create", created);
  std::shared_ptr<std::string> names_reply = Capture("reply.names", named);
  ON_CALL(store_, StreamNames(_)).WillByDefault([&](const v1::ListStreamsRequest&) {
    EXPECT_TRUE(created->HasBeenNotified());
    return absl::StatusOr<v1::StreamNamesResponse>(v1::StreamNamesResponse());
  });

  server_.Publish("$JS.API.STREAM.CREATE.S", "reply.create", "", R"({"name":"S"})");
  ASSERT_TRUE(create_entered_.WaitForNotificationWithTimeout(kDeadlock));
  server_.Publish("$JS.API.STREAM.NAMES", "reply.names", "", "");
  release_store_.Notify();
  ASSERT_TRUE(named->WaitForNotificationWithTimeout(kDeadlock));
  EXPECT_THAT(*create_reply, HasSubstr("stream_create_response"));
  EXPECT_THAT(*names_reply, HasSubstr("stream_names_response"));
}

TEST_F(BridgeTest, TheBridgeLeavesAckSubjectsToTheDataPlane) {
  RecordingDataPlane data_plane;
  StartBridge(&data_plane);
  EXPECT_TRUE(server_.HasInterest("$JS.API.CONSUMER.MSG.NEXT.S.C"));
  EXPECT_FALSE(server_.HasInterest("$JS.ACK.S.C.1.2.2.1795537646953633808.0"));
}

// What a client sent before an API request (its acks) must not be
// overtaken by it: the bridge flushes the data plane before it hands the
// request to its API thread; pull requests go to the data plane in order.
TEST_F(BridgeTest, AnApiRequestFlushesTheDataPlaneFirst) {
  RecordingDataPlane data_plane;
  StartBridge(&data_plane);
  server_.Publish("$JS.API.CONSUMER.MSG.NEXT.S.C", "inbox.1", "", "");
  server_.Publish("$JS.API.STREAM.NAMES", "inbox.2", "", "");
  ASSERT_TRUE(data_plane.WaitFor(2));
  EXPECT_EQ(data_plane.seen(), (std::vector<std::string>{"pull S C inbox.1 ", "flush"}));
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
