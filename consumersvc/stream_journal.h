// StreamJournal: the durable state of every file consumer of one stream,
// <data_dir>/consumers/<stream>/ (state_format.h): each consumer's directory
// (meta.pb, state.snap) and the stream's journal, which all of them append
// to, so that one write(2) and one fsync serve every consumer of the stream.
// ConsumerStateStore owns one per stream and drives it; nothing else should.
//
// Records are appended to a buffer in memory (Append: no I/O). The store's
// thread takes the buffer (Take), writes it to the journal file of the
// current generation (Write, which creates that file first if needed), and
// fsyncs it (Sync). Once the journals hold enough bytes, MaybeFold writes a
// new snapshot of every consumer with records in them and starts a new
// generation; the old journals are then deleted.
//
// Invariant, which recovery relies on: a consumer's state is its snapshot
// plus its records in the journals of later generations, in order; the
// current generation is above every snapshot's, and a journal is deleted
// only once every snapshot that needs it is durable.
//
// Every file call goes through the FileIo given (common/file_io.h).
//
// An I/O error while writing or syncing fails that Write or Sync, and the
// journal is failed (failure()) until it is stored again: the records not
// written are kept in memory (up to kMaxUnwrittenBytes), and each later
// Write or Sync first cuts the journal back to what was written, reads
// back what was written since the last fsync (checked against the CRC kept
// of it) and writes it again, appends the kept records and fsyncs, as one
// attempt. So once the error clears, the journal on disk again holds every
// record, in order, without a restart. If those bytes were lost (a failed
// fsync dropped them) or too many records waited, the journal stays failed
// until the store is reopened (recovery then reads what is on disk). An
// error while folding is sticky the same way.
//
// Thread-safety: thread-safe. Append and AddFlush take a short lock; the
// others serialize on the files' lock, held for their I/O.
#ifndef JSENGINE_CONSUMERSVC_STREAM_JOURNAL_H_
#define JSENGINE_CONSUMERSVC_STREAM_JOURNAL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/file_io.h"
#include "common/mutex.h"
#include "consumersvc/consumer_state.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

class StreamJournal {
 public:
  using DoneCallback = std::function<void(absl::Status)>;

  // What recovery found for one consumer.
  struct Recovered {
    uint64_t consumer_id = 0;
    v1::ConsumerInfo info;
    ConsumerState state;
  };

  // What Append asks of the store's thread.
  enum class Wake {
    kNone,  // It already knows.
    kSoon,  // Records wait: write them within the write delay.
    kNow,   // The buffer is full: write it now.
  };

  // What the store's thread writes in one round.
  struct Batch {
    std::string bytes;
    std::vector<uint64_t> consumer_ids;  // Whose records are in `bytes`.
    std::vector<DoneCallback> flushes;   // To run once `bytes` is as durable as the policy says.
  };

  // A stream without a directory yet: the first AddConsumer makes it.
  // `quarantine_dir` is where Recover moves what it cannot read; Append asks
  // for an immediate write once `write_now_bytes` wait. With `sync_creates`,
  // AddConsumer returns once the consumer is on disk (fsyncs); without, once
  // it is written (page cache: it survives the process's end), and the next
  // Sync makes it durable.
  StreamJournal(std::string stream, std::string dir, std::string quarantine_dir,
                size_t write_now_bytes, bool sync_creates, common::FileIo* io);
  ~StreamJournal();

  StreamJournal(const StreamJournal&) = delete;
  StreamJournal& operator=(const StreamJournal&) = delete;

  // Reads the stream directory `dir`: every consumer's configuration and
  // snapshot, then the journals' records over them. A consumer directory
  // whose meta.pb or state.snap is missing or damaged is moved to
  // `quarantine_dir` (logged at ERROR, naming the file and what is wrong); a
  // journal's torn or damaged tail is truncated at its last valid record and
  // the cut logged at WARNING; a journal whose header is damaged is
  // quarantined (or, when it is no longer than a header, deleted: a crash
  // while it was being created). Fails only on I/O errors.
  static absl::StatusOr<std::shared_ptr<StreamJournal>> Recover(
      std::string stream, std::string dir, std::string quarantine_dir, size_t write_now_bytes,
      bool sync_creates, common::FileIo* io, std::vector<Recovered>* consumers);

  const std::string& stream() const { return stream_; }

  // Records: no I/O. Dropped once RemoveAll ran.
  Wake Append(uint64_t consumer_id, absl::FunctionRef<void(std::string*)> encode)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Queues `done` for the next round; true if the store's thread must be
  // told (the first flush queued since the last Take).
  bool AddFlush(DoneCallback done) ABSL_LOCKS_EXCLUDED(mu_);

  // The store's thread.
  Batch Take() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Write(const Batch& batch) ABSL_LOCKS_EXCLUDED(io_mu_);
  // fsync of the consumers added unsynced since the last Sync, fdatasync of
  // the journal written since, and fsync of the directory if an entry was
  // added or removed since.
  absl::Status Sync() ABSL_LOCKS_EXCLUDED(io_mu_);
  bool NeedsSync() const ABSL_LOCKS_EXCLUDED(io_mu_);
  // OK, or why records are not being stored.
  absl::Status failure() const ABSL_LOCKS_EXCLUDED(io_mu_);

