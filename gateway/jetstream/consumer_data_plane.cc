#include "gateway/jetstream/consumer_data_plane.h"

#include <random>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "common/callback_burst.h"
#include "gateway/core/account.h"
#include "glog/logging.h"

namespace jsengine::gateway::jetstream {
namespace {

// "<stream>.<consumer>": the key of its ack subscription.
std::string AckKey(const v1::ConsumerRef& consumer) {
  return consumer.stream() + "." + consumer.name();
}

// "<stream> <reply>": the key of a reply watch (a stream name has no space).
std::string ReplyKey(const v1::ReplyWatch& watch) { return watch.stream() + " " + watch.reply(); }

uint64_t IdOf(uint64_t id) { return id; }
template <typename Watch>
uint64_t IdOf(const Watch& watch) {
  return watch.id;
}

// Removes the entries of `map` whose key is not in `keep`; returns those
// that hold a subscription or watch.
template <typename Value>
std::vector<std::pair<std::string, Value>> EraseAllBut(const std::set<std::string>& keep,
                                                       std::map<std::string, Value>* map) {
  std::vector<std::pair<std::string, Value>> erased;
  for (auto it = map->begin(); it != map->end();) {
    if (keep.count(it->first)) {
      ++it;
      continue;
    }
    if (IdOf(it->second) != 0) erased.emplace_back(it->first, std::move(it->second));
    it = map->erase(it);
  }
  return erased;
}

}  // namespace

// The plane as a thread's queue reaches it: null once it stopped.
struct ConsumerDataPlane::Outbox {
  absl::Mutex mu;
  ConsumerDataPlane* plane ABSL_GUARDED_BY(mu);
};

// The events a thread's burst queued, and the plane they are for.
struct ConsumerDataPlane::Queued {
  std::weak_ptr<Outbox> outbox;
  v1::GatewayBatch batch;

  // Whether the events are for `to` (the weak pointer keeps the control
  // block, so no other outbox can share it).
  bool For(const std::shared_ptr<Outbox>& to) const {
    return !outbox.owner_before(to) && !to.owner_before(outbox);
  }
};

ConsumerDataPlane::Queued& ConsumerDataPlane::ThreadQueue() {
  thread_local Queued queued;
  return queued;
}

ConsumerDataPlane::ConsumerDataPlane(core::Server* server,
                                     consumersvc::client::ConsumerClient* consumers,
                                     std::vector<std::string> accounts)
    : server_(server),
      consumers_(consumers),
      accounts_(accounts.begin(), accounts.end()),
      outbox_(std::make_shared<Outbox>()),
      next_settle_(std::mt19937_64(std::random_device{}())()) {
  absl::MutexLock lock(&outbox_->mu);
  outbox_->plane = this;
}

ConsumerDataPlane::~ConsumerDataPlane() { Stop(); }

void ConsumerDataPlane::Start() {
  std::unique_ptr<consumersvc::client::ConsumerSession> session =
      consumers_->OpenSession([this](v1::DeliveryBatch batch) { OnDeliveries(std::move(batch)); });
  {
    absl::MutexLock lock(&session_mu_);
    session_ = std::move(session);
    if (!early_.events().empty()) session_->Send(std::move(early_));
    early_.Clear();
  }
  flow_control_subscriptions_.push_back(
      server_->SubscribeInternal("$JS.FC.>", "", [this](const core::InboundMessage& message) {
        v1::GatewayEvent event;
        event.mutable_flow_control()->set_subject(std::string(message.subject));
        Send(std::move(event));
      }));
  for (const std::string& account : accounts_) {
    flow_control_subscriptions_.push_back(server_->SubscribeInternalIn(
        account, "$JS.FC.>", "",
        [this, scope = JsAccountScope(account)](const core::InboundMessage& message) {
          v1::GatewayEvent event;
          event.mutable_flow_control()->set_subject(scope.StreamSubject(message.subject));
          Send(std::move(event));
        }));
  }
}

JsAccountScope::Located ConsumerDataPlane::Where(std::string_view subject) const {
  JsAccountScope::Located located = JsAccountScope::Locate(subject);
  if (located.account.empty() || accounts_.count(located.account) == 0) {
    return {"", std::string(subject)};
  }
  return located;
}

void ConsumerDataPlane::Stop() {
  {
    absl::MutexLock lock(&outbox_->mu);
    outbox_->plane = nullptr;
  }
  for (uint64_t id : flow_control_subscriptions_) {
    if (id != 0) server_->UnsubscribeInternal(id);
  }
  flow_control_subscriptions_.clear();
  std::vector<std::pair<std::string, InterestWatch>> watches;
  std::map<std::string, uint64_t> acks;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    watches.assign(watches_.begin(), watches_.end());
    watches.insert(watches.end(), reply_watches_.begin(), reply_watches_.end());
    watches_.clear();
    reply_watches_.clear();
    acks.swap(ack_subscriptions_);
  }
  StopWatches(watches);
  for (const auto& [consumer, id] : acks) {
    if (id != 0) server_->UnsubscribeInternal(id);
  }
  std::unique_ptr<consumersvc::client::ConsumerSession> session;
  {
    absl::MutexLock lock(&session_mu_);
    session = std::move(session_);
  }
  // Outside the lock: the session waits out a callback, which may Send.
  session.reset();
}

