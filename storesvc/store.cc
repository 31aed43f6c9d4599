#include "storesvc/store.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/callback_burst.h"
#include "common/durable_file.h"
#include "common/file_lock.h"
#include "common/names.h"
#include "common/quarantine.h"
#include "common/status.h"
#include "common/subject.h"
#include "glog/logging.h"
#include "google/protobuf/util/message_differencer.h"
#include "storesvc/file_store.h"
#include "storesvc/memory_store.h"
#include "storesvc/metered_message_store.h"
#include "storesvc/store_error.h"
#include "storesvc/stream_config.h"
#include "storesvc/stream_meta_copies.h"
#include "storesvc/stream_reader.h"

namespace jsengine::storesvc {
namespace {

// Stream directories whose meta files are both damaged are moved here at
// recovery.
constexpr char kQuarantineDir[] = "quarantine";
constexpr char kMsgsDir[] = "msgs";
// A deleted stream's directory is renamed here, then removed.
constexpr char kTrashDir[] = "trash";

absl::Status Internal(absl::string_view what) {
  return common::JsErrorF(common::JsErrorId::kStreamGeneralError, {{"err", what}});
}

// A subscription served by one thread; `stop` asks the thread to finish.
class ThreadSubscription : public client::Subscription {
 public:
  ThreadSubscription(std::function<void()> stop, std::thread thread)
      : stop_(std::move(stop)), thread_(std::move(thread)) {}
  ~ThreadSubscription() override { Cancel(); }

  void Cancel() override {
    stop_();
    if (!thread_.joinable()) return;
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // Cancelled from its own callback; it exits on return.
    } else {
      thread_.join();
    }
  }

 private:
  std::function<void()> stop_;
  std::thread thread_;
};

class NoSubscription : public client::Subscription {
 public:
  void Cancel() override {}
};

}  // namespace

// Delivers stream events to one watcher on its own thread, in order.
class Store::Watcher {
 public:
  explicit Watcher(EventCallback on_event) : on_event_(std::move(on_event)) {}

  // Queues `event`; returns its ticket for AwaitHandled.
  uint64_t Push(v1::StreamEvent event) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(event));
    return ++pushed_;
  }
  void Stop() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  bool stopped() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return stop_;
  }
  // Waits until the callback has returned for the event of `ticket`, or the
  // watcher stopped; at once on the watcher's own thread.
  void AwaitHandled(uint64_t ticket) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (thread_ == std::this_thread::get_id()) return;
    auto done = [this, ticket]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || handled_ >= ticket; };
    mu_.Await(absl::Condition(&done));
  }
  void Run() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      thread_ = std::this_thread::get_id();
    }
    for (;;) {
      std::deque<v1::StreamEvent> batch;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stop_ || !queue_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (stop_) return;
        batch.swap(queue_);
      }
      for (const v1::StreamEvent& e : batch) {
        if (stopped()) return;
        on_event_(e);
        absl::MutexLock lock(&mu_);
        ++handled_;
      }
    }
  }

 private:
  const EventCallback on_event_;
  absl::Mutex mu_;
  std::deque<v1::StreamEvent> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t pushed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t handled_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id thread_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

Store::Store(StoreOptions options)
    : options_(std::move(options)),
      resources_(options_.max_memory, options_.max_storage),
      follower_([this](const std::string& name) { return Find(name); }),
      readers_(std::make_shared<common::ThreadPool>(options_.reader_threads)) {}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("data_dir is required");
  JSE_RETURN_IF_ERROR(common::CreateDirsDurably(options.data_dir + "/streams", options.io));
  std::unique_ptr<Store> store(new Store(std::move(options)));
  JSE_ASSIGN_OR_RETURN(store->lock_, common::FileLock::Acquire(store->options_.data_dir + "/LOCK"));
  JSE_RETURN_IF_ERROR(common::SyncPath(store->options_.data_dir, store->options_.io));
  JSE_RETURN_IF_ERROR(store->RemoveTrash());
  JSE_RETURN_IF_ERROR(store->Recover());
  store->syncer_ = std::thread([s = store.get()] { s->SyncLoop(); });
  store->housekeeper_ = std::thread([s = store.get()] { s->HousekeepingLoop(); });
  store->follower_thread_ = std::thread([s = store.get()] { s->FollowLoop(); });
  return store;
}

