// StreamConsumers over a real Store: retention (what acks remove, when the
// removals reach the store and what waits for them) and the consumer count.
#include "consumersvc/stream_consumers.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/thread_pool.h"
#include "consumersvc/ack.h"
#include "consumersvc/client/delivery_frame.h"
#include "gtest/gtest.h"
#include "storesvc/client/forwarding_store_client.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

// Passes everything to a Store, and records the RemoveMessages calls; while
// held, their answers wait for Release(). While down (Down() to Up()), as a
// store out of reach: tails end, and stream info and removals fail, with
// UNAVAILABLE.
class RecordingStore final : public storesvc::client::ForwardingStoreClient {
 public:
  using ForwardingStoreClient::ForwardingStoreClient;

  void RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) override {
    {
      absl::MutexLock lock(&mu_);
      removals_.push_back(request);
      if (down_) {
        done(absl::UnavailableError("store down"));
        return;
      }
    }
    absl::StatusOr<v1::RemoveMessagesResponse> result;
    ForwardingStoreClient::RemoveMessages(
        std::move(request),
        [&result](absl::StatusOr<v1::RemoveMessagesResponse> r) { result = std::move(r); });
    {
      // Decided and queued under one lock, so a Release() in between cannot
      // miss this answer.
      absl::MutexLock lock(&mu_);
      if (hold_) {
        held_.push_back([done, result] { done(result); });
        return;
      }
    }
    done(std::move(result));
  }

  // Tails (reads with `tail`) pass their batches on only while not held;
  // held ones go on at ReleaseTails().
  std::unique_ptr<storesvc::client::Subscription> Read(const v1::ReadRequest& request,
                                                       BatchCallback on_batch,
                                                       DoneCallback done) override {
    {
      absl::MutexLock lock(&mu_);
      if (down_) {
        if (!request.tail()) ++failed_reads_;
        done(absl::UnavailableError("store down"));
        return std::make_unique<Tail>(nullptr);
      }
    }
    if (!request.tail()) {
      return ForwardingStoreClient::Read(request, std::move(on_batch), std::move(done));
    }
    auto tail = std::make_shared<TailState>();
    tail->done = std::move(done);
    tail->inner = ForwardingStoreClient::Read(
        request,
        [this, on_batch](v1::MessageBatch& batch) {
          absl::MutexLock lock(&mu_);
          if (!hold_tails_) return on_batch(batch);
          held_tails_.push_back([on_batch, batch]() mutable { on_batch(batch); });
          return true;
        },
        [tail](absl::Status status) { tail->done(status); });
    absl::MutexLock lock(&mu_);
    tails_.push_back(tail);
    return std::make_unique<Tail>(tail);
  }
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override {
    {
      absl::MutexLock lock(&mu_);
      if (down_) return absl::UnavailableError("store down");
    }
    return ForwardingStoreClient::GetStreamInfo(request);
  }
  // Ends every running tail with UNAVAILABLE; until Up(), calls fail.
  void Down() {
    std::vector<std::shared_ptr<TailState>> tails;
    {
      absl::MutexLock lock(&mu_);
      down_ = true;
      tails.swap(tails_);
    }
    for (const auto& tail : tails) {
      if (tail->inner == nullptr) continue;
      tail->inner->Cancel();
      tail->inner.reset();
      tail->done(absl::UnavailableError("store down"));
    }
  }
  void Up() {
    absl::MutexLock lock(&mu_);
    down_ = false;
  }
  // Reads other than tails that failed for the store being down.
  int failed_reads() {
    absl::MutexLock lock(&mu_);
    return failed_reads_;
  }
  void HoldTails() {
    absl::MutexLock lock(&mu_);
    hold_tails_ = true;
  }
  void ReleaseTails() {
    absl::MutexLock lock(&mu_);
    hold_tails_ = false;
    for (auto& pass_on : held_tails_) pass_on();
    held_tails_.clear();
  }

  void Hold() {
    absl::MutexLock lock(&mu_);
    hold_ = true;
  }
  // Answers the held calls and stops holding.
  void Release() {
    std::vector<std::function<void()>> held;
    {
      absl::MutexLock lock(&mu_);
      hold_ = false;
      held.swap(held_);
    }
    for (auto& answer : held) answer();
  }
  std::vector<v1::RemoveMessagesRequest> removals() {
    absl::MutexLock lock(&mu_);
    return removals_;
  }

 private:
  struct TailState {
    std::unique_ptr<storesvc::client::Subscription> inner;
    DoneCallback done;
  };
  class Tail final : public storesvc::client::Subscription {
   public:
    explicit Tail(std::shared_ptr<TailState> state) : state_(std::move(state)) {}
    ~Tail() override { Cancel(); }
    void Cancel() override {
      if (state_ != nullptr && state_->inner != nullptr) state_->inner->Cancel();
    }

   private:
    std::shared_ptr<TailState> state_;
  };

  absl::Mutex mu_;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  int failed_reads_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::shared_ptr<TailState>> tails_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void()>> held_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RemoveMessagesRequest> removals_ ABSL_GUARDED_BY(mu_);
  bool hold_tails_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void()>> held_tails_ ABSL_GUARDED_BY(mu_);
};

