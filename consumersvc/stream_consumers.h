// StreamConsumers: every consumer of one stream, run on one strand and fed
// from one StreamFeed (one store tail for all of them).
//
// Admin calls and data-plane events for the stream are posted to its strand
// by the engine; each task ends by handing what the consumers sent (one
// DeliveryBatch, cut in pieces of about 256 KiB of messages) to the sink,
// and by telling the sink when the stream next needs a Tick. No thread per
// consumer or per stream.
//
// Retention (docs/CONSUMERS.md, "Retention"): for an interest stream the
// store learns the consumers' filters (a publish none matches is not kept);
// what acks make removable is gathered and sent to the store in one
// RemoveMessages per strand turn (a task posted behind those queued), one
// call in flight at a time. AckSync replies and Settle wait for the removals
// of the acks before them.
//
// Thread-safety: every method but strand() and count() runs on strand().
// Shared-owned by the engine and the tasks in flight.
#ifndef JSENGINE_CONSUMERSVC_STREAM_CONSUMERS_H_
#define JSENGINE_CONSUMERSVC_STREAM_CONSUMERS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/strand.h"
#include "common/thread_pool.h"
#include "consumersvc/consumer.h"
#include "consumersvc/consumer_config.h"
#include "consumersvc/consumer_source.h"
#include "consumersvc/state_store.h"
#include "consumersvc/stream_feed.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::consumersvc {

class StreamConsumers : public std::enable_shared_from_this<StreamConsumers> {
 public:
  // Where a stream's output goes; implemented by the engine. Called on the
  // stream's strand.
  class Sink {
   public:
    virtual ~Sink() = default;
    // May be called from any thread (ack confirmations wait for the state
    // store's thread).
    virtual void Send(v1::DeliveryBatch batch) = 0;
    // The stream wants a Tick at `due_ns` (0: none).
    virtual void ScheduleTick(const std::shared_ptr<StreamConsumers>& stream, int64_t due_ns) = 0;
    // The stream is gone (deleted): drop it.
    virtual void Gone(const std::string& stream) = 0;
  };

  // `state` keeps the consumers' state across restarts; null: in memory.
  StreamConsumers(std::string stream, v1::RetentionPolicy retention,
                  storesvc::client::StoreClient* store, common::ThreadPool* pool, Sink* sink,
                  ConsumerLimits limits, StreamFeed::Limits cache, ConsumerStateStore* state);
  ~StreamConsumers();

  const std::string& stream() const { return stream_; }
  const std::shared_ptr<common::Strand>& strand() const { return strand_; }

  // Starts the feed after the stream's last sequence; the stream's
  // messages live `max_age_ns` (0: unlimited). `created_ns` (StreamInfo's;
  // 0: unknown) tells the stream from one made anew under its name while
  // the store was out of reach.
  void Start(uint64_t last_seq, int64_t max_age_ns, int64_t created_ns = 0);

