// ConsumerDataPlane: the gateway's end of the consumer service's data plane
// (the DataPlane the bridge hands pull requests and acks to).
//
// Pull requests, acks (each consumer's $JS.ACK.<stream>.<consumer>.>,
// subscribed here as the service announces its consumers) and flow-control
// replies ($JS.FC.>) go to the consumer service as GatewayEvents on one
// session; deliveries
// come back and are published on the core server: stored messages to their
// consumer's deliver subject or pull request's reply, showing the subject
// they were stored under (as nats-server does), status messages, advisories
// and ack confirmations. The deliver subjects the service names are watched
// for client interest, and every change is reported back; so are the reply
// subjects its waiting pull requests name, whose loss of interest is
// reported with their stream (the service drops those requests before it
// delivers to them, as nats-server does). A reply through a service import
// (_R_.) is followed to the requester's reply in the importing account, as
// nats-server's trackDownAccountAndInterest, and that is watched. Settle
// goes up the
// same session behind the acks sent before it, and waits (up to
// kSettleWait) for the service's answer.
//
// Events raised while a common::CallbackBurst runs on a thread (an event
// loop's pass over its ready connections: a client's acks and its next pull
// request, read together) go to the service as one batch when the burst
// ends, or at Flush; outside a burst, each goes at once.
//
// A session whose service restarted or reconnected starts with a batch
// naming every consumer the service has: acks of the others are no longer
// served nor their deliver subjects watched; those it names stay served,
// and their deliver and reply subjects are watched afresh, whose first report is the
// interest now (what a service that lost track needs, and a second consumer
// on the subject). Events sent while Start opens the session go first once
// it is open.
//
// JetStream accounts (account_scope.h): the service knows their streams and
// subjects qualified. A delivery is published in the account its subject
// (or, for stored messages and flow control, the stream in its reply)
// names, with the user's names; acks and flow-control replies are served in
// each account and qualified on the way up; deliver subjects are watched in
// their account. Pull requests and settles come qualified (AccountDataPlane
// below). Without accounts nothing is rewritten.
//
// The server and the consumer client must outlive it. Start and Stop from
// one thread; the DataPlane calls from any.
#ifndef JSENGINE_GATEWAY_JETSTREAM_CONSUMER_DATA_PLANE_H_
#define JSENGINE_GATEWAY_JETSTREAM_CONSUMER_DATA_PLANE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "consumersvc/client/consumer_client.h"
#include "consumersvc/client/delivery_frame.h"
#include "gateway/core/server.h"
#include "gateway/jetstream/account_scope.h"
#include "gateway/jetstream/data_plane.h"
#include "proto/consumer.pb.h"

namespace jsengine::gateway::jetstream {

class ConsumerDataPlane final : public DataPlane {
 public:
  // `accounts`: the JetStream accounts besides the global one.
  ConsumerDataPlane(core::Server* server, consumersvc::client::ConsumerClient* consumers,
                    std::vector<std::string> accounts = {});
  ~ConsumerDataPlane() override;

  ConsumerDataPlane(const ConsumerDataPlane&) = delete;
  ConsumerDataPlane& operator=(const ConsumerDataPlane&) = delete;