// Collects what the stream sends: deliveries (with their ack subjects) and
// ack confirmations.
class Sink final : public StreamConsumers::Sink {
 public:
  void Send(v1::DeliveryBatch batch) override {
    absl::MutexLock lock(&mu_);
    for (v1::Delivery& d : client::UnpackDeliveries(batch)) {
      if (absl::StartsWith(d.subject(), "$JS.EVENT.ADVISORY.")) {
        advisories_.push_back(d.subject());
      } else if (d.has_message()) {
        messages_.push_back(std::move(d));
      } else {
        confirmed_.push_back(d.subject());
      }
    }
    for (uint64_t id : batch.settled()) settled_.push_back(id);
    for (const v1::ReplyWatch& w : batch.watch_replies()) {
      reply_watches_.push_back(absl::StrCat("+", w.stream(), " ", w.reply()));
    }
    for (const v1::ReplyWatch& w : batch.unwatch_replies()) {
      reply_watches_.push_back(absl::StrCat("-", w.stream(), " ", w.reply()));
    }
  }
  void ScheduleTick(const std::shared_ptr<StreamConsumers>&, int64_t) override {}
  void Gone(const std::string& stream) override {
    absl::MutexLock lock(&mu_);
    gone_.push_back(stream);
  }
  std::vector<std::string> gone() {
    absl::MutexLock lock(&mu_);
    return gone_;
  }

  // Waits for `n` stored messages delivered and takes them.
  std::vector<v1::Delivery> Take(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return messages_.size() >= n; };
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&enough), kWait))
        << "got " << messages_.size() << " of " << n;
    std::vector<v1::Delivery> out;
    while (!messages_.empty() && out.size() < n) {
      out.push_back(std::move(messages_.front()));
      messages_.pop_front();
    }
    return out;
  }
  std::vector<std::string> confirmed() {
    absl::MutexLock lock(&mu_);
    return confirmed_;
  }
  std::vector<uint64_t> settled() {
    absl::MutexLock lock(&mu_);
    return settled_;
  }
  std::vector<std::string> advisories() {
    absl::MutexLock lock(&mu_);
    return advisories_;
  }
  // Reply watches asked for ("+<stream> <reply>") and dropped ("-..."),
  // since the last call.
  std::vector<std::string> TakeReplyWatches() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    out.swap(reply_watches_);
    return out;
  }

 private:
  absl::Mutex mu_;
  std::deque<v1::Delivery> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> confirmed_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> settled_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> advisories_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> reply_watches_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> gone_ ABSL_GUARDED_BY(mu_);
};

