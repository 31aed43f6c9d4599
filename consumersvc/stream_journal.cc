#include "consumersvc/stream_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/crc32c.h"
#include "common/durable_file.h"
#include "common/quarantine.h"
#include "common/status.h"
#include "consumersvc/journal_record.h"
#include "consumersvc/state_encoding.h"
#include "consumersvc/state_format.h"
#include "glog/logging.h"

namespace jsengine::consumersvc {

using namespace state_format;  // NOLINT: the format's names read best bare here.

namespace {

namespace fs = std::filesystem;

absl::Status Errno(absl::string_view op, const std::string& path) {
  return absl::InternalError(absl::StrCat(op, " ", path, ": ", std::strerror(errno)));
}

// The generation of a journal file name, "NNNNNNNNNN.journal".
bool ParseJournalName(absl::string_view name, uint64_t* generation) {
  if (!absl::ConsumeSuffix(&name, kJournalSuffix) || name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(name, generation);
}

// Reads the journal at `path` a piece at a time, so that folding does not
// hold megabytes of journal in memory.
absl::StatusOr<JournalRead> ReadJournalFile(common::FileIo* io, const std::string& path,
                                            std::function<void(const JournalRecord&)> visit) {
  constexpr size_t kPiece = 256 << 10;
  const int fd = io->Open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return Errno("open", path);
  JournalReader reader(std::move(visit));
  std::string piece(kPiece, '\0');
  off_t offset = 0;
  for (;;) {
    const ssize_t n = io->Pread(fd, piece.data(), piece.size(), offset);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const absl::Status status = Errno("read", path);
      io->Close(fd);
      return status;
    }
    offset += n;
    if (!reader.Feed(absl::string_view(piece.data(), static_cast<size_t>(n)))) break;
  }
  io->Close(fd);
  return reader.Finish();
}

// A file read for recovery: NotFound and a decode error say the file is
// damaged (DataLoss naming it); other read errors are I/O errors.
template <typename T, typename Decode>
absl::StatusOr<T> ReadAndDecode(common::FileIo* io, const std::string& path, Decode decode) {
  absl::StatusOr<std::string> file = common::ReadFile(path, io);
  if (absl::IsNotFound(file.status()))
    return absl::DataLossError(absl::StrCat(path, " is missing"));
  if (!file.ok()) return file.status();
  absl::StatusOr<T> decoded = decode(*file);
  if (!decoded.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", decoded.status().message()));
  }
  return decoded;
}

absl::Status TruncateDurably(common::FileIo* io, const std::string& path, uint64_t size) {
  const int fd = io->Open(path.c_str(), O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0) return Errno("open", path);
  absl::Status status;
  if (io->Ftruncate(fd, static_cast<off_t>(size)) != 0) {
    status = Errno("truncate", path);
  } else if (io->Fdatasync(fd) != 0) {
    status = Errno("fdatasync", path);
  }
  io->Close(fd);
  return status;
}

void RemoveAllLogged(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) LOG(WARNING) << "consumer state: removing " << path << ": " << ec.message();
}

}  // namespace

StreamJournal::StreamJournal(std::string stream, std::string dir, std::string quarantine_dir,
                             size_t write_now_bytes, bool sync_creates, common::FileIo* io)
    : stream_(std::move(stream)),
      dir_(std::move(dir)),
      quarantine_dir_(std::move(quarantine_dir)),
      write_now_bytes_(write_now_bytes),
      sync_creates_(sync_creates),
      io_(io != nullptr ? io : common::FileIo::Posix()) {}

StreamJournal::~StreamJournal() {
  absl::MutexLock lock(&io_mu_);
  CloseFileLocked();
}

std::string StreamJournal::ConsumerDir(const std::string& name) const {
  return absl::StrCat(dir_, "/", name);
}

std::string StreamJournal::JournalPath(uint64_t generation) const {
  return absl::StrCat(dir_, "/", absl::Dec(generation, absl::kZeroPad10), kJournalSuffix);
}