  // The most bytes of records kept while the journal is failed.
  static constexpr size_t kMaxUnwrittenBytes = 64 << 20;
  // Folds the journals into snapshots once they hold `fold_bytes` or more.
  absl::Status MaybeFold(uint64_t fold_bytes) ABSL_LOCKS_EXCLUDED(io_mu_);

  // Admin. Each is durable when it returns.
  // A new consumer directory holding `info` and `initial`; returns the
  // consumer's id. AlreadyExists if the stream has a consumer of that name.
  absl::StatusOr<uint64_t> AddConsumer(const v1::ConsumerInfo& info, const ConsumerState& initial)
      ABSL_LOCKS_EXCLUDED(io_mu_);
  // Replaces the consumer's meta.pb; NotFound if there is no such consumer.
  absl::Status UpdateConsumer(const v1::ConsumerInfo& info) ABSL_LOCKS_EXCLUDED(io_mu_);
  // Removes the consumer's directory; NotFound if there is no such consumer.
  // Its records left in the journal are ignored from then on.
  absl::Status RemoveConsumer(const std::string& name) ABSL_LOCKS_EXCLUDED(io_mu_);
  // Removes the stream's directory. Appends are dropped from then on; Write
  // and Sync fail with NotFound.
  absl::Status RemoveAll() ABSL_LOCKS_EXCLUDED(mu_, io_mu_);
  std::vector<std::string> ConsumerNames() const ABSL_LOCKS_EXCLUDED(io_mu_);

 private:
  struct Consumer {
    std::string name;
    v1::AckPolicy ack_policy = v1::ACK_NONE;
  };

  std::string ConsumerDir(const std::string& name) const;
  std::string JournalPath(uint64_t generation) const;
  absl::Status RecoverLocked(std::vector<Recovered>* consumers)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Moves `path`, which recovery could not read for `reason`, to quarantine.
  absl::Status QuarantineLocked(const std::string& path, const std::string& name,
                                const absl::Status& reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status FoldLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  uint64_t NewConsumerIdLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  void CloseFileLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // fsyncs the files and directories of unsynced_consumers_.
  absl::Status SyncConsumersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // fsyncs the directory, after SyncConsumersLocked: an entry it makes
  // durable names files that are.
  absl::Status SyncDirLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Fails the journal with `status`, keeping `unwritten` for RetryLocked.
  absl::Status FailLocked(absl::Status status, absl::string_view unwritten)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  void KeepUnwrittenLocked(absl::string_view bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // One attempt to store the failed journal again (RewriteLocked), which
  // clears failed_ when it succeeds.
  absl::Status RetryLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status RewriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);

  const std::string stream_;
  const std::string dir_;
  const std::string quarantine_dir_;
  const size_t write_now_bytes_;
  const bool sync_creates_;
  common::FileIo* const io_;

  common::Mutex mu_;
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> buffer_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<DoneCallback> flushes_ ABSL_GUARDED_BY(mu_);
  bool told_soon_ ABSL_GUARDED_BY(mu_) = false;  // Since the last Take.
  bool told_now_ ABSL_GUARDED_BY(mu_) = false;
  bool dropping_ ABSL_GUARDED_BY(mu_) = false;  // RemoveAll ran.

  mutable absl::Mutex io_mu_;
  int fd_ ABSL_GUARDED_BY(io_mu_) = -1;  // The journal of generation_, once created.
  uint64_t generation_ ABSL_GUARDED_BY(io_mu_) = 1;
  std::map<uint64_t, uint64_t> journals_ ABSL_GUARDED_BY(io_mu_);  // Generation -> bytes.
  uint64_t journal_bytes_ ABSL_GUARDED_BY(io_mu_) = 0;
  // Consumers with records in journals_ that their snapshots lack.
  std::set<uint64_t> unfolded_ ABSL_GUARDED_BY(io_mu_);
  std::map<uint64_t, Consumer> consumers_ ABSL_GUARDED_BY(io_mu_);
  std::map<std::string, uint64_t> ids_ ABSL_GUARDED_BY(io_mu_);  // By name.
  bool unsynced_ ABSL_GUARDED_BY(io_mu_) = false;
  bool dir_changed_ ABSL_GUARDED_BY(io_mu_) = false;
  // Consumers added without fsyncs (sync_creates_ false), by name.
  std::set<std::string> unsynced_consumers_ ABSL_GUARDED_BY(io_mu_);
  bool removed_ ABSL_GUARDED_BY(io_mu_) = false;
  absl::Status failed_ ABSL_GUARDED_BY(io_mu_);
  // The current journal's size at its last fsync, and the CRC of what was
  // written after it.
  uint64_t synced_size_ ABSL_GUARDED_BY(io_mu_) = 0;
  uint32_t unsynced_crc_ ABSL_GUARDED_BY(io_mu_) = 0;
  // While failed_: the bytes not written since (a journal header first if
  // the file was not made). unwritten_complete_ is false once more than
  // kMaxUnwrittenBytes came, or the failure cannot be retried (a fold).
  std::string unwritten_ ABSL_GUARDED_BY(io_mu_);
  bool unwritten_complete_ ABSL_GUARDED_BY(io_mu_) = true;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_STREAM_JOURNAL_H_