v1::ConsumerConfig Pull(const std::string& name, const std::string& filter = "",
                        v1::AckPolicy ack = v1::ACK_EXPLICIT) {
  v1::ConsumerConfig c;
  c.set_durable_name(name);
  c.set_ack_policy(ack);
  c.set_filter_subject(filter);
  return c;
}

class StreamConsumersTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (consumers_ != nullptr) {
      Run([this](StreamConsumers&) { consumers_.reset(); });
    }
    pool_.Shutdown();
  }

  void Make(v1::RetentionPolicy retention, int64_t max_msgs = 0,
            StreamFeed::Limits cache = StreamFeed::Limits{}) {
    storesvc::StoreOptions options;
    options.data_dir = testing::util::MakeTempDir("stream_consumers-");
    auto store = storesvc::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    recording_ = std::make_unique<RecordingStore>(store_.get());
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name("S");
    create.mutable_config()->add_subjects("s.>");
    create.mutable_config()->set_retention(retention);
    if (max_msgs > 0) create.mutable_config()->set_max_msgs(max_msgs);
    auto info = store_->CreateStream(create);
    ASSERT_TRUE(info.ok()) << info.status();
    stream_ = *info;
    consumers_ = std::make_shared<StreamConsumers>("S", retention, recording_.get(), &pool_, &sink_,
                                                   ConsumerLimits{}, cache, nullptr);
    Run([this](StreamConsumers& s) { s.Start(0, 0, stream_.created_ns()); });
  }

  // Runs `fn` on the strand, then Finish, and waits for it.
  template <typename Fn>
  void Run(Fn fn) {
    absl::Notification done;
    std::shared_ptr<StreamConsumers> s = consumers_;
    s->strand()->Post([&] {
      fn(*s);
      if (consumers_ != nullptr) s->Finish(absl::GetCurrentTimeNanos());
      done.Notify();
    });
    done.WaitForNotification();
  }

  // Waits until the acks handed over so far have had their removals.
  void Settle() {
    absl::Notification done;
    Run([&](StreamConsumers& s) { s.AfterRemovals([&] { done.Notify(); }); });
    ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWait));
  }

  void Create(const v1::ConsumerConfig& config) {
    v1::CreateConsumerRequest request;
    request.set_stream("S");
    *request.mutable_config() = config;
    Run([&](StreamConsumers& s) {
      auto info = s.Create(request, stream_, absl::GetCurrentTimeNanos());
      ASSERT_TRUE(info.ok()) << info.status();
    });
  }

  void Publish(const std::vector<std::string>& subjects) {
    v1::AppendBatch batch;
    for (const std::string& subject : subjects) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_stream("S");
      r->set_subject(subject);
      r->set_data(subject);
    }
    absl::Notification done;
    store_->Append(std::move(batch), [&](v1::AppendResultBatch) { done.Notify(); });
    done.WaitForNotification();
  }

  // Pulls `n` messages of `consumer` and returns their ack subjects.
  std::vector<std::string> Fetch(const std::string& consumer, int n) {
    Run([&](StreamConsumers& s) {
      s.OnPull(consumer, "_INBOX." + consumer, absl::StrCat("{\"batch\":", n, "}"),
               absl::GetCurrentTimeNanos());
    });
    std::vector<std::string> acks;
    for (const v1::Delivery& d : sink_.Take(n)) acks.push_back(d.reply());
    return acks;
  }

  void Ack(StreamConsumers& s, const std::string& ack_subject, const std::string& reply = "",
           const std::string& body = "") {
    absl::StatusOr<AckSubject> ack = ParseAckSubject(ack_subject);
    ASSERT_TRUE(ack.ok()) << ack_subject;
    s.OnAck(*ack, ParseAckBody(body), reply, absl::GetCurrentTimeNanos());
  }
  void Ack(const std::string& ack_subject, const std::string& reply = "",
           const std::string& body = "") {
    Run([&](StreamConsumers& s) { Ack(s, ack_subject, reply, body); });
  }

  v1::StreamState State() {
    v1::StreamInfoRequest request;
    request.set_name("S");
    request.set_deleted_details(true);
    return store_->GetStreamInfo(request).value().state();
  }
  std::vector<uint64_t> Stored() {
    std::vector<uint64_t> out;
    v1::StreamState state = State();
    for (uint64_t seq = state.first_seq(); seq <= state.last_seq(); ++seq) {
      if (std::find(state.deleted().begin(), state.deleted().end(), seq) == state.deleted().end()) {
        out.push_back(seq);
      }
    }
    return out;
  }

  common::ThreadPool pool_{1};
  Sink sink_;
  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<RecordingStore> recording_;
  v1::StreamInfo stream_;
  std::shared_ptr<StreamConsumers> consumers_;
};