Store::~Store() {
  {
    absl::MutexLock lock(&sync_mu_);
    stopping_ = true;
  }
  if (syncer_.joinable()) syncer_.join();
  if (housekeeper_.joinable()) housekeeper_.join();
  if (follower_thread_.joinable()) follower_thread_.join();
  {
    absl::MutexLock lock(&mu_);
    for (auto& [name, stream] : streams_) {
      absl::Status st = stream->Close();
      if (!st.ok()) LOG(ERROR) << "closing stream " << name << ": " << st;
    }
    for (auto& w : watchers_) w->Stop();
  }
  // Readers woken by the closes end with "stream not found".
  readers_->Shutdown();
}

std::string Store::StreamDir(const std::string& name) const {
  return absl::StrCat(options_.data_dir, "/streams/", name);
}

std::string Store::TrashDir(const std::string& name) const {
  return absl::StrCat(options_.data_dir, "/", kTrashDir, "/", name);
}

absl::Status Store::RemoveTrash() {
  const std::string trash = absl::StrCat(options_.data_dir, "/", kTrashDir);
  std::error_code ec;
  std::filesystem::remove_all(trash, ec);
  if (ec) return Internal(absl::StrCat("removing ", trash, ": ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MessageStore>> Store::OpenMessageStore(
    const v1::StreamConfig& config) {
  if (config.storage() == v1::STORAGE_MEMORY) {
    return std::make_unique<MeteredMessageStore>(std::make_unique<MemoryStore>(),
                                                 v1::STORAGE_MEMORY, &resources_);
  }
  FileStoreOptions fo;
  fo.dir = absl::StrCat(StreamDir(config.name()), "/", kMsgsDir);
  fo.segment_bytes = options_.segment_bytes;
  fo.io = options_.io;
  // As nats-server, a clean stop does not wait for the disk when appends
  // are acknowledged before fsync anyway.
  fo.sync_on_close = options_.sync == SyncPolicy::kAlways;
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<FileStore> fs, FileStore::Open(fo));
  return std::make_unique<MeteredMessageStore>(std::move(fs), v1::STORAGE_FILE, &resources_);
}

absl::Status Store::Recover() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(options_.data_dir + "/streams")) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    absl::StatusOr<v1::StreamInfo> meta = LoadStreamMetaCopies(StreamDir(name), name, options_.io);
    if (!meta.ok() && StoreErrorOf(meta.status()) == StoreErrc::kBadMeta) {
      JSE_RETURN_IF_ERROR(Quarantine(name, meta.status()));
      continue;
    }
    JSE_RETURN_IF_ERROR(meta.status());
    if (meta->config().storage() == v1::STORAGE_MEMORY) {
      // As a single nats-server: a memory stream lives as long as the
      // process that holds its messages.
      LOG(INFO) << "memory stream " << name << " did not outlive the restart; removing it";
      JSE_RETURN_IF_ERROR(RemoveStreamDir(name));
      continue;
    }
    // As nats-server's restore (addStream's checkAllLimits): a stream whose
    // max_bytes no longer fits in the server's limit, after the streams
    // recovered before it, is not loaded; its files stay.
    const v1::StreamConfig& cfg = meta->config();
    if (absl::Status room =
            resources_.CheckReservation(cfg.storage(), ReservedLocked(cfg.storage()),
                                        cfg.max_bytes() > 0 ? cfg.max_bytes() : 1);
        !room.ok()) {
      const v1::ErrorDetail error = common::ToErrorDetail(room);
      LOG(WARNING) << "Error recreating stream \"" << cfg.name() << "\": " << error.description()
                   << " (" << error.err_code() << "); not loaded, its files are left";
      continue;
    }
    JSE_ASSIGN_OR_RETURN(std::unique_ptr<MessageStore> ms, OpenMessageStore(meta->config()));
    auto stream = std::make_shared<Stream>(meta->config(), meta->created_ns(), std::move(ms));
    uint64_t first = 0, last = 0;
    stream->SetConsumerFilters(
        std::vector<std::string>(meta->consumer_filters().begin(), meta->consumer_filters().end()),
        &first, &last);
    LOG(INFO) << "recovered stream " << stream->name() << " ("
              << stream->Info(false, "").state().messages() << " messages)";
    streams_[stream->name()] = std::move(stream);
  }
  return absl::OkStatus();
}