  void Start() ABSL_LOCKS_EXCLUDED(session_mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(session_mu_, mu_);

  void PullRequest(std::string_view stream, std::string_view consumer, std::string_view reply,
                   std::string_view payload, uint64_t published_through) override;
  bool Settle(std::string_view stream) override ABSL_LOCKS_EXCLUDED(settle_mu_);
  void Flush() override { SendQueued(); }

  // How long Settle waits for the consumer service.
  static constexpr absl::Duration kSettleWait = absl::Seconds(2);

 private:
  struct Outbox;
  struct Queued;
  static Queued& ThreadQueue();

  // This thread's queue, made this plane's (what it held for another plane
  // sent first).
  Queued& QueueFor();
  // Queues `event` for the end of the thread's burst (at once outside one).
  void Send(v1::GatewayEvent event);
  void SendBatch(v1::GatewayBatch batch) ABSL_LOCKS_EXCLUDED(session_mu_);
  // Sends what this thread's burst queued.
  static void SendQueued();
  void Ack(std::string_view subject, std::string_view reply, std::string_view payload);
  void ServeAcks(const v1::ConsumerRef& consumer) ABSL_LOCKS_EXCLUDED(mu_);
  void StopServingAcks(const v1::ConsumerRef& consumer) ABSL_LOCKS_EXCLUDED(mu_);
  void OnDeliveries(v1::DeliveryBatch batch);
  // Publishes `d` in `account` (empty: global) to `subject` with `reply`.
  void Publish(const consumersvc::client::DeliveryView& d, std::string_view account,
               std::string_view subject, std::string_view reply);
  void OnSettled(uint64_t id) ABSL_LOCKS_EXCLUDED(settle_mu_);
  // Stops serving and watching what a session_start batch does not name.
  void KeepOnly(const v1::DeliveryBatch& start) ABSL_LOCKS_EXCLUDED(mu_);
  bool Watched(const std::string& subject) ABSL_LOCKS_EXCLUDED(mu_);
  // Tells the service whether clients listen on `subject` (a reply
  // subject: the one `stream`'s requests wait on).
  void SendInterest(const std::string& subject, bool has_interest, const std::string& stream = "");
  // A watch of client interest: its id and the account it is in.
  struct InterestWatch {
    uint64_t id = 0;
    std::string account;
  };
  using WatchMap = std::map<std::string, InterestWatch>;  // Key -> watch.
  // Watches `where` for client interest as `key` of `watches` (replacing
  // the watch of that key), reporting to `on_change`.
  void AddWatch(WatchMap ConsumerDataPlane::*watches, const std::string& key,
                const JsAccountScope::Located& where,
                std::function<void(bool has_interest)> on_change) ABSL_LOCKS_EXCLUDED(mu_);
  void RemoveWatch(WatchMap ConsumerDataPlane::*watches, const std::string& key)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the watches (taken out of their map).
  void StopWatches(const std::vector<std::pair<std::string, InterestWatch>>& watches);
  void Watch(const std::string& subject) ABSL_LOCKS_EXCLUDED(mu_);
  void Unwatch(const std::string& subject) ABSL_LOCKS_EXCLUDED(mu_);
  // The reply subject of a stream's waiting pull requests: reports when it
  // has no interest (at once if it has none now).
  void WatchReply(const v1::ReplyWatch& watch) ABSL_LOCKS_EXCLUDED(mu_);
  void UnwatchReply(const v1::ReplyWatch& watch) ABSL_LOCKS_EXCLUDED(mu_);

  // Where a subject the service names belongs: one of accounts_, or global.
  JsAccountScope::Located Where(std::string_view subject) const;
  // Where the requester of a reply through service imports (_R_.) listens:
  // false if the exporter no longer routes it (it answered or expired).
  bool FollowResponseRoutes(JsAccountScope::Located* where) const;

  core::Server* const server_;
  consumersvc::client::ConsumerClient* const consumers_;
  const std::set<std::string> accounts_;
  // Reached by the threads' queues; outlives the plane while one holds it.
  const std::shared_ptr<Outbox> outbox_;
  std::vector<uint64_t> flow_control_subscriptions_;

  absl::Mutex session_mu_;
  std::unique_ptr<consumersvc::client::ConsumerSession> session_ ABSL_GUARDED_BY(session_mu_);
  // Events sent before Start had the session.
  v1::GatewayBatch early_ ABSL_GUARDED_BY(session_mu_);

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  WatchMap watches_ ABSL_GUARDED_BY(mu_);        // Deliver subject -> watch.
  WatchMap reply_watches_ ABSL_GUARDED_BY(mu_);  // "<stream> <reply>" -> watch.
  // "<stream>.<consumer>" -> its ack subscription.
  std::map<std::string, uint64_t> ack_subscriptions_ ABSL_GUARDED_BY(mu_);

  absl::Mutex settle_mu_;
  // Settle ids start at random: a consumer service answers every gateway.
  uint64_t next_settle_ ABSL_GUARDED_BY(settle_mu_);
  std::map<uint64_t, std::shared_ptr<absl::Notification>> settles_ ABSL_GUARDED_BY(settle_mu_);
};

// One JetStream account's view of the shared data plane: its bridge's pull
// requests and settles, with the stream and reply qualified. `plane` must
// outlive it.
class AccountDataPlane final : public DataPlane {
 public:
  AccountDataPlane(DataPlane* plane, JsAccountScope scope)
      : plane_(plane), scope_(std::move(scope)) {}

  void PullRequest(std::string_view stream, std::string_view consumer, std::string_view reply,
                   std::string_view payload, uint64_t published_through) override {
    plane_->PullRequest(scope_.Stream(stream), consumer, scope_.Subject(reply), payload,
                        published_through);
  }
  bool Settle(std::string_view stream) override { return plane_->Settle(scope_.Stream(stream)); }
  void Flush() override { plane_->Flush(); }

 private:
  DataPlane* const plane_;
  const JsAccountScope scope_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_CONSUMER_DATA_PLANE_H_