ConsumerDataPlane::Queued& ConsumerDataPlane::QueueFor() {
  Queued& queued = ThreadQueue();
  if (!queued.For(outbox_)) {
    SendQueued();
    queued.outbox = outbox_;
  }
  return queued;
}

void ConsumerDataPlane::Send(v1::GatewayEvent event) {
  *QueueFor().batch.add_events() = std::move(event);
  common::CallbackBurst::AtEnd(&ConsumerDataPlane::SendQueued);
}

void ConsumerDataPlane::SendQueued() {
  Queued& queued = ThreadQueue();
  if (queued.batch.events().empty()) return;
  v1::GatewayBatch batch;
  batch.Swap(&queued.batch);
  std::shared_ptr<Outbox> outbox = queued.outbox.lock();
  if (outbox == nullptr) return;
  absl::ReaderMutexLock lock(&outbox->mu);
  if (outbox->plane != nullptr) outbox->plane->SendBatch(std::move(batch));
}

void ConsumerDataPlane::SendBatch(v1::GatewayBatch batch) {
  {
    absl::ReaderMutexLock lock(&session_mu_);
    if (session_ != nullptr) {
      session_->Send(std::move(batch));
      return;
    }
  }
  absl::MutexLock lock(&session_mu_);
  if (session_ != nullptr) {
    session_->Send(std::move(batch));
  } else {
    for (v1::GatewayEvent& event : *batch.mutable_events()) {
      *early_.add_events() = std::move(event);
    }
  }
}

void ConsumerDataPlane::PullRequest(std::string_view stream, std::string_view consumer,
                                    std::string_view reply, std::string_view payload,
                                    uint64_t published_through) {
  v1::GatewayEvent event;
  v1::PullRequest* pull = event.mutable_pull();
  pull->set_stream(std::string(stream));
  pull->set_consumer(std::string(consumer));
  pull->set_reply(std::string(reply));
  pull->set_body(std::string(payload));
  pull->set_published_through(published_through);
  Send(std::move(event));
}

bool ConsumerDataPlane::Settle(std::string_view stream) {
  auto settled = std::make_shared<absl::Notification>();
  uint64_t id;
  {
    absl::MutexLock lock(&settle_mu_);
    id = next_settle_++;
    settles_.emplace(id, settled);
  }
  v1::GatewayEvent event;
  event.mutable_settle()->set_stream(std::string(stream));
  event.mutable_settle()->set_id(id);
  Send(std::move(event));
  SendQueued();  // Now, even inside a burst: the wait below needs the answer.
  const bool answered = settled->WaitForNotificationWithTimeout(kSettleWait);
  absl::MutexLock lock(&settle_mu_);
  settles_.erase(id);
  return answered;
}

void ConsumerDataPlane::OnSettled(uint64_t id) {
  absl::MutexLock lock(&settle_mu_);
  auto it = settles_.find(id);
  if (it == settles_.end()) return;  // Another gateway's, or given up.
  it->second->Notify();
  settles_.erase(it);
}

void ConsumerDataPlane::Ack(std::string_view subject, std::string_view reply,
                            std::string_view payload) {
  v1::GatewayBatch& batch = QueueFor().batch;
  if (batch.events().empty() || batch.events().rbegin()->event_case() != v1::GatewayEvent::kAcks) {
    batch.add_events()->mutable_acks();
  }
  consumersvc::client::AppendAck({subject, payload, reply},
                                 batch.mutable_events()->rbegin()->mutable_acks());
  common::CallbackBurst::AtEnd(&ConsumerDataPlane::SendQueued);
}