TEST_F(StreamConsumersTest, InterestStreamKeepsAMessageUntilEveryMatchingConsumerAcked) {
  Make(v1::RETENTION_INTEREST);
  Publish({"s.eu"});
  EXPECT_EQ(State().messages(), 0u) << "no consumers: nothing kept";
  Create(Pull("ALL"));
  Create(Pull("EU", "s.eu"));
  Publish({"s.eu", "s.us", "s.eu"});  // 2, 3, 4.
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{2, 3, 4}));

  std::vector<std::string> all = Fetch("ALL", 3);
  std::vector<std::string> eu = Fetch("EU", 2);
  Ack(all[0]);
  Ack(all[1]);
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{2, 4})) << "s.us needed ALL's ack only";
  Ack(eu[0]);
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{4}));
  Ack(eu[1], "", "+TERM");
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{4})) << "ALL has not acked it";
  Ack(all[2]);
  Settle();
  EXPECT_EQ(State().messages(), 0u);
}

TEST_F(StreamConsumersTest, AcksQueuedTogetherReachTheStoreInOneCall) {
  Make(v1::RETENTION_WORK_QUEUE);
  Publish(std::vector<std::string>(10, "s.job"));
  Create(Pull("W"));
  std::vector<std::string> acks = Fetch("W", 10);
  const size_t calls_before = recording_->removals().size();
  // Every ack is its own task, queued behind one the strand is busy with.
  absl::Notification go;
  consumers_->strand()->Post([&] { go.WaitForNotification(); });
  for (const std::string& ack : acks) {
    consumers_->strand()->Post([this, ack] {
      Ack(*consumers_, ack);
      consumers_->Finish(absl::GetCurrentTimeNanos());
    });
  }
  go.Notify();
  Settle();
  std::vector<v1::RemoveMessagesRequest> calls = recording_->removals();
  ASSERT_EQ(calls.size(), calls_before + 1);
  ASSERT_EQ(calls.back().removals_size(), 1);
  EXPECT_EQ(calls.back().removals(0).first_seq(), 1u);
  EXPECT_EQ(calls.back().removals(0).last_seq(), 10u);
  EXPECT_EQ(State().messages(), 0u);
}

TEST_F(StreamConsumersTest, AckSyncIsConfirmedOnceItsRemovalIsApplied) {
  Make(v1::RETENTION_WORK_QUEUE);
  Publish({"s.a", "s.b", "s.c"});
  Create(Pull("W"));
  std::vector<std::string> acks = Fetch("W", 3);
  recording_->Hold();
  Ack(acks[0], "_INBOX.sync1");
  // The first removal is in flight; these wait and go in one later call.
  Ack(acks[1], "_INBOX.sync2");
  Ack(acks[2]);
  Run([](StreamConsumers&) {});
  EXPECT_TRUE(sink_.confirmed().empty());
  const size_t calls = recording_->removals().size();
  recording_->Release();
  Settle();
  EXPECT_EQ(sink_.confirmed(), (std::vector<std::string>{"_INBOX.sync1", "_INBOX.sync2"}));
  EXPECT_EQ(recording_->removals().size(), calls + 1);
  EXPECT_EQ(State().messages(), 0u);
}