absl::Status Store::RemoveStreamDir(const std::string& name) {
  // Renamed away first, durably: a crash leaves the whole stream or none of
  // it, and a delete that returned stays done.
  const std::string trash = TrashDir(name);
  std::error_code ec;
  std::filesystem::remove_all(trash, ec);
  absl::Status st = common::CreateDirsDurably(common::ParentDir(trash), options_.io);
  if (st.ok()) st = common::RenameDurably(StreamDir(name), trash, options_.io);
  if (!st.ok()) return st;
  std::filesystem::remove_all(trash, ec);
  if (ec) LOG(WARNING) << "removing " << trash << ": " << ec.message();
  return absl::OkStatus();
}

absl::Status Store::Quarantine(const std::string& name, const absl::Status& reason) {
  absl::StatusOr<std::string> to = common::MoveToQuarantine(
      StreamDir(name), absl::StrCat(options_.data_dir, "/", kQuarantineDir), name);
  if (!to.ok()) return Internal(to.status().message());
  LOG(ERROR) << "stream " << name << ": " << reason.message() << "; moved its directory to " << *to
             << " untouched (a create of " << name << " starts a new empty stream)";
  return absl::OkStatus();
}

absl::Status Store::WriteMeta(const Stream& stream) {
  v1::StreamInfo meta;
  *meta.mutable_config() = stream.config();
  meta.set_created_ns(stream.created_ns());
  for (const std::string& filter : stream.consumer_filters()) meta.add_consumer_filters(filter);
  std::string dir = StreamDir(stream.name());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal(absl::StrCat("mkdir ", dir, ": ", ec.message()));
  absl::Status st = WriteStreamMetaCopies(dir, meta, options_.io);
  if (st.ok()) st = common::SyncPath(options_.data_dir + "/streams", options_.io);
  return st.ok() ? st : Internal(st.message());
}

std::shared_ptr<Stream> Store::Find(const std::string& name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second;
}

std::shared_ptr<Stream> Store::FindBySubject(const std::string& subject) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [name, stream] : streams_) {
    const v1::StreamConfig cfg = stream->config();
    for (const std::string& s : cfg.subjects()) {
      if (common::SubjectMatches(s, subject)) return stream;
    }
  }
  return nullptr;
}

void Store::Emit(v1::StreamEvent::Kind kind, const std::string& name,
                 const v1::StreamConfig* config, Notices* notices) {
  v1::StreamEvent event;
  event.set_kind(kind);
  event.set_name(name);
  if (config != nullptr) *event.mutable_config() = *config;
  watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                 [](const std::shared_ptr<Watcher>& w) { return w->stopped(); }),
                  watchers_.end());
  for (auto& w : watchers_) notices->emplace_back(w, w->Push(event));
}

void Store::AwaitNotices(const Notices& notices) {
  for (const auto& [watcher, ticket] : notices) watcher->AwaitHandled(ticket);
}

absl::StatusOr<v1::StreamInfo> Store::CreateStream(const v1::CreateStreamRequest& request) {
  Notices notices;
  absl::StatusOr<v1::StreamInfo> info = CreateStreamNotifying(request, &notices);
  AwaitNotices(notices);
  return info;
}

absl::StatusOr<v1::StreamInfo> Store::UpdateStream(const v1::UpdateStreamRequest& request) {
  Notices notices;
  absl::StatusOr<v1::StreamInfo> info = UpdateStreamNotifying(request, &notices);
  AwaitNotices(notices);
  return info;
}

absl::Status Store::DeleteStream(const v1::DeleteStreamRequest& request) {
  Notices notices;
  absl::Status status = DeleteStreamNotifying(request, &notices);
  AwaitNotices(notices);
  return status;
}