void ConsumerDataPlane::OnDeliveries(v1::DeliveryBatch batch) {
  if (batch.session_start()) KeepOnly(batch);
  common::CallbackBurst burst;
  const bool ok = consumersvc::client::ForEachDelivery(
      batch.packed_deliveries(), [this](const consumersvc::client::DeliveryView& d) {
        if (accounts_.empty()) {
          Publish(d, "", d.subject, d.reply);
          return;
        }
        JsAccountScope::Located to = Where(d.subject);
        JsAccountScope::Located reply = Where(d.reply);
        if (to.account.empty()) to.account = reply.account;
        Publish(d, to.account, to.subject, reply.subject);
      });
  LOG_IF(ERROR, !ok) << "consumer service sent malformed deliveries";
  for (const std::string& subject : batch.watch_interest()) Watch(subject);
  for (const std::string& subject : batch.unwatch_interest()) Unwatch(subject);
  for (const v1::ReplyWatch& watch : batch.watch_replies()) WatchReply(watch);
  for (const v1::ReplyWatch& watch : batch.unwatch_replies()) UnwatchReply(watch);
  for (const v1::ConsumerRef& consumer : batch.consumers_added()) ServeAcks(consumer);
  for (const v1::ConsumerRef& consumer : batch.consumers_removed()) StopServingAcks(consumer);
  for (uint64_t id : batch.settled()) OnSettled(id);
}

void ConsumerDataPlane::Publish(const consumersvc::client::DeliveryView& d,
                                std::string_view account, std::string_view subject,
                                std::string_view reply) {
  if (d.has_message && !d.message_subject.empty()) {
    const std::string_view headers = d.headers.empty() ? d.message_headers : d.headers;
    if (!server_->PublishToIn(account, subject, d.message_subject, reply, headers, d.data) &&
        !Watched(std::string(d.subject))) {
      // A pull request whose requester is gone (nats-server drops those
      // whose reply has no interest): the service stops serving it. Deliver
      // subjects are watched instead.
      SendInterest(std::string(d.subject), false);
    }
    return;
  }
  if (account.empty()) {
    server_->Publish(subject, reply, d.headers, d.data);
    return;
  }
  std::string data(d.data);
  if (subject != d.subject) {
    // An advisory: its JSON names the stream as the service knows it.
    const std::string qualified =
        "\"stream\":\"" + JsAccountScope(std::string(account)).Stream("");
    const size_t at = data.find(qualified);
    if (at != std::string::npos) data.replace(at, qualified.size(), "\"stream\":\"");
  }
  server_->PublishIn(account, subject, reply, d.headers, data);
}

void ConsumerDataPlane::KeepOnly(const v1::DeliveryBatch& start) {
  std::set<std::string> consumers;
  for (const v1::ConsumerRef& consumer : start.consumers_added()) {
    consumers.insert(AckKey(consumer));
  }
  const std::set<std::string> subjects(start.watch_interest().begin(),
                                       start.watch_interest().end());
  std::set<std::string> replies;
  for (const v1::ReplyWatch& watch : start.watch_replies()) replies.insert(ReplyKey(watch));
  std::vector<std::pair<std::string, uint64_t>> acks;
  std::vector<std::pair<std::string, InterestWatch>> watches;
  {
    absl::MutexLock lock(&mu_);
    acks = EraseAllBut(consumers, &ack_subscriptions_);
    watches = EraseAllBut(subjects, &watches_);
    std::vector<std::pair<std::string, InterestWatch>> replies_gone =
        EraseAllBut(replies, &reply_watches_);
    watches.insert(watches.end(), replies_gone.begin(), replies_gone.end());
  }
  for (const auto& [key, id] : acks) server_->UnsubscribeInternal(id);
  StopWatches(watches);
}

void ConsumerDataPlane::StopWatches(
    const std::vector<std::pair<std::string, InterestWatch>>& watches) {
  for (const auto& [key, watch] : watches) {
    server_->UnwatchClientInterestIn(watch.account, watch.id);
  }
}

