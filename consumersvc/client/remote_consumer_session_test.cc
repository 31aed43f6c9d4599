#include "consumersvc/client/remote_consumer_session.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/grpc/grpc_server.h"
#include "consumersvc/client/delivery_frame.h"
#include "consumersvc/client/remote_consumer_client.h"
#include "gtest/gtest.h"
#include "proto/consumer.grpc.pb.h"

namespace jsengine::consumersvc::client {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

// ConsumerService.Session as a test peer: announces consumer `name` to every
// session, then answers each pull request with one delivery to its reply.
// Counts the sessions in progress.
class EchoService final : public v1::ConsumerService::Service {
 public:
  explicit EchoService(std::string name) : name_(std::move(name)) {}

  grpc::Status Session(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::DeliveryBatch, v1::GatewayBatch>* stream) override {
    ChangeOpen(+1);
    v1::DeliveryBatch hello;
    hello.add_consumers_added()->set_name(name_);
    stream->Write(hello);
    v1::GatewayBatch batch;
    while (stream->Read(&batch)) {
      v1::DeliveryBatch replies;
      for (const v1::GatewayEvent& event : batch.events()) {
        AppendDelivery(DeliveryView::Plain(event.pull().reply(), name_, ""),
                       replies.mutable_packed_deliveries());
      }
      if (!stream->Write(replies)) break;
    }
    ChangeOpen(-1);
    return grpc::Status::OK;
  }

  bool WaitForOpen(int n) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_ == n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }

 private:
  void ChangeOpen(int delta) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    open_ += delta;
  }

  const std::string name_;
  absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

// What the session's callback got, flattened: "added <name>" and
// "<delivery subject> from <server>".
class Log {
 public:
  void Add(const v1::DeliveryBatch& batch) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    for (const v1::ConsumerRef& ref : batch.consumers_added()) {
      lines_.push_back("added " + ref.name());
    }
    for (const v1::Delivery& d : UnpackDeliveries(batch)) {
      lines_.push_back(d.subject() + " from " + d.reply());
    }
  }

  bool WaitFor(const std::string& line) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& l : lines_) {
        if (l == line) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), kWait);
  }

  bool WaitForCount(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return lines_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
  }

  std::vector<std::string> lines() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

v1::GatewayBatch Pull(const std::string& reply) {
  v1::GatewayBatch batch;
  batch.add_events()->mutable_pull()->set_reply(reply);
  return batch;
}

// Two services, a RemoteConsumerClient of the first served on a free port,
// and a session of it that logs what it gets.
class RemoteConsumerSessionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    session_.reset();
    client_.reset();
    server_.reset();
  }

  void Serve(EchoService* service, const std::string& address = "127.0.0.1:0") {
    auto server = common::grpc::GrpcServer::Start(address, {service});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  void Connect() {
    ASSERT_NO_FATAL_FAILURE(Serve(&first_));
    address_ = "127.0.0.1:" + std::to_string(server_->port());
    client_ = std::make_unique<RemoteConsumerClient>(address_);
    session_ = client_->OpenSession([this](v1::DeliveryBatch batch) { log_.Add(batch); });
  }

  EchoService first_{"first"};
  EchoService second_{"second"};
  std::unique_ptr<common::grpc::GrpcServer> server_;
  std::string address_;
  std::unique_ptr<RemoteConsumerClient> client_;
  Log log_;
  std::unique_ptr<ConsumerSession> session_;
};

TEST_F(RemoteConsumerSessionTest, CarriesBatchesFromManyThreadsInOrder) {
  Connect();
  ASSERT_TRUE(log_.WaitFor("added first"));

  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        session_->Send(Pull(std::to_string(t) + "." + std::to_string(i)));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(log_.WaitForCount(1 + kThreads * kPerThread));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : log_.lines()) {
    if (line == "added first") continue;
    const int t = line[0] - '0';
    EXPECT_EQ(line, std::to_string(t) + "." + std::to_string(next[t]) + " from first");
    ++next[t];
  }
  EXPECT_EQ(next, std::vector<int>(kThreads, kPerThread));
}

TEST_F(RemoteConsumerSessionTest, DestroyingTheSessionEndsTheCall) {
  Connect();
  ASSERT_TRUE(first_.WaitForOpen(1));
  session_.reset();
  EXPECT_TRUE(first_.WaitForOpen(0));
}

TEST_F(RemoteConsumerSessionTest, ReopensWhenTheServiceComesBack) {
  Connect();
  ASSERT_TRUE(log_.WaitFor("added first"));
  session_->Send(Pull("a"));
  ASSERT_TRUE(log_.WaitFor("a from first"));

  server_->Shutdown();
  server_.reset();
  EXPECT_TRUE(first_.WaitForOpen(0));

  Serve(&second_, address_);
  ASSERT_TRUE(log_.WaitFor("added second"));
  session_->Send(Pull("b"));
  EXPECT_TRUE(log_.WaitFor("b from second"));
  session_.reset();
  EXPECT_TRUE(second_.WaitForOpen(0));
}

TEST_F(RemoteConsumerSessionTest, OutlivingItsClientEndsQuietly) {
  Connect();
  ASSERT_TRUE(log_.WaitFor("added first"));
  client_.reset();
  EXPECT_TRUE(first_.WaitForOpen(0));
  session_->Send(Pull("dropped"));
  session_.reset();
}

}  // namespace
}  // namespace jsengine::consumersvc::client