absl::StatusOr<v1::StreamInfo> Store::CreateStreamNotifying(const v1::CreateStreamRequest& request,
                                                            Notices* notices) {
  if (request.config().sealed()) {
    return common::JsErrorF(common::JsErrorId::kStreamInvalidConfig,
                            {{"err", "stream configuration for create can not be sealed"}});
  }
  {
    // As nats-server, before the config is checked and with max_bytes as
    // sent (an existing stream's reservation counts too).
    const v1::StorageType storage = request.config().storage();
    absl::ReaderMutexLock lock(&mu_);
    JSE_RETURN_IF_ERROR(resources_.CheckReservation(
        storage, ReservedLocked(storage),
        request.config().max_bytes() < 0 ? 1 : request.config().max_bytes()));
  }
  JSE_ASSIGN_OR_RETURN(v1::StreamConfig cfg, CheckStreamConfig(request.config()));
  absl::MutexLock lock(&mu_);
  JSE_RETURN_IF_ERROR(CheckOrigins(&cfg));
  auto it = streams_.find(cfg.name());
  if (it != streams_.end()) {
    if (google::protobuf::util::MessageDifferencer::Equals(it->second->config(), cfg)) {
      return InfoLocked(*it->second);
    }
    return common::JsError(common::JsErrorId::kStreamNameExist);
  }
  JSE_RETURN_IF_ERROR(resources_.CheckReservation(cfg.storage(), ReservedLocked(cfg.storage()),
                                                  cfg.max_bytes() > 0 ? cfg.max_bytes() : 1));
  for (const auto& [name, other] : streams_) {
    const v1::StreamConfig other_cfg = other->config();
    if (other_cfg.account() != cfg.account()) continue;
    for (const std::string& a : other_cfg.subjects()) {
      for (const std::string& b : cfg.subjects()) {
        if (common::SubjectsCollide(a, b))
          return common::JsError(common::JsErrorId::kStreamSubjectOverlap);
      }
    }
  }
  // Only a directory this create makes may be removed if it fails: one that
  // is already there holds somebody's data.
  const std::string dir = StreamDir(cfg.name());
  std::error_code ec;
  if (!std::filesystem::create_directory(dir, ec)) {
    return Internal(ec ? absl::StrCat("mkdir ", dir, ": ", ec.message())
                       : absl::StrCat(dir, " exists without a recovered stream; left as is"));
  }
  absl::StatusOr<std::unique_ptr<MessageStore>> ms = OpenMessageStore(cfg);
  if (!ms.ok()) {
    std::filesystem::remove_all(dir, ec);
    return ms.status();
  }
  auto stream = std::make_shared<Stream>(cfg, absl::GetCurrentTimeNanos(), std::move(ms).value());
  absl::Status st = stream->StartAt(cfg.first_seq());
  if (st.ok()) st = WriteMeta(*stream);
  if (!st.ok()) {
    stream->Close().IgnoreError();
    std::filesystem::remove_all(dir, ec);
    return st;
  }
  streams_[cfg.name()] = stream;
  follower_.Forget(cfg.name());
  Emit(v1::StreamEvent::CREATED, cfg.name(), &cfg, notices);
  return InfoLocked(*stream);
}

absl::StatusOr<v1::StreamInfo> Store::UpdateStreamNotifying(const v1::UpdateStreamRequest& request,
                                                            Notices* notices) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(request.config().name());
  if (it == streams_.end()) return common::JsError(common::JsErrorId::kStreamNotFound);
  std::shared_ptr<Stream> stream = it->second;
  v1::StreamConfig old = stream->config();
  JSE_ASSIGN_OR_RETURN(v1::StreamConfig cfg, CheckStreamUpdate(old, request.config()));
  JSE_RETURN_IF_ERROR(CheckOrigins(&cfg));
  // nats-server reserves the growth of max_bytes (from -1: one byte more).
  JSE_RETURN_IF_ERROR(
      resources_.CheckReservation(cfg.storage(), ReservedLocked(cfg.storage()),
                                  std::max<int64_t>(cfg.max_bytes() - old.max_bytes(), 0)));
  for (const auto& [name, other] : streams_) {
    if (name == cfg.name()) continue;
    const v1::StreamConfig other_cfg = other->config();
    if (other_cfg.account() != cfg.account()) continue;
    for (const std::string& a : other_cfg.subjects()) {
      for (const std::string& b : cfg.subjects()) {
        if (common::SubjectsCollide(a, b))
          return common::JsError(common::JsErrorId::kStreamSubjectOverlap);
      }
    }
  }
  JSE_RETURN_IF_ERROR(stream->Update(cfg));
  JSE_RETURN_IF_ERROR(WriteMeta(*stream));
  follower_.Forget(cfg.name());
  Emit(v1::StreamEvent::UPDATED, cfg.name(), &cfg, notices);
  return InfoLocked(*stream);
}

