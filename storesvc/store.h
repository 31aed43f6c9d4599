// Store: every stream of the engine, persisted under one data directory.
//
// Store implements StoreClient (storesvc/client/store_client.h), whose
// methods mirror the StoreService RPCs of proto/store.proto (same names,
// request and response types): the embedded gateway and consumer service call
// it directly, storesvc serves it over gRPC.
//
//   auto store = Store::Open({.data_dir = "/var/lib/js"});
//   (*store)->CreateStream(create_request);
//   (*store)->Append(batch, [](v1::AppendResultBatch results) { ... });
//   auto sub = (*store)->Read(read_request, on_batch, on_done);  // sub->Cancel()
//
// Durability: with SyncPolicy::kAlways, Append's callback runs only after the
// batch was fsynced; appends arriving while an fsync is in flight share the
// next one (group commit), so the caller's thread never waits for a disk.
// With kInterval (nats-server's default), the callback runs after write(2)
// and the store fsyncs every sync_interval.
//
// Server-wide limits (StoreOptions::max_memory, max_storage), as
// nats-server's max_memory_store and max_file_store: creates and updates
// whose max_bytes would take the reservations of their storage past the
// maximum fail with 10028 or 10047 (a stream without max_bytes counts 1 byte
// at its create), and publishes to a stream of a storage holding more than
// its maximum fail with 10023 (store_resources.h); mirrors and sources stop
// copying into it meanwhile.
//
// Layout: <data_dir>/LOCK (held while open: one Store per directory),
// <data_dir>/streams/<name>/meta.pb and meta.pb.bak (two copies of the
// StreamInfo: config, created, consumer filters; framed with a CRC, see
// stream_meta.h and stream_meta_copies.h),
// <data_dir>/streams/<name>/msgs/*.seg (file storage; see file_format.h),
// <data_dir>/trash/<name> (a stream being deleted; removed by Open),
// <data_dir>/quarantine/<name>.<UTC time>[.<n>] (a stream directory whose
// meta files were both missing or damaged at Open, moved here untouched so
// that its segments survive a CreateStream of the same name; never written
// again).
//
// Every directory, creation, rename and removal an acknowledgement or a
// returned admin call depends on is fsynced before it returns.
//
// Thread-safety: thread-safe. Callbacks run on store threads and must not
// block; they may call back into the Store.
#ifndef JSENGINE_STORESVC_STORE_H_
#define JSENGINE_STORESVC_STORE_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/file_io.h"
#include "common/file_lock.h"
#include "common/sync_spec.h"
#include "common/thread_pool.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"
#include "storesvc/read_cursor.h"
#include "storesvc/store_resources.h"
#include "storesvc/stream.h"
#include "storesvc/stream_follower.h"

namespace jsengine::storesvc {

// kAlways: no ack before the record is fsynced (group commit); kInterval:
// ack after write(2), fsync every sync_interval.
using SyncPolicy = common::SyncPolicy;

struct StoreOptions {
  std::string data_dir;
  SyncPolicy sync = SyncPolicy::kInterval;
  absl::Duration sync_interval = absl::Minutes(2);
  // nats-server's block size (defaultLargeBlockSize): the active segment's
  // index stays in memory until it is sealed.
  uint64_t segment_bytes = 8u << 20;
  // How often mirrors and sources look for new messages in their origins.
  absl::Duration follow_interval = absl::Milliseconds(10);
  // How often housekeeping (max_age expiry, compaction) runs.
  absl::Duration expire_interval = absl::Milliseconds(250);
  // Threads shared by every Read; a tail waiting for appends holds none.
  int reader_threads = 2;
  // The file system of file-storage streams' messages; null: the real one.
  // Must outlive the store.
  common::FileIo* io = nullptr;
  // The server-wide limits of nats-server's max_memory_store and
  // max_file_store (store_resources.h), in bytes; negative: unlimited.
  int64_t max_memory = -1;
  int64_t max_storage = -1;
};

class Store final : public client::StoreClient {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(StoreOptions options);
  ~Store() override;

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::StreamNamesResponse> StreamNames(
      const v1::ListStreamsRequest& request) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::FilteredStateResponse> FilteredState(
      const v1::FilteredStateRequest& request) override ABSL_LOCKS_EXCLUDED(mu_);
  // Rewrites the stream's meta file when the filters change.
  absl::StatusOr<v1::SetConsumerFiltersResponse> SetConsumerFilters(
      const v1::SetConsumerFiltersRequest& request) override ABSL_LOCKS_EXCLUDED(mu_);
  // Removes at once, on the calling thread; `done` runs before it returns.
  void RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // Stores the batch (one write(2) per stream touched); `done` gets one
  // result per request, in order, once as durable as the sync policy says.
  // A request with an empty `stream` goes to the stream whose subjects match
  // its subject.
  void Append(v1::AppendBatch batch, AppendCallback done) override ABSL_LOCKS_EXCLUDED(mu_);

