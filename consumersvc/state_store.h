// ConsumerStateStore: what consumers must remember across restarts, in the
// consumer service's data directory: each file consumer's configuration and
// its ConsumerState (delivered, ack floor, pending with delivery counts), as
// a snapshot plus a journal of changes shared by the consumers of its stream
// (state_format.h, docs/STORAGE_FORMAT.md "Consumer state"). Memory
// consumers (config.mem_storage) get a writer too; theirs never touches the
// disk.
//
//   auto store = ConsumerStateStore::Open({.data_dir = dir, .sync = SyncPolicy::kAlways});
//   for (LoadedConsumer& c : (*store)->Load("ORDERS")) { ... c.info, c.state, c.writer ... }
//   auto writer = (*store)->Create(info, initial_state);
//   (*writer)->RecordDelivered(dseq, sseq, delivery_count, now_ns);  // memory only
//   (*writer)->RecordAck(sseq, ack_floor);                           // memory only
//   (*writer)->Flush([reply](absl::Status s) { if (s.ok()) SendAckSyncReply(reply); });
//
// Durability:
// - Record* append to memory. The store's thread writes a stream's waiting
//   records with one write(2) within write_delay, or at once when
//   write_now_bytes wait or a Flush asks: no write per record.
// - Flush(done) runs done(OK) once every record recorded before it by any
//   writer of the same stream is written (kInterval: it survives the death
//   of the process) and, under kAlways, fdatasynced (it survives a power
//   cut). Flushes waiting together share one write and one fsync per stream
//   (group commit); those that arrive during an fsync share the next. The
//   caller confirms an acknowledgement (the AckSync reply) from `done`.
// - Records no Flush asked for are fsynced by the next Flush of their
//   stream, every sync_interval, and (kAlways) at close. Losing them in a
//   crash means redeliveries, never a lost confirmed acknowledgement: the
//   journal is replayed in order, so a record that survives brings every
//   earlier one of its stream with it.
// - Create, Update, Delete and DeleteStream are durable when they return
//   (files and the directories they change are fsynced).
// - The destructor writes every record recorded, fsyncing under kAlways.
// An I/O error fails the stream's journal (failure()): its Flushes fail
// until a later one finds the error cleared and stores every record kept
// since (stream_journal.h), or, if that cannot be done, until the store is
// reopened.
//
// Thread-safety: thread-safe. A writer is used by one thread at a time (the
// stream's serial executor); writers of different consumers may be used
// concurrently. Flush callbacks run on the store's thread, never inside
// Flush, and must not block. Writers must be destroyed before the store.
#ifndef JSENGINE_CONSUMERSVC_STATE_STORE_H_
#define JSENGINE_CONSUMERSVC_STATE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/file_io.h"
#include "common/file_lock.h"
#include "common/sync_spec.h"
#include "consumersvc/consumer_state.h"
#include "consumersvc/stream_journal.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

class ConsumerStateStore;

struct ConsumerStateStoreOptions {
  std::string data_dir;
  common::SyncPolicy sync = common::SyncPolicy::kInterval;
  absl::Duration sync_interval = absl::Minutes(2);
  // How long records no Flush asked for may wait in memory before they are
  // written, unless write_now_bytes of a stream wait.
  absl::Duration write_delay = absl::Milliseconds(100);
  size_t write_now_bytes = 1 << 20;
  // A stream's journals are folded into new snapshots once they hold this
  // many bytes.
  uint64_t fold_bytes = 16 << 20;
  // The file system (common/file_io.h); null: FileIo::Posix(). Must outlive
  // the store.
  common::FileIo* io = nullptr;
};

// Keeps one consumer's state: records its changes for the store to write.
class ConsumerStateWriter {
 public:
  using DoneCallback = std::function<void(absl::Status)>;

  ConsumerStateWriter(const ConsumerStateWriter&) = delete;
  ConsumerStateWriter& operator=(const ConsumerStateWriter&) = delete;

  // The message at stream_seq went out as consumer_seq, for the
  // delivery_count-th time, at delivered_ns (what it does to the state:
  // journal_record.h).
  void RecordDelivered(uint64_t consumer_seq, uint64_t stream_seq, uint64_t delivery_count,
                       int64_t delivered_ns);
  // The message at stream_seq was acknowledged (or terminated), and the ack
  // floor is now ack_floor.
  void RecordAck(uint64_t stream_seq, SequencePair ack_floor);
  // The state is now `state`: for changes that are neither (a purge).
  void RecordState(const ConsumerState& state);

  // Runs `done` on the store's thread once everything recorded so far is as
  // durable as the sync policy says (above), or with the error that
  // prevented it.
  void Flush(DoneCallback done);

  bool in_memory() const { return journal_ == nullptr; }
  // OK, or why this consumer's changes are not being stored (an I/O error
  // of its stream's journal, until that is stored again).
  absl::Status failure() const;