absl::Status Store::DeleteStreamNotifying(const v1::DeleteStreamRequest& request,
                                          Notices* notices) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(request.name());
  if (it == streams_.end()) return common::JsError(common::JsErrorId::kStreamNotFound);
  std::shared_ptr<Stream> stream = it->second;
  streams_.erase(it);
  follower_.Forget(request.name());
  absl::Status st = stream->Close();
  if (!st.ok()) LOG(WARNING) << "closing deleted stream " << request.name() << ": " << st;
  st = RemoveStreamDir(request.name());
  if (!st.ok()) {
    LOG(ERROR) << "deleting stream " << request.name() << ": " << st
               << "; its directory is left in place and recovered at the next start";
  }
  Emit(v1::StreamEvent::DELETED, request.name(), nullptr, notices);
  return st.ok() ? st : Internal(st.message());
}

absl::StatusOr<v1::StreamInfo> Store::GetStreamInfo(const v1::StreamInfoRequest& request) {
  std::shared_ptr<Stream> stream = Find(request.name());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kStreamNotFound);
  return InfoOf(*stream, request.deleted_details(), request.subjects_filter());
}

template <typename Response, typename Item>
Response Store::Page(const v1::ListStreamsRequest& request, int page_limit,
                     const std::function<Item(const Stream&)>& item) {
  std::vector<std::shared_ptr<Stream>> matching;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, stream] : streams_) {
      bool match = request.subject().empty();
      const v1::StreamConfig cfg = stream->config();
      for (const std::string& s : cfg.subjects()) {
        if (match) break;
        match = common::SubjectsCollide(s, request.subject());
      }
      if (match) matching.push_back(stream);
    }
  }
  int limit = request.limit() > 0 ? std::min(request.limit(), page_limit) : page_limit;
  int offset = std::max(request.offset(), 0);
  Response resp;
  resp.set_total(static_cast<int32_t>(matching.size()));
  resp.set_offset(offset);
  resp.set_limit(limit);
  for (size_t i = offset; i < matching.size() && i < static_cast<size_t>(offset + limit); ++i) {
    if constexpr (std::is_same_v<Response, v1::ListStreamsResponse>) {
      *resp.add_streams() = item(*matching[i]);
    } else {
      resp.add_names(item(*matching[i]));
    }
  }
  return resp;
}

absl::StatusOr<v1::ListStreamsResponse> Store::ListStreams(const v1::ListStreamsRequest& request) {
  return Page<v1::ListStreamsResponse, v1::StreamInfo>(
      request, common::kListLimit, [this](const Stream& s) { return InfoOf(s); });
}

absl::StatusOr<v1::StreamNamesResponse> Store::StreamNames(const v1::ListStreamsRequest& request) {
  return Page<v1::StreamNamesResponse, std::string>(request, common::kNamesLimit,
                                                    [](const Stream& s) { return s.name(); });
}

absl::StatusOr<v1::PurgeStreamResponse> Store::PurgeStream(const v1::PurgeStreamRequest& request) {
  std::shared_ptr<Stream> stream = Find(request.name());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kStreamNotFound);
  JSE_ASSIGN_OR_RETURN(uint64_t purged, stream->Purge(request));
  v1::PurgeStreamResponse resp;
  resp.set_purged(purged);
  Notices notices;
  {
    absl::MutexLock lock(&mu_);
    v1::StreamConfig cfg = stream->config();
    Emit(v1::StreamEvent::PURGED, request.name(), &cfg, &notices);
  }
  AwaitNotices(notices);
  return resp;
}

absl::StatusOr<v1::StoredMessage> Store::GetMessage(const v1::GetMessageRequest& request) {
  std::shared_ptr<Stream> stream = Find(request.stream());
  if (stream == nullptr && request.direct()) {
    // As nats-server's mirror_direct: a mirror answers direct gets for its
    // origin too (here: when the origin is not there to answer).
    std::shared_ptr<Stream> mirror = FindMirrorDirect(request.stream());
    if (mirror != nullptr) {
      v1::GetMessageRequest of_mirror = request;
      of_mirror.set_stream(mirror->name());
      of_mirror.set_direct(false);
      return mirror->GetMessage(of_mirror);
    }
  }
  if (stream == nullptr) return common::JsError(common::JsErrorId::kStreamNotFound);
  return stream->GetMessage(request);
}

std::shared_ptr<Stream> Store::FindMirrorDirect(const std::string& origin) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [name, stream] : streams_) {
    const v1::StreamConfig cfg = stream->config();
    if (cfg.has_mirror() && cfg.mirror_direct() && cfg.mirror().name() == origin) return stream;
  }
  return nullptr;
}

