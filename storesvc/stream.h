// Stream: one JetStream stream's semantics over its MessageStore.
//
// Append applies what nats-server's processJetStreamMsg does, in its order:
// sealed, Nats-Expected-Stream, Nats-Msg-Id deduplication within the
// duplicate window, Nats-Expected-Last-Subject-Sequence,
// Nats-Expected-Last-Sequence, Nats-Expected-Last-Msg-Id, Nats-Rollup,
// max_msg_size, an interest stream's skip of a message no consumer's filter
// matches, discard-new limits; then stores the message, performs the rollup
// and enforces max_msgs_per_subject, max_msgs, max_bytes and max_age
// (discard old). Admin operations (purge, get, delete, info, update) return
// nats-server's JetStream errors. Interest and work-queue retention remove
// what the consumer service says consumers no longer need (RemoveMessages).
//
// Appends are buffered: call Flush() after a batch so one write(2) carries
// it (and readers waiting on appends() learn of it), and Sync() to make it
// durable.
//
// A failed write of the store (it then forgets the appends not written,
// message_store.h) fails the appends of the batch that follow it, and
// Flush() returns it: error 10023 "insufficient resources" when the disk is
// full, else 10077. A failed Sync() marks the stream failed: appends and
// Sync() fail with the reason (failure(), StreamInfo.failed) until
// Housekeep() has reloaded the store from disk.
//
// Thread-safety: thread-safe. Sync() does not wait for appends, so appends
// continue while an fsync is in flight (group commit).
#ifndef JSENGINE_STORESVC_STREAM_H_
#define JSENGINE_STORESVC_STREAM_H_

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/subject_transform.h"
#include "proto/store.pb.h"
#include "storesvc/append_notifier.h"
#include "storesvc/message_store.h"
#include "storesvc/subject_filters.h"

namespace jsengine::storesvc {

class Stream {
 public:
  // `config` must have passed CheckStreamConfig().
  Stream(v1::StreamConfig config, int64_t created_ns, std::unique_ptr<MessageStore> store);
  ~Stream();

  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  const std::string& name() const { return name_; }
  // Memory or file; an update cannot change it.
  v1::StorageType storage() const { return storage_; }
  int64_t created_ns() const { return created_ns_; }
  v1::StreamConfig config() const ABSL_LOCKS_EXCLUDED(mu_);

  // Appends one publish at time `now_ns`; `result` gets the PubAck or error.
  void Append(const v1::AppendRequest& request, int64_t now_ns, v1::AppendResult* result)
      ABSL_LOCKS_EXCLUDED(mu_);
  // A mirror's copy of origin message `msg`, on `subject` (the mirror's
  // transform applied): stored with the origin's sequence, headers and time;
  // sequences between the last one and msg.seq() are used and not kept (the
  // origin deleted them or the filter left them out). A message at or below
  // the last sequence is ignored (already copied). No JetStream header is
  // acted on; limits apply.
  absl::Status AppendMirrored(const v1::StoredMessage& msg, const std::string& subject)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the stream mirrors or sources other streams.
  bool HasOrigins() const ABSL_LOCKS_EXCLUDED(mu_);
  // The stream's last sequence (what a mirror copied up to).
  uint64_t LastSeq() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Flush() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Sync() ABSL_LOCKS_EXCLUDED(mu_);

  v1::StreamInfo Info(bool deleted_details, const std::string& subjects_filter) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // A new stream with config first_seq > 1: its first message gets that
  // sequence (nats-server compacts the empty store up to it).
  absl::Status StartAt(uint64_t first_seq) ABSL_LOCKS_EXCLUDED(mu_);
  // `config` must have passed CheckStreamUpdate() against config().
  absl::Status Update(const v1::StreamConfig& config) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<uint64_t> Purge(const v1::PurgeStreamRequest& request) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes messages older than max_age.
  absl::Status ExpireAged(int64_t now_ns) ABSL_LOCKS_EXCLUDED(mu_);

  // Interest retention: the filter subjects of the stream's consumers
  // (v1::StreamInfo::consumer_filters; none: no consumers). A publish on a
  // subject none of them matches gets its sequence and is not kept, as
  // nats-server skips it. `first_seq` and `last_seq` get the stream's range
  // as the filters take effect.
  void SetConsumerFilters(std::vector<std::string> filters, uint64_t* first_seq, uint64_t* last_seq)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::string> consumer_filters() const ABSL_LOCKS_EXCLUDED(mu_);
  // Removes the stored messages each removal names (v1::Removal), for
  // interest and work-queue retention; returns how many were removed.
  absl::StatusOr<uint64_t> RemoveMessages(
      const google::protobuf::RepeatedPtrField<v1::Removal>& removals) ABSL_LOCKS_EXCLUDED(mu_);

  // Housekeeping: reclaims the space of removed messages where worth it and
  // checkpoints the store for crash restarts where due; reloads the store
  // of a failed stream.
  void Housekeep() ABSL_LOCKS_EXCLUDED(mu_);
  // Why the stream takes no writes (a failed fsync); OK while it does.
  absl::Status failure() const ABSL_LOCKS_EXCLUDED(failure_mu_);