  absl::StatusOr<v1::ConsumerInfo> Create(const v1::CreateConsumerRequest& request,
                                          const v1::StreamInfo& stream, int64_t now_ns);
  // Runs the consumers the state store recovered.
  void Restore(std::vector<LoadedConsumer> consumers, const v1::StreamInfo& stream, int64_t now_ns);
  absl::Status Delete(const std::string& name, int64_t now_ns);
  // Purges the stream in the store and moves its consumers past what went,
  // as nats-server's stream purge does, with nothing delivered in between.
  absl::StatusOr<v1::PurgeStreamResponse> Purge(const v1::PurgeStreamRequest& request,
                                                int64_t now_ns);
  // Deletes the message in the store and forgets every copy of it.
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request);
  absl::StatusOr<v1::ConsumerInfo> Info(const std::string& name, int64_t now_ns);
  std::vector<v1::ConsumerInfo> List(int64_t now_ns);
  std::vector<std::string> Names() const;
  size_t size() const { return consumers_.size(); }
  // size(), from any thread.
  size_t count() const { return count_.load(std::memory_order_acquire); }

  void OnAck(const AckSubject& ack, const AckBody& body, const std::string& reply, int64_t now_ns);
  // Served once the feed has seen the stream up to `published_through`
  // (PullRequest's), after the pulls that came before it.
  void OnPull(const std::string& consumer, const std::string& reply, const std::string& body,
              int64_t now_ns, uint64_t published_through = 0);
  void OnInterest(const std::string& subject, bool has_interest, int64_t now_ns);
  void OnFlowControlReply(const std::string& subject, int64_t now_ns);
  void Tick(int64_t now_ns);
  // Adds every consumer to `batch`, as a new gateway must learn them: their
  // ack subjects to serve, their deliver subjects and the reply subjects of
  // their waiting pull requests to watch.
  void Announce(v1::DeliveryBatch* batch) const;
  // Sends what the consumers produced in this task and the next due time.
  void Finish(int64_t now_ns);

  // Runs `fn` on the strand once the removals the acks so far call for are
  // applied in the store: at once when none is outstanding.
  void AfterRemovals(std::function<void()> fn);
  // AfterRemovals, then a DeliveryBatch with `settled` = id to the sink.
  void Settle(uint64_t id);
  // Runs `fn` on the strand once the stream's tail has shown it up to `seq`
  // (what limits removed by then included): at once if it has.
  void AfterTail(uint64_t seq, std::function<void()> fn);

 private:
  class Output;
  class StrandLink;
  struct Entry {
    std::unique_ptr<ConsumerSource> source;
    std::unique_ptr<Output> output;
    std::unique_ptr<Consumer> consumer;
  };

  absl::Status StartPosition(const v1::ConsumerConfig& config, Consumer::Setup* setup);
  // Builds and starts the consumer for `setup`.
  Consumer& Add(Consumer::Setup setup, std::unique_ptr<ConsumerStateWriter> writer, int64_t now_ns);
  void OnAppended(const std::vector<StreamFeed::Message>& messages);
  // A tail that ended for want of the store is opened again from a Tick
  // (ResumeTail); a stream that is gone takes its consumers with it.
  void OnTailEnd(absl::Status status);
  // The store is asked for the stream again: the tail resumes where it
  // was if it is the same stream, otherwise the consumers go (DropAll).
  void ResumeTail(int64_t now_ns);
  // Deletes every consumer and its state, and the stream from the sink.
  void DropAll();
  std::string NewName() const;
  void Erase(const std::string& name);
  // Erase, and for an interest stream the removal of what only that
  // consumer held (nats-server does it on a consumer's delete).
  void Remove(const std::string& name);

  // Interest streams: sends the store the filters of every consumer and of
  // `adding`'s config, a consumer being made. Returns the stream's range
  // then; a limits or work-queue stream's is {0, 0}.
  absl::StatusOr<v1::SetConsumerFiltersResponse> SetInterest(const v1::ConsumerConfig* adding);
  // nats-server's consumer_action advisory: `event` CREATED or DELETED,
  // `action` create or delete.
  void SendActionAdvisory(const std::string& name, const char* event, const char* action);
  // A consumer's pull request to `reply` started or stopped waiting.
  void OnRequestWaiting(std::string_view reply, bool waiting);
  // Adds to the outgoing batch the reply subjects that now have requests
  // waiting (to watch) or no longer have (to unwatch), as the consumers'
  // requests changed since the last call: a request served at once is
  // never watched.
  void WatchReplies();
  // Hands what the consumers produced so far to the sink.
  void SendOutgoing();
  // Retention: stream sequences [first, last] may have become removable.
  void OnAcknowledged(uint64_t first, uint64_t last);
  void ScheduleRemovals();
  void FlushRemovals();
  void OnRemoved(const absl::Status& status, std::vector<v1::Removal> sent,
                 std::vector<std::function<void()>> waiters);
  // What the acknowledged sequences let go, as the store's removals; forgets
  // them in the feed's cache.
  v1::RemoveMessagesRequest TakeRemovals();

  const std::string stream_;
  const v1::RetentionPolicy retention_;
  storesvc::client::StoreClient* const store_;
  Sink* const sink_;
  const ConsumerLimits limits_;
  const StreamFeed::Limits cache_;
  ConsumerStateStore* const state_;
  const std::shared_ptr<common::Strand> strand_;
  std::shared_ptr<StreamFeed> feed_;
  int64_t created_ns_ = 0;
  // When ResumeTail is due (0: the tail runs), and the wait after a failure.
  int64_t tail_retry_ns_ = 0;
  int64_t tail_backoff_ns_ = 0;
  std::map<std::string, Entry> consumers_;
  // The reply subjects of the consumers' waiting pull requests, and those
  // whose count changed since WatchReplies.
  struct WaitingReply {
    int requests = 0;
    bool watched = false;  // The gateway was asked to watch it.
    bool changed = false;
  };
  absl::flat_hash_map<std::string, WaitingReply> replies_;
  std::vector<std::string> replies_changed_;
  v1::DeliveryBatch outgoing_;
  size_t outgoing_bytes_ = 0;  // Message bytes in outgoing_.
  int64_t scheduled_due_ns_ = 0;
  std::atomic<size_t> count_{0};
  // The stream's first sequence as last seen: below it, messages are gone.
  uint64_t removed_below_ = 1;

  // Retention: acknowledged ranges not yet looked at, what waits for their
  // removal, and whether a RemoveMessages is scheduled or in flight.
  std::vector<std::pair<uint64_t, uint64_t>> acked_;
  std::vector<std::function<void()>> removal_waiters_;
  bool removals_scheduled_ = false;
  bool removal_in_flight_ = false;
  // Removals the store did not apply (out of reach): sent again with the
  // next ones.
  std::vector<v1::Removal> failed_removals_;
  const std::shared_ptr<StrandLink> link_;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_STREAM_CONSUMERS_H_