void StreamJournal::CloseFileLocked() {
  if (fd_ >= 0) io_->Close(fd_);
  fd_ = -1;
}

absl::StatusOr<std::shared_ptr<StreamJournal>> StreamJournal::Recover(
    std::string stream, std::string dir, std::string quarantine_dir, size_t write_now_bytes,
    bool sync_creates, common::FileIo* io, std::vector<Recovered>* consumers) {
  auto journal =
      std::make_shared<StreamJournal>(std::move(stream), std::move(dir), std::move(quarantine_dir),
                                      write_now_bytes, sync_creates, io);
  absl::MutexLock lock(&journal->io_mu_);
  JSE_RETURN_IF_ERROR(journal->RecoverLocked(consumers));
  return journal;
}

absl::Status StreamJournal::RecoverLocked(std::vector<Recovered>* out) {
  std::vector<std::string> names;
  std::map<uint64_t, std::string> journal_files;
  bool dir_changed = false;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    uint64_t generation = 0;
    if (name == kNewDir || name == kTrashDir) {
      fs::remove_all(entry.path(), ec);
      if (ec) {
        return absl::InternalError(
            absl::StrCat("remove ", entry.path().string(), ": ", ec.message()));
      }
      dir_changed = true;
    } else if (ParseJournalName(name, &generation)) {
      journal_files[generation] = name;
    } else if (name.find('.') == std::string::npos && entry.is_directory()) {
      names.push_back(name);
    } else {
      LOG(WARNING) << "consumer state: " << entry.path().string() << " is not ours; left alone";
    }
  }
  if (ec) return absl::InternalError(absl::StrCat("list ", dir_, ": ", ec.message()));
  std::sort(names.begin(), names.end());

  uint64_t max_generation = 0;
  std::map<uint64_t, uint64_t> snapshot_generation;
  std::map<uint64_t, Recovered> found;
  for (const std::string& name : names) {
    const std::string dir = ConsumerDir(name);
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (absl::EndsWith(entry.path().filename().string(), kTmpSuffix)) {
        fs::remove(entry.path(), ec);
      }
    }
    absl::StatusOr<v1::ConsumerInfo> info = ReadAndDecode<v1::ConsumerInfo>(
        io_, absl::StrCat(dir, "/", kMetaFile),
        [&](absl::string_view file) { return DecodeConsumerMeta(file, stream_, name); });
    absl::StatusOr<StateSnapshot> snapshot =
        ReadAndDecode<StateSnapshot>(io_, absl::StrCat(dir, "/", kSnapshotFile),
                                     [](absl::string_view file) { return DecodeSnapshot(file); });
    absl::Status bad = !info.ok() ? info.status() : snapshot.status();
    if (!bad.ok() && !absl::IsDataLoss(bad)) return bad;
    if (bad.ok() && consumers_.count(snapshot->consumer_id) > 0) {
      bad = absl::DataLossError(absl::StrCat(dir, "/", kSnapshotFile, ": consumer id ",
                                             snapshot->consumer_id, " is also consumer ",
                                             consumers_[snapshot->consumer_id].name, "'s"));
    }
    if (!bad.ok()) {
      JSE_RETURN_IF_ERROR(QuarantineLocked(dir, name, bad));
      continue;
    }
    const uint64_t id = snapshot->consumer_id;
    consumers_[id] = {name, info->config().ack_policy()};
    ids_[name] = id;
    snapshot_generation[id] = snapshot->generation;
    max_generation = std::max(max_generation, snapshot->generation);
    found[id] = {id, *std::move(info), std::move(snapshot->state)};
  }

  for (const auto& journal_file : journal_files) {
    const uint64_t generation = journal_file.first;
    const std::string& name = journal_file.second;
    const std::string path = absl::StrCat(dir_, "/", name);
    JSE_ASSIGN_OR_RETURN(const std::string file, common::ReadFile(path, io_));
    bool needed = false;
    auto apply = [&](const JournalRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_) {
      auto it = found.find(record.consumer_id);
      if (it == found.end() || generation <= snapshot_generation[record.consumer_id]) return;
      ApplyRecord(record, consumers_[record.consumer_id].ack_policy, &it->second.state);
      unfolded_.insert(record.consumer_id);
      needed = true;
    };
    const JournalRead read = ReadJournal(file, apply);
    max_generation = std::max(max_generation, generation);
    if (!read.has_header || read.generation != generation) {
      if (file.size() <= kJournalHeaderSize) {
        LOG(WARNING) << "consumer state: " << path << ": no journal header in " << file.size()
                     << " bytes (a crash while it was created); deleted";
        if (io_->Unlink(path.c_str()) != 0) return Errno("unlink", path);
        dir_changed = true;
        continue;
      }
      const std::string why = read.has_header
                                  ? absl::StrCat("header says generation ", read.generation)
                                  : std::string(read.damage.message());
      JSE_RETURN_IF_ERROR(
          QuarantineLocked(path, name, absl::DataLossError(absl::StrCat(path, ": ", why))));
      continue;
    }
    if (!read.damage.ok()) {
      JSE_RETURN_IF_ERROR(TruncateDurably(io_, path, read.valid_size));
      LOG(WARNING) << "consumer state: " << path << ": " << read.damage.message()
                   << "; truncated to its last valid record, cutting "
                   << file.size() - read.valid_size << " bytes";
    }
    if (needed) {
      journals_[generation] = read.valid_size;
      journal_bytes_ += read.valid_size;
    } else {
      if (io_->Unlink(path.c_str()) != 0) return Errno("unlink", path);
      dir_changed = true;
    }
  }
  generation_ = max_generation + 1;
  if (dir_changed) JSE_RETURN_IF_ERROR(common::SyncPath(dir_, io_));
  for (auto& [id, recovered] : found) out->push_back(std::move(recovered));
  return absl::OkStatus();
}