  // Up to `max` stored messages at or after `*next` matching `filters`,
  // fewer once they hold half a MiB; advances `*next` past the last one
  // returned. `last_seq` gets the stream's last sequence. "stream not
  // found" once closed.
  absl::StatusOr<std::vector<v1::StoredMessage>> Read(uint64_t* next, const SubjectFilters& filters,
                                                      size_t max, uint64_t* last_seq)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Up to `max` of the messages stored as seqs[*pos], seqs[*pos + 1], ...
  // that match `filters`, in that order; sequences not stored are skipped.
  // Advances `*pos` past the last sequence looked at. `last_seq` gets the
  // stream's last sequence. "stream not found" once closed.
  // The oldest stored sequence; last + 1 when empty.
  uint64_t FirstSeq() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<v1::StoredMessage>> ReadSeqs(absl::Span<const uint64_t> seqs,
                                                          size_t* pos,
                                                          const SubjectFilters& filters, size_t max,
                                                          uint64_t* last_seq)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The messages at or after a start matching some filters, from the index
  // (see v1::FilteredStateRequest). "stream not found" once closed.
  absl::StatusOr<v1::FilteredStateResponse> FilteredState(
      const v1::FilteredStateRequest& request) const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t SeqForTime(int64_t ts_ns) const ABSL_LOCKS_EXCLUDED(mu_);
  // The watermark of flushed appends that readers wait on; closed with the
  // stream.
  AppendNotifier& appends() { return appends_; }

  // Flushes, syncs and closes the store; later calls fail or return empty.
  absl::Status Close() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct DedupEntry {
    uint64_t seq;
    int64_t ts;
  };

  absl::Status AppendLocked(const v1::AppendRequest& request, int64_t now_ns, uint64_t* seq,
                            bool* duplicate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A message (stored or skipped) took sequence `seq`.
  void Stored(uint64_t seq, const std::string& msg_id, int64_t now_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasConsumerInterest(absl::string_view subject) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status EnforceLimits(const std::string& subject, int64_t now_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ExpireAgedLocked(int64_t now_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TrimDedup(int64_t now_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildDedup(int64_t now_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends message `seq` to `out` if it is stored and matches `filters`;
  // logs and skips one that cannot be read.
  // After the store failed a write (and forgot what it had not written):
  // `cause` with the JetStream error to answer, which the rest of the batch
  // gets too (batch_error_); the cached last sequence and dedup table are
  // brought back in line with the store.
  absl::Status WriteFailed(const absl::Status& cause) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Handles a failed write the store made on behalf of a call whose status
  // the stream did not see (housekeeping): as WriteFailed() if appends were
  // answered since the last Flush() (the store forgot them).
  void CheckWriteFailures() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Brings last_seq_ and the dedup table (rebuilt when next needed) back in
  // line with a store that forgot or reloaded messages.
  void ResyncWithStore() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Builds transform_ and sets the store's compression from config_.
  void ApplyConfigLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // store_->Flush(); a failed write as WriteFailed(), failing the rest of
  // a batch only if it has appends (which the store forgot).
  absl::Status FlushStore() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reloads the store of a failed stream once kRecoverAfter has passed.
  void RecoverLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LoadForRead(uint64_t seq, const SubjectFilters& filters, std::vector<v1::StoredMessage>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  const v1::StorageType storage_;
  const int64_t created_ns_;

  mutable absl::Mutex mu_;
  v1::StreamConfig config_ ABSL_GUARDED_BY(mu_);
  // config_.subject_transform, built; unset when the config has none.
  std::optional<common::SubjectTransform> transform_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<MessageStore> store_ ABSL_GUARDED_BY(mu_);
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // The dedup table and last_msg_id_ are rebuilt from stored messages on the
  // first append that needs them (as nats-server does), not at open.
  bool dedup_loaded_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_msg_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, DedupEntry> dedup_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<int64_t, std::string>> dedup_order_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> consumer_filters_ ABSL_GUARDED_BY(mu_);  // Sorted, unique.
  SubjectFilters consumer_interest_ ABSL_GUARDED_BY(mu_);

  // Set by WriteFailed(); returned by Flush(), which clears it.
  absl::Status batch_error_ ABSL_GUARDED_BY(mu_);
  // Appends were answered since the last Flush().
  bool appended_since_flush_ ABSL_GUARDED_BY(mu_) = false;
  // store_->write_failures() as last handled.
  uint64_t write_failures_seen_ ABSL_GUARDED_BY(mu_) = 0;

  AppendNotifier appends_;

  // Serializes Sync() against Close(); Sync() runs without mu_.
  absl::Mutex sync_mu_ ABSL_ACQUIRED_AFTER(mu_);
  MessageStore* sync_store_ ABSL_GUARDED_BY(sync_mu_);

  // Never held across I/O, so appends can check it while an fsync runs.
  mutable absl::Mutex failure_mu_ ABSL_ACQUIRED_AFTER(mu_, sync_mu_);
  absl::Status failure_ ABSL_GUARDED_BY(failure_mu_);
  absl::Time failed_at_ ABSL_GUARDED_BY(failure_mu_);
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STREAM_H_
