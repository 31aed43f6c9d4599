// Consumer: the delivery state machine of one JetStream consumer, the rules
// of nats-server's consumer.go without its locks, timers or I/O.
//
// It decides what to deliver, to whom and when: redeliveries before new
// messages, max_ack_pending, deliver-last-per-subject, max_deliver with its
// advisory, ack wait and backoff, nak delays, ack-all ranges, push flow
// control, idle heartbeats, rate limit and replay-original pacing, and pull
// requests (batch, max_bytes, expires, no_wait, heartbeats, max_waiting).
// Everything it sends goes to a ConsumerOutput; messages come from a
// MessageSource; time is the `now_ns` each call passes in. The owner calls
// Run() after anything that may let it deliver (the entry points below do it
// themselves) and Tick() at NextDueNs().
//
//   Consumer consumer(std::move(setup), &source, &output);
//   consumer.Start(now);               // delivers what it can
//   consumer.OnAck(ack, body, reply, now);
//   if (consumer.NextDueNs() <= now) consumer.Tick(now);
//
// Thread-safety: not thread-safe; one thread (the stream's strand) at a
// time. The source and output must outlive it.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "consumersvc/ack.h"
#include "consumersvc/consumer_state.h"
#include "consumersvc/pull_request.h"
#include "consumersvc/subject_filter.h"
#include "proto/common.pb.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"

namespace jsengine::consumersvc {

// Where a consumer's messages come from: its stream, by sequence.
class MessageSource {
 public:
  struct Next {
    enum Kind {
      kMessage,   // `message` is the answer.
      kEnd,       // Nothing (more) stored; `resume_seq` is where to look next.
      kFetching,  // Not in memory: being fetched; ask again when told.
    };
    Kind kind = kEnd;
    // Shared: a later call may drop the source's own copy.
    std::shared_ptr<const v1::StoredMessage> message;
    uint64_t resume_seq = 0;
  };

  virtual ~MessageSource() = default;
  // The first stored message at or after `seq` that `filter` matches.
  virtual Next LoadNext(uint64_t seq, const SubjectFilter& filter) = 0;
  // The message stored at `seq`; kEnd when it is gone.
  virtual Next Load(uint64_t seq) = 0;
  // The stream's first stored sequence (last + 1 when empty).
  virtual uint64_t FirstSeq() = 0;
  // Messages at or after `seq` that `filter` matches.
  virtual uint64_t NumPending(uint64_t seq, const SubjectFilter& filter) = 0;
};

// What a consumer sends. Arguments are valid during the call only.
class ConsumerOutput {
 public:
  enum class AdvisoryKind { kMaxDeliveries, kNak, kTerminated };
  struct Advisory {
    AdvisoryKind kind;
    uint64_t stream_seq = 0;
    uint64_t consumer_seq = 0;
    uint64_t deliveries = 0;
    std::string_view reason;  // kTerminated (+TERM <reason>).
  };

  virtual ~ConsumerOutput() = default;
  // A stored message to `subject` (the deliver subject or a pull request's
  // reply) with the $JS.ACK reply; with `headers_only`, its headers plus
  // Nats-Msg-Size and no data.
  virtual void Deliver(std::string_view subject, std::string_view reply,
                       const v1::StoredMessage& message, bool headers_only) = 0;
  // A message with only a header block: idle heartbeat, flow-control
  // request (with `reply`), or a pull request's end (404/408/409).
  virtual void Status(std::string_view subject, std::string_view reply,
                      std::string_view headers) = 0;
  virtual void SendAdvisory(const Advisory& advisory) = 0;
  // The empty reply confirming an ack (AckSync), to send once the ack is as
  // durable as the sync policy promises.
  virtual void AckReply(std::string_view reply) = 0;
  // Stream sequences [first, last] are acknowledged (an ack, a term, an
  // ack-all's range, an ack-none delivery), for interest and work-queue
  // retention: the owner removes what no consumer still needs. An explicit
  // ack of a message no longer pending counts too, as in nats-server.
  // Then AckReply, if the ack asked for one.
  virtual void Acknowledged(uint64_t first, uint64_t last) = 0;
  // A pull request to `reply` started (`waiting`) or stopped waiting
  // (served, ended or dropped). nats-server checks a waiting request's reply
  // for interest before it delivers to it; the owner watches the replies
  // that have requests waiting and calls Consumer::OnReplyInterestLost when
  // one has no subscriber left.
  virtual void RequestWaiting(std::string_view reply, bool waiting) = 0;
  // The persistent state changed (nats-server's UpdateDelivered/UpdateAcks):
  // a delivery (or its new time), and an ack of `stream_seq` (ack-all: of
  // everything up to it) with the ack floor it leaves.
  virtual void RecordDelivered(uint64_t consumer_seq, uint64_t stream_seq, uint64_t deliveries,
                               int64_t ts_ns) = 0;
  virtual void RecordAcked(uint64_t stream_seq, SequencePair ack_floor) = 0;
  // The state is now `state`, by a change that is neither (a purge).
  virtual void RecordState(const ConsumerState& state) = 0;
};

class Consumer {
 public:
  struct Setup {
    std::string stream;
    std::string name;
    v1::ConsumerConfig config;  // Checked (CheckConsumerConfig).
    v1::RetentionPolicy retention = v1::RETENTION_LIMITS;
    int64_t created_ns = 0;
    // Where a new consumer starts (nats-server's selectStartingSeqNo, done
    // by the owner, which can ask the store): the first stream sequence,
    // and for deliver-last-per-subject the sequences to deliver first.
    uint64_t start_seq = 1;
    std::vector<uint64_t> last_per_subject;
    // The stream's last sequence when the consumer starts (replay original
    // paces until it is passed) and its max message size (rate-limit burst).
    uint64_t stream_last_seq = 0;
    int64_t rate_burst_bytes = 1 << 20;
    // A durable consumer's state from before a restart, if any.
    const ConsumerState* restored = nullptr;
  };

