// ConsumerEngine: the consumer service as a library, and the embedded
// deployment's ConsumerClient (the gateway calls it directly, no gRPC).
//
// Owns every stream's StreamConsumers, the small thread pool their strands
// share, and one timer thread that ticks them when their consumers are due.
// Admin calls run on the stream's strand and wait for it. A session's
// events are posted to the strands of the streams they name; deliveries go
// to every open session (one gateway per consumer service for now). A new
// session first gets every consumer, in a batch marked session_start;
// batches for it that arise meanwhile follow that one. A session's Settle
// event is answered (DeliveryBatch.settled) once the stream's strand has
// applied the acks before it and the store their removals.
// Consumers of a deleted stream are deleted with it.
//
//   auto engine = ConsumerEngine::Start({}, store);
//   auto session = (*engine)->OpenSession([&](v1::DeliveryBatch b) { ... });
//
// With a data directory, consumers and their state (delivered, ack floor,
// pending) survive restarts (ConsumerStateStore); an ack's confirmation
// (AckSync) waits until it is as durable as the sync policy promises.
//
// Thread-safety: thread-safe. The store must outlive the engine.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_ENGINE_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_ENGINE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sync_spec.h"
#include "common/thread_pool.h"
#include "consumersvc/client/consumer_client.h"
#include "consumersvc/consumer_config.h"
#include "consumersvc/state_store.h"
#include "consumersvc/stream_consumers.h"
#include "storesvc/client/store_client.h"

namespace jsengine::consumersvc {

struct ConsumerEngineOptions {
  ConsumerLimits limits;
  int threads = 2;
  // Where consumers' state is kept (<data_dir>/consumers); empty: in memory.
  std::string data_dir;
  common::SyncSpec sync;
  // Newest messages kept per stream for consumers that keep up.
  StreamFeed::Limits cache;
  // A session's events run on the thread that sends them when their
  // stream's strand is idle (Strand::RunOrPost), saving a thread hand-off
  // per batch: for senders that may spend the time and hold no lock the
  // delivery callback takes (the gRPC service's readers). Otherwise posted.
  bool run_events_on_sender = false;
};

class ConsumerEngine final : public client::ConsumerClient, private StreamConsumers::Sink {
 public:
  static absl::StatusOr<std::unique_ptr<ConsumerEngine>> Start(
      ConsumerEngineOptions options, storesvc::client::StoreClient* store);
  ~ConsumerEngine() override;

  ConsumerEngine(const ConsumerEngine&) = delete;
  ConsumerEngine& operator=(const ConsumerEngine&) = delete;

  absl::StatusOr<v1::ConsumerInfo> CreateConsumer(
      const v1::CreateConsumerRequest& request) override;
  absl::Status DeleteConsumer(const v1::ConsumerRequest& request) override;
  absl::StatusOr<v1::ConsumerInfo> GetConsumerInfo(const v1::ConsumerRequest& request) override;
  absl::StatusOr<v1::ListConsumersResponse> ListConsumers(
      const v1::ListConsumersRequest& request) override;
  absl::StatusOr<v1::ConsumerNamesResponse> ConsumerNames(
      const v1::ListConsumersRequest& request) override;
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override;
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override;
  absl::StatusOr<v1::ConsumerCountsResponse> ConsumerCounts(
      const v1::ConsumerCountsRequest& request) override;
  std::unique_ptr<client::ConsumerSession> OpenSession(DeliveryCallback on_deliveries) override;

  // Stops the timer and the streams' work; idempotent.
  void Stop();

 private:
  class Session;
  class AckRun;

  ConsumerEngine(ConsumerEngineOptions options, storesvc::client::StoreClient* store);

  // Runs the consumers the state store recovered; drops the state of
  // streams that are gone.
  absl::Status Recover();
  // Clears the consumer filters the store holds for interest streams that
  // have no consumers here (ephemeral ones lost with a restart, or a lost
  // data directory), so they keep nothing again.
  void ForgetLostInterest();
  // The stream's consumers, made (and its feed started) if needed.
  std::shared_ptr<StreamConsumers> FindOrCreate(const v1::StreamInfo& stream)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::shared_ptr<StreamConsumers> Find(const std::string& stream) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs `fn` on the stream's strand, then Finish; waits for it.
  template <typename Fn>
  auto RunOn(const std::shared_ptr<StreamConsumers>& stream, Fn fn);
  // Posts `fn` to the stream's strand, then Finish.
  template <typename Fn>
  void Post(const std::shared_ptr<StreamConsumers>& stream, Fn fn);
  // As Post, for a session's events (run_events_on_sender).
  template <typename Fn>
  void PostEvent(const std::shared_ptr<StreamConsumers>& stream, Fn fn);
  // Waits (boundedly) until the removals the stream's acks so far call for
  // are applied in the store.
  void WaitForRemovals(const std::shared_ptr<StreamConsumers>& stream);
  // Waits (boundedly) until the stream's tail has shown it up to `seq`, so
  // that consumer info reflects every publish acknowledged before it was
  // asked for, as nats-server's does.
  void WaitForTail(const std::shared_ptr<StreamConsumers>& stream, uint64_t seq);
  void OnEvents(v1::GatewayBatch batch);

  // StreamConsumers::Sink
  void Send(v1::DeliveryBatch batch) override ABSL_LOCKS_EXCLUDED(sessions_mu_);
  void ScheduleTick(const std::shared_ptr<StreamConsumers>& stream, int64_t due_ns) override
      ABSL_LOCKS_EXCLUDED(timer_mu_);
  void Gone(const std::string& stream) override ABSL_LOCKS_EXCLUDED(mu_);

  void TimerLoop() ABSL_LOCKS_EXCLUDED(timer_mu_);

  const ConsumerEngineOptions options_;
  storesvc::client::StoreClient* const store_;
  std::unique_ptr<ConsumerStateStore> state_;
  common::ThreadPool pool_;

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<StreamConsumers>> streams_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;

  struct SessionEntry {
    DeliveryCallback on_deliveries;
    // Until it had its session_start batch: what arose meanwhile.
    bool starting = true;
    std::vector<v1::DeliveryBatch> held;
  };

  absl::Mutex sessions_mu_;
  std::map<uint64_t, SessionEntry> sessions_ ABSL_GUARDED_BY(sessions_mu_);
  uint64_t next_session_ ABSL_GUARDED_BY(sessions_mu_) = 1;

  absl::Mutex timer_mu_;
  std::multimap<int64_t, std::weak_ptr<StreamConsumers>> timers_ ABSL_GUARDED_BY(timer_mu_);
  bool timer_stopping_ ABSL_GUARDED_BY(timer_mu_) = false;
  // An earlier tick than the loop waits for was scheduled.
  bool timer_earlier_ ABSL_GUARDED_BY(timer_mu_) = false;
  std::thread timer_;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_ENGINE_H_