absl::Status StreamJournal::QuarantineLocked(const std::string& path, const std::string& name,
                                             const absl::Status& reason) {
  absl::StatusOr<std::string> to = common::MoveToQuarantine(path, quarantine_dir_, name);
  if (!to.ok()) return to.status();
  LOG(ERROR) << "consumer state of stream " << stream_ << ": " << reason.message() << "; moved "
             << path << " to " << *to << " untouched";
  return absl::OkStatus();
}

StreamJournal::Wake StreamJournal::Append(uint64_t consumer_id,
                                          absl::FunctionRef<void(std::string*)> encode) {
  common::MutexLock lock(&mu_);
  if (dropping_) return Wake::kNone;
  encode(&buffer_);
  if (buffer_ids_.empty() || buffer_ids_.back() != consumer_id) buffer_ids_.push_back(consumer_id);
  if (!told_now_ && buffer_.size() >= write_now_bytes_) {
    told_now_ = told_soon_ = true;
    return Wake::kNow;
  }
  if (told_soon_) return Wake::kNone;
  told_soon_ = true;
  return Wake::kSoon;
}

bool StreamJournal::AddFlush(DoneCallback done) {
  common::MutexLock lock(&mu_);
  flushes_.push_back(std::move(done));
  if (told_now_) return false;
  told_now_ = told_soon_ = true;
  return true;
}

StreamJournal::Batch StreamJournal::Take() {
  Batch batch;
  common::MutexLock lock(&mu_);
  batch.bytes.swap(buffer_);
  batch.consumer_ids.swap(buffer_ids_);
  batch.flushes.swap(flushes_);
  told_soon_ = told_now_ = false;
  return batch;
}