  Consumer(Setup setup, MessageSource* source, ConsumerOutput* output);

  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  const std::string& stream() const { return setup_.stream; }
  const std::string& name() const { return setup_.name; }
  const v1::ConsumerConfig& config() const { return setup_.config; }
  bool is_push() const { return !setup_.config.deliver_subject().empty(); }

  void Start(int64_t now_ns);
  // Takes an updated configuration (CheckConsumerUpdate allowed it).
  void UpdateConfig(v1::ConsumerConfig config, int64_t now_ns);
  const SubjectFilter& filter() const { return filter_; }
  // Whether message `seq` on `subject` still needs this consumer's ack
  // (interest retention: nats-server's needAck).
  bool NeedsAck(uint64_t seq, std::string_view subject) const;
  // NeedsAck for a message this consumer's filter matches: whether its
  // state still holds `seq` (not below the ack floor, nor delivered and
  // acked).
  bool Holds(uint64_t seq) const;
  // The stream sequence of the ack floor.
  uint64_t ack_floor_stream_seq() const { return ack_sseq_; }

  // Delivers what it can until blocked (no interest, max_ack_pending, flow
  // control, no pull request, pacing, or the source is out of messages).
  void Run(int64_t now_ns);
  // Redeliveries due, pull request expiry and heartbeats, idle heartbeats.
  void Tick(int64_t now_ns);
  // When Tick() must run next; 0 for never.
  int64_t NextDueNs() const;
  // The stream stored new messages (the owner runs the consumer again).
  void OnStreamAppended(int64_t now_ns);

  // An ack on this consumer's $JS.ACK subject, `reply` its reply subject.
  void OnAck(const AckSubject& ack, const AckBody& body, std::string_view reply, int64_t now_ns);
  // $JS.API.CONSUMER.MSG.NEXT with `body`, replies to `reply`.
  void OnPullRequest(std::string_view reply, std::string_view body, int64_t now_ns);
  // Push: whether the deliver subject has interest.
  void OnDeliveryInterest(bool has_interest, int64_t now_ns);
  // A pull request's reply subject has no interest: its waiting requests
  // go, without a status, and take nothing more (nats-server's nextWaiting
  // and processWaiting drop them so).
  void OnReplyInterestLost(std::string_view reply, int64_t now_ns);
  // A reply to a flow-control request (its subject).
  void OnFlowControlReply(std::string_view subject, int64_t now_ns);

  // The stream was purged: nats-server's consumer purge. Delivery resumes
  // at `start` (0: nothing of the consumer's is left, resume after
  // `stream_last_seq`), everything below it counts as acknowledged. `wider`:
  // the purge took only some of the subjects the consumer reads, so
  // `start` is the stream's first sequence.
  void OnPurged(uint64_t start, uint64_t stream_last_seq, bool wider, int64_t now_ns);
  // The stream lost [first, last] (a limit, a deleted message): those
  // awaiting an explicit ack count as acknowledged, as nats-server's
  // decStreamPending has it, so they hold no max_ack_pending slot.
  void OnRemoved(uint64_t first, uint64_t last, int64_t now_ns);

  // The consumer is being deleted (alone, with its stream, or inactive):
  // each waiting pull request gets "409 Consumer Deleted", as nats-server's
  // releaseAnyPendingRequests.
  void ReleasePullRequests();

  // Whether an inactive_threshold has passed without interest (push) or
  // pull requests (pull): the owner deletes the consumer.
  bool Expired(int64_t now_ns) const;

  v1::ConsumerInfo Info(int64_t now_ns);
  ConsumerState State() const;

