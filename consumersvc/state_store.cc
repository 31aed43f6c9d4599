#include "consumersvc/state_store.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/callback_burst.h"
#include "common/durable_file.h"
#include "common/file_lock.h"
#include "common/names.h"
#include "common/status.h"
#include "consumersvc/journal_record.h"
#include "consumersvc/state_format.h"
#include "glog/logging.h"

namespace jsengine::consumersvc {
namespace {

namespace fs = std::filesystem;
using state_format::kConsumersDir;

// Stream and consumer names become directory names.
absl::Status CheckName(absl::string_view what, const std::string& name) {
  if (common::IsValidName(name) && !common::HasPathSeparator(name) &&
      name.size() <= common::kMaxNameLen) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(what, " name \"", name, "\" cannot be stored"));
}

absl::Status Closed() {
  return absl::FailedPreconditionError("the consumer state store is closed");
}

}  // namespace

ConsumerStateWriter::ConsumerStateWriter(ConsumerStateStore* store,
                                         std::shared_ptr<StreamJournal> journal,
                                         uint64_t consumer_id)
    : store_(store), journal_(std::move(journal)), consumer_id_(consumer_id) {}

void ConsumerStateWriter::Tell(StreamJournal::Wake wake) { store_->Tell(journal_, wake); }

void ConsumerStateWriter::RecordDelivered(uint64_t consumer_seq, uint64_t stream_seq,
                                          uint64_t delivery_count, int64_t delivered_ns) {
  if (journal_ == nullptr) return;
  Tell(journal_->Append(consumer_id_, [&](std::string* out) {
    AppendDeliveredRecord(out, consumer_id_, consumer_seq, stream_seq, delivery_count,
                          delivered_ns);
  }));
}

void ConsumerStateWriter::RecordAck(uint64_t stream_seq, SequencePair ack_floor) {
  if (journal_ == nullptr) return;
  Tell(journal_->Append(consumer_id_, [&](std::string* out) {
    AppendAckRecord(out, consumer_id_, stream_seq, ack_floor);
  }));
}

void ConsumerStateWriter::RecordState(const ConsumerState& state) {
  if (journal_ == nullptr) return;
  Tell(journal_->Append(consumer_id_,
                        [&](std::string* out) { AppendStateRecord(out, consumer_id_, state); }));
}

absl::Status ConsumerStateWriter::failure() const {
  return journal_ == nullptr ? absl::OkStatus() : journal_->failure();
}

void ConsumerStateWriter::Flush(DoneCallback done) {
  if (journal_ == nullptr) {
    store_->QueueCallback(std::move(done));
  } else if (journal_->AddFlush(std::move(done))) {
    Tell(StreamJournal::Wake::kNow);
  }
}

ConsumerStateStore::ConsumerStateStore(ConsumerStateStoreOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<ConsumerStateStore>> ConsumerStateStore::Open(
    ConsumerStateStoreOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("data_dir is required");
  JSE_RETURN_IF_ERROR(
      common::CreateDirsDurably(absl::StrCat(options.data_dir, "/", kConsumersDir), options.io));
  std::unique_ptr<ConsumerStateStore> store(new ConsumerStateStore(std::move(options)));
  JSE_ASSIGN_OR_RETURN(store->lock_, common::FileLock::Acquire(absl::StrCat(
                                         store->options_.data_dir, "/", state_format::kLockFile)));
  JSE_RETURN_IF_ERROR(store->Recover());
  store->syncer_ = std::thread([s = store.get()] { s->SyncLoop(); });
  return store;
}

ConsumerStateStore::~ConsumerStateStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (syncer_.joinable()) syncer_.join();
}

std::string ConsumerStateStore::StreamDir(const std::string& stream) const {
  return absl::StrCat(options_.data_dir, "/", kConsumersDir, "/", stream);
}

absl::Status ConsumerStateStore::Recover() {
  const std::string dir = absl::StrCat(options_.data_dir, "/", kConsumersDir);
  std::vector<std::string> streams;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == state_format::kTrashDir) {
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
      if (ec) {
        return absl::InternalError(
            absl::StrCat("remove ", entry.path().string(), ": ", ec.message()));
      }
      JSE_RETURN_IF_ERROR(common::SyncPath(dir, options_.io));
    } else if (name.find('.') == std::string::npos && entry.is_directory()) {
      streams.push_back(name);
    } else {
      LOG(WARNING) << "consumer state: " << entry.path().string() << " is not ours; left alone";
    }
  }
  std::sort(streams.begin(), streams.end());
  absl::MutexLock lock(&mu_);
  for (const std::string& stream : streams) {
    std::vector<StreamJournal::Recovered> consumers;
    JSE_ASSIGN_OR_RETURN(
        journals_[stream],
        StreamJournal::Recover(
            stream, StreamDir(stream),
            absl::StrCat(options_.data_dir, "/", state_format::kQuarantineDir, "/", stream),
            options_.write_now_bytes, options_.sync == common::SyncPolicy::kAlways, options_.io,
            &consumers));
    for (StreamJournal::Recovered& c : consumers) {
      LOG(INFO) << "consumer state: recovered consumer " << c.info.name() << " of stream " << stream
                << " (delivered " << c.state.delivered.stream_seq << ", ack floor "
                << c.state.ack_floor.stream_seq << ", " << c.state.pending.size() << " pending)";
      const std::string name = c.info.name();
      recovered_[stream][name] = {c.consumer_id, std::move(c.info), std::move(c.state)};
    }
  }
  return absl::OkStatus();
}