void ConsumerDataPlane::ServeAcks(const v1::ConsumerRef& consumer) {
  const std::string key = AckKey(consumer);
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ || ack_subscriptions_.count(key)) return;
    ack_subscriptions_[key] = 0;
  }
  JsAccountScope::Located stream = JsAccountScope::LocateStream(consumer.stream());
  if (accounts_.count(stream.account) == 0) stream = {"", consumer.stream()};
  const uint64_t id = server_->SubscribeInternalIn(
      stream.account, "$JS.ACK." + stream.subject + "." + consumer.name() + ".>", "",
      [this, scope = JsAccountScope(stream.account)](const core::InboundMessage& message) {
        if (scope.global()) {
          Ack(message.subject, message.reply, message.payload);
        } else {
          Ack(scope.StreamSubject(message.subject),
              message.reply.empty() ? std::string() : scope.Subject(message.reply),
              message.payload);
        }
      });
  {
    absl::MutexLock lock(&mu_);
    auto it = ack_subscriptions_.find(key);
    if (it != ack_subscriptions_.end() && it->second == 0) {
      it->second = id;
      return;
    }
  }
  server_->UnsubscribeInternal(id);  // Stopped, or no longer wanted, meanwhile.
}

void ConsumerDataPlane::StopServingAcks(const v1::ConsumerRef& consumer) {
  uint64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = ack_subscriptions_.find(AckKey(consumer));
    if (it == ack_subscriptions_.end()) return;
    id = it->second;
    ack_subscriptions_.erase(it);
  }
  if (id != 0) server_->UnsubscribeInternal(id);
}

bool ConsumerDataPlane::Watched(const std::string& subject) {
  absl::MutexLock lock(&mu_);
  return watches_.count(subject) > 0;
}

void ConsumerDataPlane::SendInterest(const std::string& subject, bool has_interest,
                                     const std::string& stream) {
  v1::GatewayEvent event;
  event.mutable_interest()->set_subject(subject);
  event.mutable_interest()->set_has_interest(has_interest);
  event.mutable_interest()->set_stream(stream);
  Send(std::move(event));
}

void ConsumerDataPlane::AddWatch(WatchMap ConsumerDataPlane::*watches, const std::string& key,
                                 const JsAccountScope::Located& where,
                                 std::function<void(bool has_interest)> on_change) {
  InterestWatch replaced{
      server_->WatchClientInterestIn(where.account, where.subject, "", std::move(on_change)),
      where.account};
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) std::swap((this->*watches)[key], replaced);
  }
  if (replaced.id != 0) server_->UnwatchClientInterestIn(replaced.account, replaced.id);
}

void ConsumerDataPlane::RemoveWatch(WatchMap ConsumerDataPlane::*watches, const std::string& key) {
  InterestWatch removed;
  {
    absl::MutexLock lock(&mu_);
    WatchMap& map = this->*watches;
    auto it = map.find(key);
    if (it == map.end()) return;
    removed = std::move(it->second);
    map.erase(it);
  }
  if (removed.id != 0) server_->UnwatchClientInterestIn(removed.account, removed.id);
}

void ConsumerDataPlane::Watch(const std::string& subject) {
  AddWatch(&ConsumerDataPlane::watches_, subject, Where(subject),
           [this, subject](bool has) { SendInterest(subject, has); });
}

void ConsumerDataPlane::Unwatch(const std::string& subject) {
  RemoveWatch(&ConsumerDataPlane::watches_, subject);
}

bool ConsumerDataPlane::FollowResponseRoutes(JsAccountScope::Located* where) const {
  const absl::Time now = absl::Now();
  while (core::Account::IsResponseSubject(where->subject)) {
    const core::Account* exporter = server_->FindAccount(where->account);
    core::Account* importer = nullptr;
    std::string reply;
    if (exporter == nullptr ||
        !exporter->FindResponseRoute(where->subject, &importer, &reply, now)) {
      return false;
    }
    where->account = importer == server_->global_account() ? "" : importer->name();
    where->subject = std::move(reply);
  }
  return true;
}

void ConsumerDataPlane::WatchReply(const v1::ReplyWatch& watch) {
  JsAccountScope::Located where = Where(watch.reply());
  // A route already gone leaves the request to find out at delivery.
  if (!FollowResponseRoutes(&where)) return;
  AddWatch(&ConsumerDataPlane::reply_watches_, ReplyKey(watch), where, [this, watch](bool has) {
    if (!has) SendInterest(watch.reply(), false, watch.stream());
  });
}

void ConsumerDataPlane::UnwatchReply(const v1::ReplyWatch& watch) {
  RemoveWatch(&ConsumerDataPlane::reply_watches_, ReplyKey(watch));
}

}  // namespace jsengine::gateway::jetstream