  // Streams stored messages, then (with request.tail()) new appends, to
  // `on_batch` on the store's reader threads (StreamReader).
  std::unique_ptr<client::Subscription> Read(const v1::ReadRequest& request, BatchCallback on_batch,
                                             DoneCallback done) override ABSL_LOCKS_EXCLUDED(mu_);

  // The same read as a cursor, for a caller that reads on a thread of its
  // own (the gRPC adapter, whose writes wait for flow control).
  absl::StatusOr<std::unique_ptr<ReadCursor>> OpenCursor(const v1::ReadRequest& request)
      ABSL_LOCKS_EXCLUDED(mu_);

  // A SNAPSHOT event per existing stream, SNAPSHOT_DONE, then every
  // lifecycle change. A create, update, delete or purge returns once every
  // watcher's callback has run for its event (or the watcher stopped), so a
  // gateway binds a new stream's subjects before its creator hears back.
  std::unique_ptr<client::Subscription> WatchStreams(EventCallback on_event) override
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct PendingAck {
    std::vector<std::shared_ptr<Stream>> streams;
    v1::AppendResultBatch results;
    AppendCallback done;
  };
  class Watcher;
  // The watchers one call's events went to, each with the event's ticket.
  using Notices = std::vector<std::pair<std::shared_ptr<Watcher>, uint64_t>>;

  explicit Store(StoreOptions options);
  absl::Status Recover();
  // Removes stream `name`'s directory, renamed to the trash first so a crash
  // leaves all of it or none.
  absl::Status RemoveStreamDir(const std::string& name);
  // Moves the directory of stream `name`, whose meta file is damaged
  // (`reason`), to a new <data_dir>/quarantine/<name>.<UTC time>[.<n>].
  absl::Status Quarantine(const std::string& name, const absl::Status& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<Stream> Find(const std::string& name) const ABSL_LOCKS_EXCLUDED(mu_);
  // A mirror of `origin` with mirror_direct, if any.
  std::shared_ptr<Stream> FindMirrorDirect(const std::string& origin) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // The stream whose subjects match the literal `subject`, if any.
  std::shared_ptr<Stream> FindBySubject(const std::string& subject) const
      ABSL_LOCKS_EXCLUDED(mu_);
  std::string StreamDir(const std::string& name) const;
  // Where DeleteStream renames a stream's directory before removing it.
  std::string TrashDir(const std::string& name) const;
  // Removes what deletes cut short by a crash left in the trash.
  absl::Status RemoveTrash();
  absl::StatusOr<std::unique_ptr<MessageStore>> OpenMessageStore(const v1::StreamConfig& config);
  absl::Status WriteMeta(const Stream& stream);
  void Emit(v1::StreamEvent::Kind kind, const std::string& name, const v1::StreamConfig* config,
            Notices* notices) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits until each watcher in `notices` has handled its event or stopped;
  // not for a watcher whose own callback is the caller.
  static void AwaitNotices(const Notices& notices);
  absl::StatusOr<v1::StreamInfo> CreateStreamNotifying(const v1::CreateStreamRequest& request,
                                                       Notices* notices) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::StreamInfo> UpdateStreamNotifying(const v1::UpdateStreamRequest& request,
                                                       Notices* notices) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DeleteStreamNotifying(const v1::DeleteStreamRequest& request, Notices* notices)
      ABSL_LOCKS_EXCLUDED(mu_);
  template <typename Response, typename Item>
  Response Page(const v1::ListStreamsRequest& request, int page_limit,
                const std::function<Item(const Stream&)>& item);
  void SyncLoop();
  // Waits up to `timeout` for the store to stop; true once it is stopping.
  bool WaitForStop(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(sync_mu_);
  void HousekeepingLoop();
  // Copies new origin messages into mirrors and sources (StreamFollower).
  void FollowLoop();
  // Checks a mirror's and sources' settings against their origins and
  // fills mirror_direct (what checkStreamCfg does with other streams).
  absl::Status CheckOrigins(v1::StreamConfig* cfg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The max_bytes the streams of `storage` reserve.
  int64_t ReservedLocked(v1::StorageType storage) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // stream->Info() with its mirror and sources' progress.
  v1::StreamInfo InfoOf(const Stream& stream, bool deleted_details = false,
                        const std::string& subjects_filter = "") ABSL_LOCKS_EXCLUDED(mu_);
  // InfoOf() for a caller holding mu_.
  v1::StreamInfo InfoLocked(const Stream& stream) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const StoreOptions options_;
  // Before streams_: their message stores report to it until closed.
  StoreResources resources_;
  std::unique_ptr<common::FileLock> lock_;  // <data_dir>/LOCK: one Store per directory.

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>> streams_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);

  absl::Mutex sync_mu_;
  std::deque<PendingAck> sync_queue_ ABSL_GUARDED_BY(sync_mu_);
  bool stopping_ ABSL_GUARDED_BY(sync_mu_) = false;
  std::thread syncer_;
  std::thread housekeeper_;
  std::thread follower_thread_;
  StreamFollower follower_;
  const std::shared_ptr<common::ThreadPool> readers_;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STORE_H_