absl::Status StreamJournal::Write(const Batch& batch) {
  absl::MutexLock lock(&io_mu_);
  if (removed_) {
    return absl::NotFoundError(absl::StrCat("the consumers of stream ", stream_, " were deleted"));
  }
  unfolded_.insert(batch.consumer_ids.begin(), batch.consumer_ids.end());
  if (!failed_.ok()) {
    KeepUnwrittenLocked(batch.bytes);
    return RetryLocked();
  }
  if (batch.bytes.empty()) return absl::OkStatus();
  const std::string path = JournalPath(generation_);
  std::string header;
  if (fd_ < 0) {
    AppendJournalHeader(&header, generation_);
    fd_ = io_->Open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) return FailLocked(Errno("create", path), header + batch.bytes);
    journals_[generation_] = 0;
    dir_changed_ = true;
  }
  const uint64_t offset = journals_[generation_];
  absl::Status status = common::WriteFully(fd_, header, offset, path, io_);
  if (status.ok()) {
    status = common::WriteFully(fd_, batch.bytes, offset + header.size(), path, io_);
  }
  if (!status.ok()) return FailLocked(status, header + batch.bytes);
  const uint64_t written = header.size() + batch.bytes.size();
  journals_[generation_] += written;
  journal_bytes_ += written;
  unsynced_ = true;
  unsynced_crc_ = common::crc32c::Extend(unsynced_crc_, header.data(), header.size());
  unsynced_crc_ = common::crc32c::Extend(unsynced_crc_, batch.bytes.data(), batch.bytes.size());
  return absl::OkStatus();
}

absl::Status StreamJournal::FailLocked(absl::Status status, absl::string_view unwritten) {
  failed_ = std::move(status);
  LOG(ERROR) << "consumer state: " << failed_ << "; the journal of stream " << stream_
             << " takes no records until that is stored again";
  unwritten_.clear();
  unwritten_complete_ = true;
  KeepUnwrittenLocked(unwritten);
  return failed_;
}

void StreamJournal::KeepUnwrittenLocked(absl::string_view bytes) {
  if (!unwritten_complete_) return;
  if (unwritten_.size() + bytes.size() > kMaxUnwrittenBytes) {
    unwritten_complete_ = false;
    std::string().swap(unwritten_);
    LOG(ERROR) << "consumer state: over " << kMaxUnwrittenBytes << " bytes of records of stream "
               << stream_ << " wait for the journal; it is stored again only after a restart";
    return;
  }
  unwritten_.append(bytes.data(), bytes.size());
}

absl::Status StreamJournal::RetryLocked() {
  if (!unwritten_complete_) return failed_;
  const absl::Status cause = failed_;
  failed_ = RewriteLocked();
  if (failed_.ok()) {
    LOG(WARNING) << "consumer state: the journal of stream " << stream_
                 << " is stored again (after: " << cause << ")";
  } else if (failed_.code() == absl::StatusCode::kDataLoss) {
    unwritten_complete_ = false;
    std::string().swap(unwritten_);
    LOG(ERROR) << "consumer state: " << failed_;
  }
  return failed_;
}

