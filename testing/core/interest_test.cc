// Interest watches (Server::WatchClientInterest) driven by real client
// connections speaking the raw protocol: SUB, UNSUB, auto-unsubscribe,
// connection close, queue groups, wildcards, and internal subscriptions,
// which are not client interest.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/core/server.h"
#include "gtest/gtest.h"
#include "testing/core/raw_client.h"
#include "testing/core/test_server.h"

namespace jsengine::testing::core {
namespace {

using gateway::core::InboundMessage;
using gateway::core::Server;
using gateway::core::ServerOptions;
using Log = std::vector<bool>;

// A watch for one test, and the calls it received from whichever threads
// made them. Unwatches when it goes.
class InterestLog {
 public:
  InterestLog(Server* server, std::string_view subject, std::string_view queue = "")
      : server_(server), id_(server->WatchClientInterest(subject, queue, Callback())) {
    EXPECT_NE(id_, 0u) << subject;
  }
  ~InterestLog() { server_->UnwatchClientInterest(id_); }

  std::function<void(bool)> Callback() {
    return [this](bool has_interest) {
      absl::MutexLock lock(&mu_);
      log_.push_back(has_interest);
      threads_.push_back(std::this_thread::get_id());
      changed_.SignalAll();
    };
  }
  // The calls so far, once there are at least `n` (or 10 s passed).
  Log WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (log_.size() < n && !changed_.WaitWithDeadline(&mu_, deadline)) {
    }
    return log_;
  }
  std::thread::id LastThread() {
    absl::MutexLock lock(&mu_);
    return threads_.empty() ? std::thread::id() : threads_.back();
  }

 private:
  Server* const server_;
  absl::Mutex mu_;
  absl::CondVar changed_;
  Log log_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread::id> threads_ ABSL_GUARDED_BY(mu_);
  const uint64_t id_;
};

class InterestTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = StartTestServer(ServerOptions()); }
  void TearDown() override { server_->Shutdown(); }

  std::unique_ptr<RawClient> Connect() {
    auto c = std::make_unique<RawClient>(server_->port());
    EXPECT_TRUE(c->connected());
    Roundtrip(c.get(), "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
    return c;
  }
  // Sends `data` and waits until the server has handled it; the interest
  // changes it made have then been reported.
  static void Roundtrip(RawClient* c, const std::string& data) {
    c->Send(data + "PING\r\n");
    EXPECT_TRUE(c->ReadUntil("PONG\r\n")) << data;
    c->Clear();
  }
  std::unique_ptr<Server> server_;
};

TEST_F(InterestTest, SubscribeUnsubscribeAndClose) {
  InterestLog log(server_.get(), "deliver.a");
  EXPECT_EQ(log.WaitFor(1), (Log{false}));
  auto a = Connect();
  Roundtrip(a.get(), "SUB deliver.a 1\r\n");
  EXPECT_EQ(log.WaitFor(2), (Log{false, true}));
  EXPECT_TRUE(server_->HasClientInterest("deliver.a"));
  Roundtrip(a.get(), "SUB deliver.a 2\r\nSUB deliver.b 3\r\nUNSUB 1\r\n");
  EXPECT_EQ(log.WaitFor(2), (Log{false, true}));
  Roundtrip(a.get(), "UNSUB 2\r\n");
  EXPECT_EQ(log.WaitFor(3), (Log{false, true, false}));
  EXPECT_FALSE(server_->HasClientInterest("deliver.a"));
  Roundtrip(a.get(), "SUB deliver.* 4\r\nSUB deliver.a 5\r\n");
  EXPECT_EQ(log.WaitFor(4), (Log{false, true, false, true}));
  a.reset();
  EXPECT_EQ(log.WaitFor(5), (Log{false, true, false, true, false}));
}

TEST_F(InterestTest, WildcardsOfSeveralClients) {
  auto a = Connect();
  auto b = Connect();
  Roundtrip(a.get(), "SUB > 1\r\n");
  Roundtrip(b.get(), "SUB d.* 1\r\n");
  InterestLog x(server_.get(), "d.x");
  InterestLog y(server_.get(), "e.y.z");
  EXPECT_EQ(x.WaitFor(1), (Log{true}));
  EXPECT_EQ(y.WaitFor(1), (Log{true}));
  Roundtrip(a.get(), "UNSUB 1\r\n");
  EXPECT_EQ(y.WaitFor(2), (Log{true, false}));
  EXPECT_EQ(x.WaitFor(1), (Log{true}));
  Roundtrip(b.get(), "UNSUB 1\r\n");
  EXPECT_EQ(x.WaitFor(2), (Log{true, false}));
  Roundtrip(a.get(), "SUB e.> 2\r\n");
  EXPECT_EQ(y.WaitFor(3), (Log{true, false, true}));
  EXPECT_EQ(x.WaitFor(2), (Log{true, false}));
}