TEST_F(StreamConsumersTest, SettleAnswersAfterTheRemovalsBeforeIt) {
  Make(v1::RETENTION_WORK_QUEUE);
  Publish({"s.a"});
  Create(Pull("W"));
  std::vector<std::string> acks = Fetch("W", 1);
  recording_->Hold();
  Run([&](StreamConsumers& s) {
    Ack(s, acks[0]);
    s.Settle(7);
  });
  EXPECT_TRUE(sink_.settled().empty());
  recording_->Release();
  Settle();
  EXPECT_EQ(sink_.settled(), std::vector<uint64_t>{7});
  Run([](StreamConsumers& s) { s.Settle(8); });  // Nothing outstanding: at once.
  EXPECT_EQ(sink_.settled(), (std::vector<uint64_t>{7, 8}));
}

TEST_F(StreamConsumersTest, WorkQueueKeepsWithoutConsumersAndNeverRedeliversAnAckedMessage) {
  Make(v1::RETENTION_WORK_QUEUE);
  Publish({"s.a", "s.b", "s.c"});
  EXPECT_EQ(State().messages(), 3u);
  Create(Pull("W"));
  std::vector<std::string> acks = Fetch("W", 3);
  Ack(acks[1]);
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{1, 3}));
  Run([](StreamConsumers& s) { ASSERT_TRUE(s.Delete("W", 0).ok()); });
  Create(Pull("V"));
  std::vector<v1::Delivery> got;
  Run([](StreamConsumers& s) { s.OnPull("V", "_INBOX.v", "{\"batch\":3}", 0); });
  for (const v1::Delivery& d : sink_.Take(2)) got.push_back(d);
  EXPECT_EQ(got[0].message().seq(), 1u);
  EXPECT_EQ(got[1].message().seq(), 3u) << "2 is gone, from the cache too";
}

TEST_F(StreamConsumersTest, DeletingAConsumerRemovesWhatOnlyItHeld) {
  Make(v1::RETENTION_INTEREST);
  Create(Pull("A", "s.a"));
  Create(Pull("B"));
  Publish({"s.a", "s.b", "s.a"});
  std::vector<std::string> a = Fetch("A", 2);
  Ack(a[0]);
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{1, 2, 3})) << "B holds them all";
  Run([](StreamConsumers& s) { ASSERT_TRUE(s.Delete("B", 0).ok()); });
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{3})) << "A still holds 3";
  Publish({"s.b", "s.a"});
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{3, 5})) << "no consumer takes s.b now";
  Run([](StreamConsumers& s) { ASSERT_TRUE(s.Delete("A", 0).ok()); });
  Settle();
  EXPECT_EQ(State().messages(), 0u);
}

TEST_F(StreamConsumersTest, AckNoneCountsAsAckedOnDelivery) {
  Make(v1::RETENTION_INTEREST);
  Create(Pull("N", "", v1::ACK_NONE));
  Publish({"s.a", "s.b"});
  Fetch("N", 2);
  Settle();
  EXPECT_EQ(State().messages(), 0u);
}

TEST_F(StreamConsumersTest, CountsItsConsumersForAnyThread) {
  Make(v1::RETENTION_LIMITS);
  EXPECT_EQ(consumers_->count(), 0u);
  Create(Pull("A"));
  Create(Pull("B"));
  EXPECT_EQ(consumers_->count(), 2u);
  Run([](StreamConsumers& s) { ASSERT_TRUE(s.Delete("A", 0).ok()); });
  EXPECT_EQ(consumers_->count(), 1u);
  Publish({"s.a"});
  std::vector<std::string> acks = Fetch("B", 1);
  Ack(acks[0], "_INBOX.sync");
  Settle();
  EXPECT_EQ(State().messages(), 1u) << "limits: acks remove nothing";
  EXPECT_TRUE(recording_->removals().empty());
}