 private:
  struct Waiting {
    std::string reply;
    int64_t left = 1;  // Messages still wanted.
    int64_t delivered = 0;
    int64_t bytes_left = 0;  // 0: no limit.
    int64_t expires_ns = 0;  // Absolute; 0: never.
    bool no_wait = false;
    int64_t heartbeat_ns = 0;
    int64_t heartbeat_due_ns = 0;
  };
  // A message chosen to deliver, not yet committed.
  struct Candidate {
    std::shared_ptr<const v1::StoredMessage> message;
    uint64_t deliveries = 1;
    bool redelivery = false;
  };
  // Why NextCandidate found nothing to deliver.
  enum class NoCandidate { kNone, kEndOfStream, kMaxAckPending, kFetching };

  bool explicit_or_all() const;
  int64_t AckWaitNs() const;
  // nats-server's getNextMsg: the next redelivery or new message, or why
  // there is none.
  NoCandidate NextCandidate(Candidate* candidate);
  void Deliver(const Candidate& candidate, const std::string& subject, int64_t now_ns);
  void TrackPending(uint64_t sseq, uint64_t dseq, int64_t now_ns);
  void ProcessAck(uint64_t sseq, uint64_t dseq, bool sample);
  void ProcessNak(uint64_t sseq, uint64_t dseq, uint64_t deliveries, const AckBody& body,
                  int64_t now_ns);
  void ProcessTerm(uint64_t sseq, uint64_t dseq, uint64_t deliveries, std::string_view reason);
  void ProgressUpdate(uint64_t sseq, int64_t now_ns);
  void CheckPending(int64_t now_ns);
  void AddToRedeliverQueue(uint64_t sseq);
  bool RemoveFromRedeliverQueue(uint64_t sseq);
  // Queues a pull request; the three below take one off the queue. Each
  // tells the output.
  void AddWaiting(Waiting w);
  void PopWaiting();
  std::deque<Waiting>::iterator EraseWaiting(std::deque<Waiting>::iterator it);
  // Pull requests: expiry, heartbeats, no_wait ends (`end_of_stream`).
  // Returns the messages the requests still want.
  int64_t ProcessWaiting(bool end_of_stream, int64_t now_ns);
  // The request to send a message of `size` bytes to; nullptr if none.
  Waiting* NextWaiting(int64_t size, int64_t now_ns);
  void SendPullStatus(const std::string& reply, absl::string_view status, const Waiting* w);
  void SendIdleHeartbeat(std::string_view subject);
  void MaybeSendFlowControl(int64_t size);
  uint64_t NumPending();

  Setup setup_;
  MessageSource* const source_;
  ConsumerOutput* const output_;
  SubjectFilter filter_;

  // nats-server's o.sseq, o.dseq, o.adflr/o.asflr.
  uint64_t next_sseq_ = 1;
  uint64_t next_dseq_ = 1;
  uint64_t ack_dseq_ = 0;
  uint64_t ack_sseq_ = 0;
  // A purge moved the ack floor. Until that or an ack does, info reports
  // the stream ack floor as 0, as nats-server (whose floor starts at 0 and
  // whose retention checks also the start sequence, as ack_sseq_ does).
  bool floor_purged_ = false;
  absl::btree_map<uint64_t, PendingAck> pending_;
  absl::btree_map<uint64_t, uint64_t> redelivered_;
  std::deque<uint64_t> redeliver_queue_;
  absl::flat_hash_set<uint64_t> on_redeliver_queue_;
  int64_t pending_check_due_ns_ = 0;
  // Deliver-last-per-subject skip list, and where to resume after it.
  std::deque<uint64_t> skip_list_;
  uint64_t skip_resume_seq_ = 0;

  // Push.
  bool active_ = false;
  int64_t heartbeat_due_ns_ = 0;
  int64_t inactive_since_ns_ = 0;
  int64_t fc_window_bytes_ = 0;  // 0: no flow control.
  int64_t fc_limit_bytes_ = 0;
  int64_t fc_pending_bytes_ = 0;
  std::string fc_outstanding_;  // The reply subject of the request in flight.
  int64_t fc_outstanding_bytes_ = 0;
  uint64_t fc_counter_ = 0;

  // Pull.
  std::deque<Waiting> waiting_;
  int64_t last_request_ns_ = 0;

  // Pacing: rate limit (token bucket, bytes) and replay original.
  double rate_tokens_ = 0;
  int64_t rate_updated_ns_ = 0;
  bool replaying_ = false;
  int64_t last_ts_ = 0;
  int64_t last_delivered_ns_ = 0;
  int64_t not_before_ns_ = 0;

  int64_t last_delivered_at_ns_ = 0;
  int64_t last_ack_at_ns_ = 0;
  std::string ack_reply_;  // Reused for every delivery's $JS.ACK subject.
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_H_