absl::Status Store::DeleteMessage(const v1::DeleteMessageRequest& request) {
  std::shared_ptr<Stream> stream = Find(request.stream());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kStreamNotFound);
  return stream->DeleteMessage(request);
}

absl::StatusOr<v1::FilteredStateResponse> Store::FilteredState(
    const v1::FilteredStateRequest& request) {
  std::shared_ptr<Stream> stream = Find(request.stream());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kStreamNotFound);
  return stream->FilteredState(request);
}

absl::StatusOr<v1::SetConsumerFiltersResponse> Store::SetConsumerFilters(
    const v1::SetConsumerFiltersRequest& request) {
  std::vector<std::string> filters(request.filters().begin(), request.filters().end());
  std::sort(filters.begin(), filters.end());
  filters.erase(std::unique(filters.begin(), filters.end()), filters.end());
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(request.stream());
  if (it == streams_.end()) return common::JsError(common::JsErrorId::kStreamNotFound);
  Stream& stream = *it->second;
  const bool changed = stream.consumer_filters() != filters;
  v1::SetConsumerFiltersResponse response;
  uint64_t first = 0, last = 0;
  stream.SetConsumerFilters(std::move(filters), &first, &last);
  if (changed) JSE_RETURN_IF_ERROR(WriteMeta(stream));
  response.set_first_seq(first);
  response.set_last_seq(last);
  return response;
}

void Store::RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) {
  std::shared_ptr<Stream> stream = Find(request.stream());
  if (stream == nullptr) {
    done(common::JsError(common::JsErrorId::kStreamNotFound));
    return;
  }
  absl::StatusOr<uint64_t> removed = stream->RemoveMessages(request.removals());
  if (!removed.ok()) {
    done(removed.status());
    return;
  }
  v1::RemoveMessagesResponse response;
  response.set_removed(*removed);
  done(std::move(response));
}

void Store::Append(v1::AppendBatch batch, AppendCallback done) {
  PendingAck ack;
  ack.done = std::move(done);
  const int64_t now = absl::GetCurrentTimeNanos();
  std::shared_ptr<Stream> stream;
  for (const v1::AppendRequest& req : batch.requests()) {
    v1::AppendResult* result = ack.results.add_results();
    if (stream == nullptr || req.stream().empty() || stream->name() != req.stream()) {
      stream = req.stream().empty() ? FindBySubject(req.subject()) : Find(req.stream());
      if (stream != nullptr && std::find(ack.streams.begin(), ack.streams.end(), stream) ==
                                   ack.streams.end()) {
        ack.streams.push_back(stream);
      }
    }
    if (stream == nullptr) {
      result->set_id(req.id());
      result->set_stream(req.stream());
      *result->mutable_error() =
          common::ToErrorDetail(common::JsError(common::JsErrorId::kStreamNotFound));
      continue;
    }
    if (resources_.Exceeded(stream->storage())) {
      LOG_EVERY_T(ERROR, 10) << "JetStream resource limits exceeded for server";
      result->set_id(req.id());
      result->set_stream(stream->name());
      *result->mutable_error() =
          common::ToErrorDetail(common::JsError(common::JsErrorId::kInsufficientResources));
      continue;
    }
    stream->Append(req, now, result);
  }
  // The store forgot the appends of a stream whose write failed: none of
  // them may be acknowledged.
  std::map<std::string, absl::Status> failed;
  for (const auto& s : ack.streams) {
    absl::Status st = s->Flush();
    if (!st.ok()) {
      LOG(ERROR) << "stream " << s->name() << ": write failed: " << st;
      failed.emplace(s->name(), std::move(st));
    }
  }
  for (v1::AppendResult& r : *ack.results.mutable_results()) {
    auto it = failed.find(r.stream());
    if (it != failed.end() && !r.has_error()) {
      r.set_seq(0);
      r.set_duplicate(false);
      *r.mutable_error() = common::ToErrorDetail(it->second);
    }
  }
  if (options_.sync == SyncPolicy::kInterval || ack.streams.empty()) {
    ack.done(std::move(ack.results));
    return;
  }
  absl::MutexLock lock(&sync_mu_);
  sync_queue_.push_back(std::move(ack));
}