TEST_F(StreamConsumersTest, AnnouncesConsumersCreatedAndDeleted) {
  Make(v1::RETENTION_LIMITS);
  Create(Pull("A"));
  Create(Pull("A"));  // The same again: nothing new.
  Run([](StreamConsumers& s) { ASSERT_TRUE(s.Delete("A", 0).ok()); });
  EXPECT_EQ(sink_.advisories(), (std::vector<std::string>{
                                    "$JS.EVENT.ADVISORY.CONSUMER.CREATED.S.A",
                                    "$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.A",
                                }));
}

// The gateway is asked to watch a reply subject while pull requests wait on
// it (once, however many), and told when none does; a request served at
// once is never watched. A new gateway learns the replies watched.
TEST_F(StreamConsumersTest, RepliesOfWaitingRequestsAreWatchedWhileTheyWait) {
  Make(v1::RETENTION_LIMITS);
  Create(Pull("A"));
  Create(Pull("B"));
  auto pull = [this](const std::string& consumer, const std::string& reply,
                     uint64_t published_through = 0) {
    Run([&](StreamConsumers& s) {
      s.OnPull(consumer, reply, R"({"batch":1})", absl::GetCurrentTimeNanos(), published_through);
    });
  };
  pull("A", "_INBOX.x");
  pull("A", "_INBOX.x");
  pull("B", "_INBOX.x");
  EXPECT_EQ(sink_.TakeReplyWatches(), std::vector<std::string>{"+S _INBOX.x"});
  v1::DeliveryBatch announced;
  Run([&](StreamConsumers& s) { s.Announce(&announced); });
  ASSERT_EQ(announced.watch_replies_size(), 1);
  EXPECT_EQ(announced.watch_replies(0).reply(), "_INBOX.x");

  Publish({"s.a"});
  ASSERT_EQ(sink_.Take(2).size(), 2u);
  EXPECT_TRUE(sink_.TakeReplyWatches().empty()) << "A's second request still waits";
  Run([](StreamConsumers& s) { s.OnInterest("_INBOX.x", false, absl::GetCurrentTimeNanos()); });
  EXPECT_EQ(sink_.TakeReplyWatches(), std::vector<std::string>{"-S _INBOX.x"});

  Publish({"s.a"});
  pull("B", "_INBOX.y", /*published_through=*/2);
  ASSERT_EQ(sink_.Take(1).size(), 1u);
  Run([](StreamConsumers& s) {
    v1::ConsumerInfo a = *s.Info("A", absl::GetCurrentTimeNanos());
    EXPECT_EQ(a.num_waiting(), 0);
    EXPECT_EQ(a.delivered().stream_seq(), 1u) << "nothing for the dropped request";
    EXPECT_EQ(a.num_pending(), 1u);
  });
  EXPECT_TRUE(sink_.TakeReplyWatches().empty()) << "served at once";
}

// A pull sees what was published before it, although the tail that brings
// new messages to the consumers is late.
TEST_F(StreamConsumersTest, APullWaitsForTheTailToReachWhatWasPublishedBeforeIt) {
  Make(v1::RETENTION_LIMITS);
  Create(Pull("P"));
  recording_->HoldTails();
  Publish({"s.a", "s.b", "s.c"});
  Run([](StreamConsumers& s) {
    s.OnPull("P", "_INBOX.p", R"({"batch":3,"no_wait":true})", absl::GetCurrentTimeNanos(),
             /*published_through=*/3);
  });
  EXPECT_TRUE(sink_.confirmed().empty()) << "no 404 No Messages while the tail is behind";
  recording_->ReleaseTails();
  std::vector<v1::Delivery> got = sink_.Take(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].message().seq(), 1u);
  EXPECT_EQ(got[2].message().seq(), 3u);
  EXPECT_TRUE(sink_.confirmed().empty()) << "a full batch ends without a status";
}