 private:
  friend class ConsumerStateStore;
  ConsumerStateWriter(ConsumerStateStore* store, std::shared_ptr<StreamJournal> journal,
                      uint64_t consumer_id);
  void Tell(StreamJournal::Wake wake);

  ConsumerStateStore* const store_;
  const std::shared_ptr<StreamJournal> journal_;  // Null for a memory consumer.
  const uint64_t consumer_id_;
};

// A consumer as Open recovered it.
struct LoadedConsumer {
  v1::ConsumerInfo info;  // stream_name, name, config and created_ns.
  ConsumerState state;
  std::unique_ptr<ConsumerStateWriter> writer;
};

class ConsumerStateStore {
 public:
  // Opens (creating) <data_dir>/consumers and recovers every file consumer:
  // torn or damaged journal tails are cut at the last valid record, consumer
  // directories whose configuration or snapshot is damaged are moved to
  // <data_dir>/quarantine/consumers/<stream>/ (both logged). Fails if
  // another store has the directory, or on I/O errors.
  static absl::StatusOr<std::unique_ptr<ConsumerStateStore>> Open(
      ConsumerStateStoreOptions options);
  ~ConsumerStateStore();

  ConsumerStateStore(const ConsumerStateStore&) = delete;
  ConsumerStateStore& operator=(const ConsumerStateStore&) = delete;

  // The streams with file consumers stored, sorted.
  std::vector<std::string> Streams() const ABSL_LOCKS_EXCLUDED(mu_);
  // The names of a stream's file consumers stored, sorted.
  std::vector<std::string> Consumers(const std::string& stream) const ABSL_LOCKS_EXCLUDED(mu_);

  // The consumers of `stream` Open recovered, by name, each with its writer;
  // each is handed out once (a second call returns the rest: none).
  std::vector<LoadedConsumer> Load(const std::string& stream) ABSL_LOCKS_EXCLUDED(mu_);

  // A new consumer (info.stream_name, info.name; info.config.mem_storage
  // says where) starting from `initial`. AlreadyExists if it is stored;
  // InvalidArgument for a name that cannot be a directory.
  absl::StatusOr<std::unique_ptr<ConsumerStateWriter>> Create(const v1::ConsumerInfo& info,
                                                              const ConsumerState& initial = {})
      ABSL_LOCKS_EXCLUDED(admin_mu_, mu_);
  // Replaces a stored consumer's configuration; NotFound if it is not
  // stored (a memory consumer's is fine: nothing to do).
  absl::Status Update(const v1::ConsumerInfo& info) ABSL_LOCKS_EXCLUDED(admin_mu_, mu_);
  // Removes a consumer (destroy its writer first); fine if nothing is stored.
  absl::Status Delete(const std::string& stream, const std::string& consumer)
      ABSL_LOCKS_EXCLUDED(admin_mu_, mu_);
  // Removes every consumer of `stream` (destroy their writers first: their
  // records are dropped and their Flushes fail with NotFound).
  absl::Status DeleteStream(const std::string& stream) ABSL_LOCKS_EXCLUDED(admin_mu_, mu_);

  // Makes what was written durable now (what the kInterval timer does):
  // journals, and consumers created since the last sync.
  void SyncAll() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  friend class ConsumerStateWriter;
  struct Recovered {
    uint64_t consumer_id = 0;
    v1::ConsumerInfo info;
    ConsumerState state;
  };

  explicit ConsumerStateStore(ConsumerStateStoreOptions options);
  absl::Status Recover() ABSL_LOCKS_EXCLUDED(mu_);
  std::string StreamDir(const std::string& stream) const;
  std::shared_ptr<StreamJournal> Find(const std::string& stream) const ABSL_LOCKS_EXCLUDED(mu_);

  // From writers.
  void Tell(const std::shared_ptr<StreamJournal>& journal, StreamJournal::Wake wake)
      ABSL_LOCKS_EXCLUDED(mu_);
  void QueueCallback(ConsumerStateWriter::DoneCallback done) ABSL_LOCKS_EXCLUDED(mu_);

  void SyncLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // Writes (and under kAlways fsyncs) what `journals` hold, then runs the
  // callbacks, then folds the journals that need it.
  void Round(std::vector<std::shared_ptr<StreamJournal>> journals,
             std::vector<ConsumerStateWriter::DoneCallback> callbacks);

  const ConsumerStateStoreOptions options_;
  std::unique_ptr<common::FileLock> lock_;  // <data_dir>/consumers.lock.

  // Serializes Create, Update, Delete and DeleteStream.
  absl::Mutex admin_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<StreamJournal>> journals_ ABSL_GUARDED_BY(mu_);
  // By stream, then name: recovered, not yet handed out by Load.
  std::map<std::string, std::map<std::string, Recovered>> recovered_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<StreamJournal>> write_now_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<StreamJournal>> write_soon_ ABSL_GUARDED_BY(mu_);
  absl::Time write_due_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::vector<ConsumerStateWriter::DoneCallback> callbacks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;  // The thread is gone.
  std::thread syncer_;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_STATE_STORE_H_