absl::Status StreamJournal::RewriteLocked() {
  const std::string path = JournalPath(generation_);
  if (fd_ < 0 && unwritten_.empty()) {
    // Nothing written in this generation: only the directory may be due.
    if (dir_changed_) JSE_RETURN_IF_ERROR(SyncDirLocked());
    dir_changed_ = false;
    return absl::OkStatus();
  }
  if (fd_ < 0) {
    // A failed create may have made the file: the header is in unwritten_.
    fd_ = io_->Open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return Errno("create", path);
    journals_.try_emplace(generation_, 0);
    dir_changed_ = true;
  }
  const uint64_t written = journals_[generation_];
  if (written > synced_size_) {
    // Written but maybe never on disk (a failed fsync may have dropped
    // them): read back, checked, and written again to be synced below.
    const int rfd = io_->Open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (rfd < 0) return Errno("open", path);
    std::string unsynced(static_cast<size_t>(written - synced_size_), '\0');
    const ssize_t n =
        io_->Pread(rfd, unsynced.data(), unsynced.size(), static_cast<off_t>(synced_size_));
    io_->Close(rfd);
    if (n < 0) return Errno("read", path);
    if (static_cast<size_t>(n) != unsynced.size() ||
        common::crc32c::Value(unsynced.data(), unsynced.size()) != unsynced_crc_) {
      return absl::DataLossError(
          absl::StrCat(path,
                       ": records written after its last fsync were lost; the consumers' "
                       "state is stored again after a restart, which recovers what is on disk"));
    }
    JSE_RETURN_IF_ERROR(common::WriteFully(fd_, unsynced, synced_size_, path, io_));
  }
  if (io_->Ftruncate(fd_, static_cast<off_t>(written)) != 0) return Errno("truncate", path);
  JSE_RETURN_IF_ERROR(common::WriteFully(fd_, unwritten_, written, path, io_));
  if (io_->Fdatasync(fd_) != 0) return Errno("fdatasync", path);
  if (dir_changed_) JSE_RETURN_IF_ERROR(SyncDirLocked());
  journals_[generation_] += unwritten_.size();
  journal_bytes_ += unwritten_.size();
  std::string().swap(unwritten_);
  synced_size_ = journals_[generation_];
  unsynced_crc_ = 0;
  unsynced_ = false;
  dir_changed_ = false;
  return absl::OkStatus();
}

absl::Status StreamJournal::Sync() {
  absl::MutexLock lock(&io_mu_);
  if (removed_) {
    return absl::NotFoundError(absl::StrCat("the consumers of stream ", stream_, " were deleted"));
  }
  if (!failed_.ok()) return RetryLocked();
  absl::Status status;
  if (unsynced_ && fd_ >= 0 && io_->Fdatasync(fd_) != 0) {
    status = Errno("fdatasync", JournalPath(generation_));
  } else {
    unsynced_ = false;
    if (fd_ >= 0) {
      synced_size_ = journals_[generation_];
      unsynced_crc_ = 0;
    }
    if (dir_changed_) status = SyncDirLocked();
    dir_changed_ = !status.ok();
  }
  if (!status.ok()) return FailLocked(status, "");
  return absl::OkStatus();
}

absl::Status StreamJournal::SyncConsumersLocked() {
  while (!unsynced_consumers_.empty()) {
    const std::string dir = ConsumerDir(*unsynced_consumers_.begin());
    for (const char* file : {kMetaFile, kSnapshotFile}) {
      JSE_RETURN_IF_ERROR(common::SyncPath(absl::StrCat(dir, "/", file), io_));
    }
    JSE_RETURN_IF_ERROR(common::SyncPath(dir, io_));
    unsynced_consumers_.erase(unsynced_consumers_.begin());
  }
  return absl::OkStatus();
}

absl::Status StreamJournal::SyncDirLocked() {
  JSE_RETURN_IF_ERROR(SyncConsumersLocked());
  return common::SyncPath(dir_, io_);
}

bool StreamJournal::NeedsSync() const {
  absl::MutexLock lock(&io_mu_);
  if (removed_) return false;
  if (!failed_.ok()) return unwritten_complete_;  // Sync() tries to store it again.
  return unsynced_ || dir_changed_;
}

absl::Status StreamJournal::failure() const {
  absl::MutexLock lock(&io_mu_);
  return failed_;
}

absl::Status StreamJournal::MaybeFold(uint64_t fold_bytes) {
  absl::MutexLock lock(&io_mu_);
  if (removed_ || !failed_.ok() || journal_bytes_ < fold_bytes) return failed_;
  failed_ = FoldLocked();
  if (!failed_.ok()) {
    // Some snapshots may already cover the current journal: records
    // appended to it now would be skipped by recovery. Failed until reopened.
    unwritten_complete_ = false;
    LOG(ERROR) << "consumer state: folding the journals of " << stream_ << ": " << failed_;
  }
  return failed_;
}