std::shared_ptr<StreamJournal> ConsumerStateStore::Find(const std::string& stream) const {
  absl::MutexLock lock(&mu_);
  auto it = journals_.find(stream);
  return it == journals_.end() ? nullptr : it->second;
}

std::vector<std::string> ConsumerStateStore::Streams() const {
  std::vector<std::shared_ptr<StreamJournal>> journals;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [stream, journal] : journals_) journals.push_back(journal);
  }
  std::vector<std::string> streams;
  for (const auto& journal : journals) {
    if (!journal->ConsumerNames().empty()) streams.push_back(journal->stream());
  }
  return streams;
}

std::vector<std::string> ConsumerStateStore::Consumers(const std::string& stream) const {
  std::shared_ptr<StreamJournal> journal = Find(stream);
  return journal == nullptr ? std::vector<std::string>() : journal->ConsumerNames();
}

std::vector<LoadedConsumer> ConsumerStateStore::Load(const std::string& stream) {
  std::vector<LoadedConsumer> loaded;
  absl::MutexLock lock(&mu_);
  auto it = recovered_.find(stream);
  if (it == recovered_.end()) return loaded;
  const std::shared_ptr<StreamJournal>& journal = journals_.at(stream);
  for (auto& [name, c] : it->second) {
    loaded.push_back({std::move(c.info), std::move(c.state),
                      std::unique_ptr<ConsumerStateWriter>(
                          new ConsumerStateWriter(this, journal, c.consumer_id))});
  }
  recovered_.erase(it);
  return loaded;
}

absl::StatusOr<std::unique_ptr<ConsumerStateWriter>> ConsumerStateStore::Create(
    const v1::ConsumerInfo& info, const ConsumerState& initial) {
  JSE_RETURN_IF_ERROR(CheckName("stream", info.stream_name()));
  JSE_RETURN_IF_ERROR(CheckName("consumer", info.name()));
  if (info.config().mem_storage()) {
    return std::unique_ptr<ConsumerStateWriter>(new ConsumerStateWriter(this, nullptr, 0));
  }
  absl::MutexLock admin(&admin_mu_);
  std::shared_ptr<StreamJournal> journal;
  {
    absl::MutexLock lock(&mu_);
    std::shared_ptr<StreamJournal>& slot = journals_[info.stream_name()];
    if (slot == nullptr) {
      slot = std::make_shared<StreamJournal>(
          info.stream_name(), StreamDir(info.stream_name()),
          absl::StrCat(options_.data_dir, "/", state_format::kQuarantineDir, "/",
                       info.stream_name()),
          options_.write_now_bytes, options_.sync == common::SyncPolicy::kAlways, options_.io);
    }
    journal = slot;
  }
  JSE_ASSIGN_OR_RETURN(const uint64_t id, journal->AddConsumer(info, initial));
  return std::unique_ptr<ConsumerStateWriter>(new ConsumerStateWriter(this, journal, id));
}

absl::Status ConsumerStateStore::Update(const v1::ConsumerInfo& info) {
  if (info.config().mem_storage()) return absl::OkStatus();
  absl::MutexLock admin(&admin_mu_);
  std::shared_ptr<StreamJournal> journal = Find(info.stream_name());
  if (journal == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no consumer of stream ", info.stream_name(), " is stored"));
  }
  JSE_RETURN_IF_ERROR(journal->UpdateConsumer(info));
  absl::MutexLock lock(&mu_);
  auto stream = recovered_.find(info.stream_name());
  if (stream != recovered_.end()) {
    auto c = stream->second.find(info.name());
    if (c != stream->second.end()) c->second.info = info;
  }
  return absl::OkStatus();
}

absl::Status ConsumerStateStore::Delete(const std::string& stream, const std::string& consumer) {
  absl::MutexLock admin(&admin_mu_);
  std::shared_ptr<StreamJournal> journal = Find(stream);
  if (journal == nullptr) return absl::OkStatus();
  const absl::Status status = journal->RemoveConsumer(consumer);
  if (!status.ok() && !absl::IsNotFound(status)) return status;
  absl::MutexLock lock(&mu_);
  auto it = recovered_.find(stream);
  if (it != recovered_.end()) it->second.erase(consumer);
  return absl::OkStatus();
}