void Store::SyncLoop() {
  for (;;) {
    std::deque<PendingAck> work;
    {
      absl::MutexLock lock(&sync_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) {
        return stopping_ || !sync_queue_.empty();
      };
      sync_mu_.Await(absl::Condition(&ready));
      if (sync_queue_.empty()) return;
      work.swap(sync_queue_);
    }
    std::vector<Stream*> synced;
    std::set<std::string> failed;
    for (const PendingAck& ack : work) {
      for (const auto& s : ack.streams) {
        if (std::find(synced.begin(), synced.end(), s.get()) != synced.end()) continue;
        synced.push_back(s.get());
        absl::Status st = s->Sync();
        if (!st.ok()) {
          LOG(ERROR) << "stream " << s->name() << ": fsync failed: " << st;
          failed.insert(s->name());
        }
      }
    }
    common::CallbackBurst burst;
    for (PendingAck& ack : work) {
      for (v1::AppendResult& r : *ack.results.mutable_results()) {
        if (!r.has_error() && failed.count(r.stream()) > 0) {
          r.set_seq(0);
          *r.mutable_error() = common::ToErrorDetail(
              common::JsErrorF(common::JsErrorId::kStreamStoreFailed, {{"err", "fsync failed"}}));
        }
      }
      ack.done(std::move(ack.results));
    }
  }
}

bool Store::WaitForStop(absl::Duration timeout) {
  absl::MutexLock lock(&sync_mu_);
  auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) { return stopping_; };
  return sync_mu_.AwaitWithTimeout(absl::Condition(&stop), timeout);
}

void Store::HousekeepingLoop() {
  absl::Time last_sync = absl::Now();
  for (;;) {
    if (WaitForStop(options_.expire_interval)) return;
    std::vector<std::shared_ptr<Stream>> streams;
    {
      absl::ReaderMutexLock lock(&mu_);
      for (const auto& [name, s] : streams_) streams.push_back(s);
    }
    const int64_t now = absl::GetCurrentTimeNanos();
    for (const auto& s : streams) {
      absl::Status st = s->ExpireAged(now);
      if (!st.ok()) LOG(ERROR) << "stream " << s->name() << ": expiry failed: " << st;
      s->Housekeep();
    }
    if (options_.sync == SyncPolicy::kInterval && absl::Now() - last_sync >= options_.sync_interval) {
      last_sync = absl::Now();
      for (const auto& s : streams) {
        absl::Status st = s->Sync();
        if (!st.ok()) LOG(ERROR) << "stream " << s->name() << ": fsync failed: " << st;
      }
    }
  }
}

int64_t Store::ReservedLocked(v1::StorageType storage) const {
  int64_t reserved = 0;
  for (const auto& [name, stream] : streams_) {
    const v1::StreamConfig cfg = stream->config();
    if (cfg.storage() == storage && cfg.max_bytes() > 0) reserved += cfg.max_bytes();
  }
  return reserved;
}

v1::StreamInfo Store::InfoOf(const Stream& stream, bool deleted_details,
                             const std::string& subjects_filter) {
  v1::StreamInfo info = stream.Info(deleted_details, subjects_filter);
  follower_.FillInfo(&info);
  return info;
}

v1::StreamInfo Store::InfoLocked(const Stream& stream) {
  v1::StreamInfo info = stream.Info(false, "");
  const StreamFollower::Lookup lookup =
      [this](const std::string& name) ABSL_NO_THREAD_SAFETY_ANALYSIS -> std::shared_ptr<Stream> {
    auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : it->second;
  };
  follower_.FillInfo(&info, &lookup);
  return info;
}