absl::Status StreamJournal::FoldLocked() {
  struct Folding {
    std::string name;
    v1::AckPolicy ack_policy;
    uint64_t generation;  // Of its snapshot.
    ConsumerState state;
  };
  std::map<uint64_t, Folding> folding;
  for (uint64_t id : unfolded_) {
    auto it = consumers_.find(id);
    if (it == consumers_.end()) continue;
    JSE_ASSIGN_OR_RETURN(StateSnapshot snapshot,
                         ReadAndDecode<StateSnapshot>(
                             io_, absl::StrCat(ConsumerDir(it->second.name), "/", kSnapshotFile),
                             [](absl::string_view file) { return DecodeSnapshot(file); }));
    folding[id] = {it->second.name, it->second.ack_policy, snapshot.generation,
                   std::move(snapshot.state)};
  }
  for (const auto& journal : journals_) {
    const uint64_t generation = journal.first;
    const uint64_t size = journal.second;
    const std::string path = JournalPath(generation);
    JSE_ASSIGN_OR_RETURN(const JournalRead read,
                         ReadJournalFile(io_, path, [&](const JournalRecord& record) {
                           auto it = folding.find(record.consumer_id);
                           if (it == folding.end() || generation <= it->second.generation) return;
                           ApplyRecord(record, it->second.ack_policy, &it->second.state);
                         }));
    if (!read.has_header || !read.damage.ok() || read.valid_size != size) {
      return absl::DataLossError(
          absl::StrCat(path, " changed after it was written: ", read.damage.message(), " (",
                       read.valid_size, " valid bytes of ", size, ")"));
    }
  }
  for (const auto& [id, f] : folding) {
    JSE_RETURN_IF_ERROR(
        common::WriteFileAtomically(absl::StrCat(ConsumerDir(f.name), "/", kSnapshotFile),
                                    EncodeSnapshot({id, generation_, f.state}), io_));
  }
  // Every snapshot that needs the journals is durable: they can go.
  CloseFileLocked();
  for (const auto& [generation, size] : journals_) {
    if (io_->Unlink(JournalPath(generation).c_str()) != 0) {
      LOG(WARNING) << "consumer state: " << Errno("unlink", JournalPath(generation));
    }
  }
  journals_.clear();
  journal_bytes_ = 0;
  unfolded_.clear();
  unsynced_ = false;
  synced_size_ = 0;
  unsynced_crc_ = 0;
  dir_changed_ = true;
  ++generation_;
  return absl::OkStatus();
}

uint64_t StreamJournal::NewConsumerIdLocked() const {
  static thread_local std::mt19937_64 rng((uint64_t{std::random_device()()} << 32) ^
                                          std::random_device()());
  for (;;) {
    const uint64_t id = rng();
    if (id != 0 && consumers_.count(id) == 0) return id;
  }
}