absl::Status ConsumerStateStore::DeleteStream(const std::string& stream) {
  absl::MutexLock admin(&admin_mu_);
  std::shared_ptr<StreamJournal> journal;
  {
    absl::MutexLock lock(&mu_);
    auto it = journals_.find(stream);
    if (it == journals_.end()) return absl::OkStatus();
    journal = std::move(it->second);
    journals_.erase(it);
    recovered_.erase(stream);
  }
  const absl::Status status = journal->RemoveAll();
  // Flushes still queued fail on the store's thread.
  Tell(journal, StreamJournal::Wake::kNow);
  return status;
}

void ConsumerStateStore::Tell(const std::shared_ptr<StreamJournal>& journal,
                              StreamJournal::Wake wake) {
  if (wake == StreamJournal::Wake::kNone) return;
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      if (wake == StreamJournal::Wake::kNow) {
        write_now_.push_back(journal);
      } else {
        write_soon_.push_back(journal);
        if (write_due_ == absl::InfiniteFuture()) write_due_ = absl::Now() + options_.write_delay;
      }
      return;
    }
  }
  for (auto& done : journal->Take().flushes) done(Closed());
}

void ConsumerStateStore::QueueCallback(ConsumerStateWriter::DoneCallback done) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      callbacks_.push_back(std::move(done));
      return;
    }
  }
  done(Closed());
}

void ConsumerStateStore::SyncLoop() {
  absl::Time next_sync = absl::Now() + options_.sync_interval;
  for (;;) {
    std::vector<std::shared_ptr<StreamJournal>> journals;
    std::vector<ConsumerStateWriter::DoneCallback> callbacks;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      absl::Time deadline;
      // Also wakes when records start waiting, to wait for write_due_ instead.
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !write_now_.empty() || !callbacks_.empty() || write_due_ < deadline;
      };
      do {
        deadline = std::min(write_due_, next_sync);
      } while (mu_.AwaitWithDeadline(absl::Condition(&ready), deadline) && !stopping_ &&
               write_now_.empty() && callbacks_.empty());
      stopping = stopping_;
      journals.swap(write_now_);
      // Every stream with records waiting is in one of the two lists.
      if (stopping || absl::Now() >= write_due_) {
        journals.insert(journals.end(), write_soon_.begin(), write_soon_.end());
        write_soon_.clear();
        write_due_ = absl::InfiniteFuture();
      }
      callbacks.swap(callbacks_);
    }
    Round(std::move(journals), std::move(callbacks));
    const bool sync_now =
        stopping ? options_.sync == common::SyncPolicy::kAlways : absl::Now() >= next_sync;
    if (sync_now) {
      SyncAll();
      next_sync = absl::Now() + options_.sync_interval;
    }
    if (stopping) {
      absl::MutexLock lock(&mu_);
      if (write_now_.empty() && write_soon_.empty() && callbacks_.empty()) {
        stopped_ = true;
        return;
      }
    }
  }
}

void ConsumerStateStore::Round(std::vector<std::shared_ptr<StreamJournal>> journals,
                               std::vector<ConsumerStateWriter::DoneCallback> callbacks) {
  std::sort(journals.begin(), journals.end());
  journals.erase(std::unique(journals.begin(), journals.end()), journals.end());
  struct Done {
    std::vector<ConsumerStateWriter::DoneCallback> flushes;
    absl::Status status;
  };
  std::vector<Done> done;
  for (const auto& journal : journals) {
    StreamJournal::Batch batch = journal->Take();
    absl::Status status = journal->Write(batch);
    if (status.ok() && !batch.flushes.empty() && options_.sync == common::SyncPolicy::kAlways) {
      status = journal->Sync();
    }
    if (!batch.flushes.empty()) done.push_back({std::move(batch.flushes), std::move(status)});
  }
  {
    common::CallbackBurst burst;
    for (Done& d : done) {
      for (auto& flush : d.flushes) flush(d.status);
    }
    for (auto& callback : callbacks) callback(absl::OkStatus());
  }
  for (const auto& journal : journals) journal->MaybeFold(options_.fold_bytes).IgnoreError();
}

void ConsumerStateStore::SyncAll() {
  std::vector<std::shared_ptr<StreamJournal>> journals;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [stream, journal] : journals_) journals.push_back(journal);
  }
  for (const auto& journal : journals) {
    if (journal->NeedsSync()) journal->Sync().IgnoreError();
  }
}

}  // namespace jsengine::consumersvc