absl::Status Store::CheckOrigins(v1::StreamConfig* cfg) {
  // Called only here, with mu_ held (the analysis does not follow lambdas).
  auto config_of = [this](const std::string& name)
                       ABSL_NO_THREAD_SAFETY_ANALYSIS -> std::optional<v1::StreamConfig> {
    auto it = streams_.find(name);
    if (it == streams_.end()) return std::nullopt;
    return it->second->config();
  };
  if (cfg->has_mirror()) {
    if (std::optional<v1::StreamConfig> origin = config_of(cfg->mirror().name())) {
      if (cfg->max_msg_size() > 0 && origin->max_msg_size() > 0 &&
          cfg->max_msg_size() < origin->max_msg_size()) {
        return common::JsError(common::JsErrorId::kMirrorMaxMessageSizeTooBig);
      }
      cfg->set_mirror_direct(origin->allow_direct());
    }
  }
  for (const v1::StreamSource& src : cfg->sources()) {
    if (std::optional<v1::StreamConfig> origin = config_of(src.name())) {
      if (cfg->max_msg_size() > 0 && origin->max_msg_size() > 0 &&
          cfg->max_msg_size() < origin->max_msg_size()) {
        return common::JsError(common::JsErrorId::kSourceMaxMessageSizeTooBig);
      }
    }
  }
  // checkStreamCfg's cycle walk: from this stream through the origins,
  // breadth first as nats-server, so two paths to one origin (sources that
  // mirror the same stream) are not taken for a cycle.
  std::deque<v1::StreamConfig> to_visit{*cfg};
  std::set<std::string> visited;
  auto overlaps = [](const v1::StreamConfig& c, const std::string& filter) {
    if (filter.empty()) return true;
    for (const std::string& s : c.subjects()) {
      if (common::SubjectsCollide(s, filter)) return true;
    }
    return false;
  };
  while (!to_visit.empty()) {
    v1::StreamConfig c = std::move(to_visit.front());
    to_visit.pop_front();
    visited.insert(c.name());
    for (const v1::StreamSource& src : c.sources()) {
      if (visited.count(src.name()) > 0) {
        if (overlaps(c, src.filter_subject())) {
          return common::JsErrorF(common::JsErrorId::kStreamInvalidConfig,
                                  {{"err", "detected cycle"}});
        }
      } else if (std::optional<v1::StreamConfig> next = config_of(src.name())) {
        to_visit.push_back(*std::move(next));
      }
    }
    if (c.has_mirror()) {
      if (visited.count(c.mirror().name()) > 0) {
        return common::JsErrorF(common::JsErrorId::kStreamInvalidConfig,
                                {{"err", "detected cycle"}});
      }
      if (std::optional<v1::StreamConfig> next = config_of(c.mirror().name())) {
        to_visit.push_back(*std::move(next));
      }
    }
  }
  return absl::OkStatus();
}

void Store::FollowLoop() {
  constexpr size_t kBatch = 512;
  constexpr int kMaxRounds = 64;  // Then the other streams get their turn.
  for (;;) {
    if (WaitForStop(options_.follow_interval)) return;
    std::vector<std::shared_ptr<Stream>> followers;
    {
      absl::ReaderMutexLock lock(&mu_);
      for (const auto& [name, s] : streams_) {
        // As nats-server, no copying into a storage over its limit.
        if (s->HasOrigins() && !resources_.Exceeded(s->storage())) followers.push_back(s);
      }
    }
    for (const auto& s : followers) {
      size_t copied = 0;
      for (int round = 0; round < kMaxRounds; ++round) {
        const size_t n = follower_.Step(*s, kBatch);
        copied += n;
        if (n == 0) break;
      }
      if (copied > 0 && options_.sync == SyncPolicy::kAlways) {
        absl::Status st = s->Sync();
        if (!st.ok()) LOG(ERROR) << "stream " << s->name() << ": fsync failed: " << st;
      }
    }
  }
}

std::unique_ptr<client::Subscription> Store::Read(const v1::ReadRequest& request,
                                                  BatchCallback on_batch, DoneCallback done) {
  absl::StatusOr<std::unique_ptr<ReadCursor>> cursor = OpenCursor(request);
  if (!cursor.ok()) {
    done(cursor.status());
    return std::make_unique<NoSubscription>();
  }
  return StreamReader::Start(readers_, *std::move(cursor), std::move(on_batch), std::move(done));
}

absl::StatusOr<std::unique_ptr<ReadCursor>> Store::OpenCursor(const v1::ReadRequest& request) {
  std::shared_ptr<Stream> stream = Find(request.stream());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kStreamNotFound);
  return std::make_unique<ReadCursor>(std::move(stream), request);
}

std::unique_ptr<client::Subscription> Store::WatchStreams(EventCallback on_event) {
  auto watcher = std::make_shared<Watcher>(std::move(on_event));
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, stream] : streams_) {
      v1::StreamEvent event;
      event.set_kind(v1::StreamEvent::SNAPSHOT);
      event.set_name(name);
      *event.mutable_config() = stream->config();
      watcher->Push(std::move(event));
    }
    v1::StreamEvent done;
    done.set_kind(v1::StreamEvent::SNAPSHOT_DONE);
    watcher->Push(std::move(done));
    watchers_.push_back(watcher);
  }
  std::thread thread([watcher] { watcher->Run(); });
  return std::make_unique<ThreadSubscription>([watcher] { watcher->Stop(); }, std::move(thread));
}

}  // namespace jsengine::storesvc