TEST_F(InterestTest, QueueGroups) {
  InterestLog any(server_.get(), "q");
  InterestLog group(server_.get(), "q", "g");
  auto a = Connect();
  Roundtrip(a.get(), "SUB q h 1\r\n");
  EXPECT_EQ(any.WaitFor(2), (Log{false, true}));
  EXPECT_EQ(group.WaitFor(1), (Log{false}));
  EXPECT_TRUE(server_->HasClientInterest("q"));
  EXPECT_FALSE(server_->HasClientInterest("q", "g"));
  Roundtrip(a.get(), "SUB q g 2\r\nSUB * g 3\r\n");
  EXPECT_EQ(group.WaitFor(2), (Log{false, true}));
  EXPECT_TRUE(server_->HasClientInterest("q", "g"));
  Roundtrip(a.get(), "UNSUB 2\r\nUNSUB 3\r\n");
  EXPECT_EQ(group.WaitFor(3), (Log{false, true, false}));
  Roundtrip(a.get(), "UNSUB 1\r\n");
  EXPECT_EQ(any.WaitFor(3), (Log{false, true, false}));
}

TEST_F(InterestTest, AutoUnsubscribe) {
  InterestLog log(server_.get(), "au");
  auto a = Connect();
  auto b = Connect();
  Roundtrip(a.get(), "SUB au 1\r\nUNSUB 1 2\r\n");
  EXPECT_EQ(log.WaitFor(2), (Log{false, true}));
  Roundtrip(b.get(), "PUB au 1\r\nx\r\n");
  ASSERT_TRUE(a->ReadUntil("MSG au 1 1\r\nx\r\n"));
  a->Clear();
  EXPECT_EQ(log.WaitFor(2), (Log{false, true}));
  // The last message a subscription takes ends it on the publishing thread.
  server_->Publish("au", "", "", "y");
  EXPECT_EQ(log.WaitFor(3), (Log{false, true, false}));
  EXPECT_EQ(log.LastThread(), std::this_thread::get_id());
  ASSERT_TRUE(a->ReadUntil("MSG au 1 1\r\ny\r\n"));

  Roundtrip(a.get(), "SUB au 2\r\n");
  server_->Publish("au", "", "", "z");
  ASSERT_TRUE(a->ReadUntil("MSG au 2 1\r\nz\r\n"));
  EXPECT_EQ(log.WaitFor(4), (Log{false, true, false, true}));
  Roundtrip(a.get(), "UNSUB 2 1\r\n");
  EXPECT_EQ(log.WaitFor(5), (Log{false, true, false, true, false}));
}

TEST_F(InterestTest, InternalSubscriptionsAreNotClientInterest) {
  InterestLog log(server_.get(), "svc.x");
  const uint64_t wide = server_->SubscribeInternal("svc.>", "", [](const InboundMessage&) {});
  const uint64_t exact = server_->SubscribeInternal("svc.x", "q", [](const InboundMessage&) {});
  EXPECT_TRUE(server_->HasInterest("svc.x"));
  EXPECT_FALSE(server_->HasClientInterest("svc.x"));
  EXPECT_FALSE(server_->HasClientInterest("svc.x", "q"));
  auto a = Connect();
  Roundtrip(a.get(), "SUB svc.x 1\r\n");
  EXPECT_EQ(log.WaitFor(2), (Log{false, true}));
  server_->UnsubscribeInternal(wide);
  server_->UnsubscribeInternal(exact);
  Roundtrip(a.get(), "UNSUB 1\r\n");
  EXPECT_EQ(log.WaitFor(3), (Log{false, true, false}));
  EXPECT_FALSE(server_->HasInterest("svc.x"));
}

TEST_F(InterestTest, CallbacksMayPublishAndUnwatch) {
  std::atomic<int> calls{0};
  uint64_t id = 0;
  id = server_->WatchClientInterest("hello", "", [&](bool has_interest) {
    ++calls;
    if (!has_interest) return;
    server_->Publish("hello", "", "", "welcome");
    server_->UnwatchClientInterest(id);
  });
  ASSERT_NE(id, 0u);
  auto a = Connect();
  a->Send("SUB hello 1\r\n");
  ASSERT_TRUE(a->ReadUntil("MSG hello 1 7\r\nwelcome\r\n"));
  Roundtrip(a.get(), "UNSUB 1\r\nSUB hello 2\r\n");
  EXPECT_EQ(calls.load(), 2);
  server_->UnwatchClientInterest(id);
}

TEST_F(InterestTest, NoCallsAfterUnwatch) {
  std::atomic<int> calls{0};
  server_->UnwatchClientInterest(server_->WatchClientInterest("w", "", [&](bool) { ++calls; }));
  server_->UnwatchClientInterest(12345);
  server_->UnwatchClientInterest(0);
  auto a = Connect();
  Roundtrip(a.get(), "SUB w 1\r\nUNSUB 1\r\n");
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(InterestTest, ShutdownEndsInterest) {
  InterestLog log(server_.get(), "s");
  auto a = Connect();
  Roundtrip(a.get(), "SUB s 1\r\n");
  EXPECT_EQ(log.WaitFor(2), (Log{false, true}));
  server_->Shutdown();
  EXPECT_EQ(log.WaitFor(3), (Log{false, true, false}));
}

}  // namespace
}  // namespace jsengine::testing::core