absl::StatusOr<uint64_t> StreamJournal::AddConsumer(const v1::ConsumerInfo& info,
                                                    const ConsumerState& initial) {
  absl::MutexLock lock(&io_mu_);
  if (removed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the consumers of stream ", stream_, " were deleted"));
  }
  const std::string& name = info.name();
  if (ids_.count(name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("consumer ", name, " of stream ", stream_, " exists"));
  }
  JSE_RETURN_IF_ERROR(common::CreateDirsDurably(dir_, io_));
  const uint64_t id = NewConsumerIdLocked();
  // Built aside and renamed into place: a crash leaves the whole consumer or
  // a leftover that recovery removes.
  const std::string tmp = absl::StrCat(dir_, "/", kNewDir, "/", name);
  RemoveAllLogged(tmp);
  std::error_code ec;
  fs::create_directories(tmp, ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", tmp, ": ", ec.message()));
  // The files are written in place: the directory's rename is what makes
  // the consumer appear, so it comes after their fsyncs and the directory's
  // (here, or in the next Sync: a power loss before it may leave a consumer
  // whose files recovery quarantines, as the journal's unsynced records).
  const auto write = sync_creates_ ? common::WriteFileSynced : common::WriteFile;
  absl::Status status = write(absl::StrCat(tmp, "/", kMetaFile), EncodeConsumerMeta(info), io_);
  if (status.ok()) {
    status = write(absl::StrCat(tmp, "/", kSnapshotFile), EncodeSnapshot({id, 0, initial}), io_);
  }
  if (status.ok() && sync_creates_) status = common::SyncPath(tmp, io_);
  if (status.ok() && io_->Rename(tmp.c_str(), ConsumerDir(name).c_str()) != 0) {
    status = Errno("rename", tmp);
  }
  // .new need not be synced: recovery removes what a lost rename leaves.
  if (status.ok() && sync_creates_) status = common::SyncPath(dir_, io_);
  if (!status.ok()) {
    RemoveAllLogged(tmp);
    return status;
  }
  if (!sync_creates_) {
    unsynced_consumers_.insert(name);
    dir_changed_ = true;
  }
  consumers_[id] = {name, info.config().ack_policy()};
  ids_[name] = id;
  return id;
}

absl::Status StreamJournal::UpdateConsumer(const v1::ConsumerInfo& info) {
  absl::MutexLock lock(&io_mu_);
  if (removed_ || ids_.count(info.name()) == 0) {
    return absl::NotFoundError(
        absl::StrCat("no consumer ", info.name(), " of stream ", stream_, " is stored"));
  }
  return common::WriteFileAtomically(absl::StrCat(ConsumerDir(info.name()), "/", kMetaFile),
                                     EncodeConsumerMeta(info), io_);
}

absl::Status StreamJournal::RemoveConsumer(const std::string& name) {
  absl::MutexLock lock(&io_mu_);
  auto it = ids_.find(name);
  if (removed_ || it == ids_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no consumer ", name, " of stream ", stream_, " is stored"));
  }
  // Renamed away first: a crash leaves the whole consumer or none of it.
  const std::string trash = absl::StrCat(dir_, "/", kTrashDir, "/", name);
  RemoveAllLogged(trash);
  std::error_code ec;
  fs::create_directories(common::ParentDir(trash), ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", trash, ": ", ec.message()));
  // Consumers added unsynced are on disk before the directory is synced.
  JSE_RETURN_IF_ERROR(SyncConsumersLocked());
  JSE_RETURN_IF_ERROR(common::RenameDurably(ConsumerDir(name), trash, io_));
  RemoveAllLogged(trash);
  unsynced_consumers_.erase(name);
  unfolded_.erase(it->second);
  consumers_.erase(it->second);
  ids_.erase(it);
  return absl::OkStatus();
}

absl::Status StreamJournal::RemoveAll() {
  {
    common::MutexLock lock(&mu_);
    dropping_ = true;
    buffer_.clear();
    buffer_ids_.clear();
  }
  absl::MutexLock lock(&io_mu_);
  removed_ = true;
  CloseFileLocked();
  consumers_.clear();
  ids_.clear();
  journals_.clear();
  unfolded_.clear();
  struct stat st;
  if (lstat(dir_.c_str(), &st) != 0) return absl::OkStatus();
  // Renamed away first: a crash leaves every consumer of the stream or none.
  const std::string trash = absl::StrCat(common::ParentDir(dir_), "/", kTrashDir, "/", stream_);
  RemoveAllLogged(trash);
  std::error_code ec;
  fs::create_directories(common::ParentDir(trash), ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", trash, ": ", ec.message()));
  JSE_RETURN_IF_ERROR(common::RenameDurably(dir_, trash, io_));
  RemoveAllLogged(trash);
  return absl::OkStatus();
}

std::vector<std::string> StreamJournal::ConsumerNames() const {
  absl::MutexLock lock(&io_mu_);
  std::vector<std::string> names;
  for (const auto& [name, id] : ids_) names.push_back(name);
  return names;
}

}  // namespace jsengine::consumersvc