// Messages the stream lost while awaiting their ack (a limit, a delete)
// count as acknowledged, as in nats-server: they hold no max_ack_pending
// slot until their ack wait ends.
TEST_F(StreamConsumersTest, MessagesTheStreamLostAreNoLongerAwaitingAcks) {
  Make(v1::RETENTION_LIMITS, /*max_msgs=*/3);
  v1::ConsumerConfig config = Pull("P");
  config.set_max_ack_pending(1);
  Create(config);
  Publish({"s.a"});
  Fetch("P", 1);  // 1 awaits its ack.
  Run([](StreamConsumers& s) {
    v1::DeleteMessageRequest remove;
    remove.set_stream("S");
    remove.set_seq(1);
    ASSERT_TRUE(s.DeleteMessage(remove).ok());
  });
  auto info = [this] {
    v1::ConsumerInfo out;
    Run([&](StreamConsumers& s) { out = s.Info("P", absl::GetCurrentTimeNanos()).value(); });
    return out;
  };
  EXPECT_EQ(info().num_ack_pending(), 0);
  EXPECT_EQ(info().ack_floor().stream_seq(), 1u);

  Publish({"s.b"});
  Fetch("P", 1);  // 2 awaits its ack; 3, 4 and 5 push it out (max_msgs 3).
  Publish({"s.c", "s.d", "s.e"});
  std::vector<std::string> acks = Fetch("P", 1);
  ASSERT_EQ(acks.size(), 1u) << "2 no longer holds the only max_ack_pending slot";
  EXPECT_EQ(info().ack_floor().stream_seq(), 2u);
}

// A message deleted after the tail read it, before the batch reached the
// consumers, is not delivered.
TEST_F(StreamConsumersTest, AMessageDeletedBeforeTheTailBroughtItIsNotDelivered) {
  Make(v1::RETENTION_LIMITS);
  Create(Pull("P"));
  recording_->HoldTails();
  Publish({"s.a", "s.b", "s.c"});
  Run([](StreamConsumers& s) {
    v1::DeleteMessageRequest remove;
    remove.set_stream("S");
    remove.set_seq(2);
    ASSERT_TRUE(s.DeleteMessage(remove).ok());
  });
  recording_->ReleaseTails();
  Run([](StreamConsumers& s) {
    s.OnPull("P", "_INBOX.p", R"({"batch":3,"expires":1000000000})", absl::GetCurrentTimeNanos(),
             /*published_through=*/3);
  });
  std::vector<v1::Delivery> got = sink_.Take(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].message().seq(), 1u);
  EXPECT_EQ(got[1].message().seq(), 3u);
}

// A purge of other subjects drops the feed's cache and what the tail has yet
// to bring up to the purge; a consumer waiting for one of those messages
// reads it from the store (an object store's watcher waiting for a delete
// marker while the delete purges the object's chunks).
TEST_F(StreamConsumersTest, APurgeOfOtherSubjectsDoesNotStrandAWaitingConsumer) {
  Make(v1::RETENTION_LIMITS);
  Create(Pull("P", "s.m"));
  recording_->HoldTails();
  Publish({"s.m", "s.c"});
  Run([](StreamConsumers& s) {
    s.OnPull("P", "_INBOX.p", R"({"batch":1,"expires":30000000000})", absl::GetCurrentTimeNanos());
  });
  Run([](StreamConsumers& s) {
    v1::PurgeStreamRequest purge;
    purge.set_name("S");
    purge.set_filter("s.c");
    ASSERT_TRUE(s.Purge(purge, absl::GetCurrentTimeNanos()).ok());
  });
  recording_->ReleaseTails();
  std::vector<v1::Delivery> got = sink_.Take(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message().seq(), 1u);
}

}  // namespace
}  // namespace jsengine::consumersvc

namespace jsengine::consumersvc {
namespace {

// What Tick sees once the consumers' retry of a lost tail is due.
constexpr int64_t kRetryDue = int64_t{60} * 1000 * 1000 * 1000;

TEST_F(StreamConsumersTest, ATailLostWithTheStoreResumesAndFailedRemovalsGoAgain) {
  Make(v1::RETENTION_WORK_QUEUE);
  Create(Pull("W"));
  Publish({"s.a", "s.b", "s.c"});
  std::vector<std::string> acks = Fetch("W", 3);
  ASSERT_EQ(acks.size(), 3u);

  recording_->Down();
  for (const std::string& ack : acks) Ack(ack);
  Settle();
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{1, 2, 3})) << "the store was away";
  Run([](StreamConsumers& s) { s.Tick(absl::GetCurrentTimeNanos() + kRetryDue); });
  EXPECT_EQ(Stored(), (std::vector<uint64_t>{1, 2, 3})) << "still away: the retry failed";

  recording_->Up();
  Run([](StreamConsumers& s) { s.Tick(absl::GetCurrentTimeNanos() + 2 * kRetryDue); });
  Settle();
  EXPECT_EQ(Stored(), std::vector<uint64_t>{});
  Publish({"s.d"});
  std::vector<v1::Delivery> got;
  Run([](StreamConsumers& s) {
    s.OnPull("W", "_INBOX.W", "{\"batch\":1}", absl::GetCurrentTimeNanos());
  });
  got = sink_.Take(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message().seq(), 4u);
  EXPECT_TRUE(sink_.gone().empty());
}

TEST_F(StreamConsumersTest, ReadsBehindTheCacheWaitForTheStoreRatherThanSpin) {
  StreamFeed::Limits cache;
  cache.messages = 2;
  Make(v1::RETENTION_LIMITS, 0, cache);
  Publish({"s.1", "s.2", "s.3", "s.4", "s.5", "s.6"});
  absl::Notification caught_up;
  Run([&](StreamConsumers& s) { s.AfterTail(6, [&] { caught_up.Notify(); }); });
  ASSERT_TRUE(caught_up.WaitForNotificationWithTimeout(kWait));
  Create(Pull("W"));

  recording_->Down();
  Run([](StreamConsumers& s) {
    s.OnPull("W", "_INBOX.W", "{\"batch\":3}", absl::GetCurrentTimeNanos());
  });
  for (int i = 0; i < 20; ++i) Run([](StreamConsumers&) {});
  EXPECT_EQ(recording_->failed_reads(), 1) << "asked again while the store was away";

  recording_->Up();
  Run([](StreamConsumers& s) { s.Tick(absl::GetCurrentTimeNanos() + kRetryDue); });
  std::vector<v1::Delivery> got = sink_.Take(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].message().seq(), 1u);
  EXPECT_EQ(got[2].message().seq(), 3u);
}

TEST_F(StreamConsumersTest, AStreamMadeAnewWhileTheStoreWasAwayTakesTheConsumers) {
  Make(v1::RETENTION_LIMITS);
  Create(Pull("W"));
  recording_->Down();
  v1::DeleteStreamRequest remove;
  remove.set_name("S");
  ASSERT_TRUE(store_->DeleteStream(remove).ok());
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("S");
  create.mutable_config()->add_subjects("s.>");
  ASSERT_TRUE(store_->CreateStream(create).ok());
  recording_->Up();
  Run([](StreamConsumers& s) { s.Tick(absl::GetCurrentTimeNanos() + kRetryDue); });
  EXPECT_EQ(sink_.gone(), std::vector<std::string>{"S"});
  size_t left = 1;
  Run([&](StreamConsumers& s) { left = s.size(); });
  EXPECT_EQ(left, 0u);
}

}  // namespace
}  // namespace jsengine::consumersvc
