#include "storesvc/stream.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/status.h"
#include "glog/logging.h"
#include "storesvc/nats_headers.h"
#include "storesvc/store_error.h"
#include "common/subject.h"

namespace jsengine::storesvc {
namespace {

constexpr size_t kMaxHeaderSize = 64 * 1024 - 1;  // nats-server's math.MaxUint16.

// A Read batch ends after the message that takes it to this many bytes, so
// that a reader of large messages (object store chunks) gets its first ones
// while the rest are still being read, and the stream's lock is held for a
// bounded time.
constexpr size_t kReadBatchBytes = 512 * 1024;

// How long a stream whose fsync failed takes no writes before Housekeep()
// reloads it: acks waiting for that fsync are failed first.
constexpr absl::Duration kRecoverAfter = absl::Seconds(1);

absl::Status StoreFailed(const absl::Status& cause) {
  return common::JsErrorF(common::JsErrorId::kStreamStoreFailed, {{"err", cause.message()}});
}

// Whether `st` is a failed write, after which the store forgot what it had
// not written (FileStore).
bool IsWriteFailure(const absl::Status& st) {
  const std::optional<StoreErrc> errc = StoreErrorOf(st);
  return errc == StoreErrc::kIo || errc == StoreErrc::kNoSpace;
}

}  // namespace

Stream::Stream(v1::StreamConfig config, int64_t created_ns, std::unique_ptr<MessageStore> store)
    : name_(config.name()),
      storage_(config.storage()),
      created_ns_(created_ns),
      config_(std::move(config)),
      store_(std::move(store)),
      appends_(store_->State().last_seq),
      sync_store_(store_.get()) {
  absl::MutexLock lock(&mu_);
  last_seq_ = store_->State().last_seq;
  ApplyConfigLocked();
}

void Stream::ApplyConfigLocked() {
  transform_.reset();
  if (config_.has_subject_transform()) {
    absl::StatusOr<common::SubjectTransform> t = common::SubjectTransform::Create(
        config_.subject_transform().src(), config_.subject_transform().dest());
    if (t.ok()) transform_ = *std::move(t);
  }
  store_->SetCompressData(config_.compression() == v1::COMPRESSION_S2);
}

absl::Status Stream::StartAt(uint64_t first_seq) {
  absl::MutexLock lock(&mu_);
  if (first_seq <= 1 || last_seq_ != 0) return absl::OkStatus();
  JSE_RETURN_IF_ERROR(store_->Purge("", first_seq, 0).status());
  JSE_RETURN_IF_ERROR(FlushStore());
  last_seq_ = store_->State().last_seq;
  return absl::OkStatus();
}

Stream::~Stream() { Close().IgnoreError(); }

v1::StreamConfig Stream::config() const {
  absl::MutexLock lock(&mu_);
  return config_;
}

void Stream::Append(const v1::AppendRequest& request, int64_t now_ns, v1::AppendResult* result) {
  result->set_id(request.id());
  result->set_stream(name_);
  uint64_t seq = 0;
  bool duplicate = false;
  absl::Status st;
  {
    absl::MutexLock lock(&mu_);
    st = AppendLocked(request, now_ns, &seq, &duplicate);
  }
  if (!st.ok()) {
    *result->mutable_error() = common::ToErrorDetail(st);
    return;
  }
  result->set_seq(seq);
  result->set_duplicate(duplicate);
}

absl::Status Stream::AppendMirrored(const v1::StoredMessage& msg, const std::string& subject) {
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  if (absl::Status failed = failure(); !failed.ok()) return StoreFailed(failed);
  CheckWriteFailures();
  if (!batch_error_.ok()) return batch_error_;
  if (msg.seq() <= last_seq_) return absl::OkStatus();
  const int64_t ts = std::max(msg.time_ns(), store_->State().last_ts);
  if (last_seq_ + 1 < msg.seq() && store_->State().msgs == 0) {
    // Nothing kept to spare: one purge record moves the range up.
    absl::Status st = store_->Purge("", msg.seq(), 0).status();
    if (!st.ok()) return WriteFailed(st);
    ResyncWithStore();
  }
  while (last_seq_ + 1 < msg.seq()) {
    absl::StatusOr<uint64_t> skipped = store_->Append(subject, "", "", ts);
    if (skipped.ok()) {
      absl::StatusOr<bool> removed = store_->Remove(*skipped);
      if (!removed.ok()) skipped = removed.status();
    }
    if (!skipped.ok()) return WriteFailed(skipped.status());
    Stored(*skipped, "", ts);
  }
  absl::StatusOr<uint64_t> stored = store_->Append(subject, msg.headers(), msg.data(), ts);
  if (!stored.ok()) return WriteFailed(stored.status());
  Stored(*stored, "", ts);
  absl::Status after = EnforceLimits(subject, absl::GetCurrentTimeNanos());
  return IsWriteFailure(after) ? WriteFailed(after) : after;
}

bool Stream::HasOrigins() const {
  absl::MutexLock lock(&mu_);
  return config_.has_mirror() || config_.sources_size() > 0;
}

uint64_t Stream::LastSeq() const {
  absl::MutexLock lock(&mu_);
  return last_seq_;
}

absl::Status Stream::AppendLocked(const v1::AppendRequest& request, int64_t now_ns,
                                  uint64_t* seq, bool* duplicate) {
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  if (config_.sealed()) return common::JsError(common::JsErrorId::kStreamSealed);
  if (config_.has_mirror()) {
    return common::JsErrorF(common::JsErrorId::kStreamStoreFailed,
                            {{"err", "stream is a mirror: it takes no publishes"}});
  }
  if (absl::Status failed = failure(); !failed.ok()) return StoreFailed(failed);
  CheckWriteFailures();
  if (!batch_error_.ok()) return batch_error_;
  const std::string& hdr = request.headers();
  std::optional<std::string> mapped;
  if (transform_.has_value()) mapped = transform_->Match(request.subject());
  const std::string& subject = mapped.has_value() ? *mapped : request.subject();
  std::string msg_id;
  bool rollup_sub = false;
  bool rollup_all = false;
  if (!hdr.empty()) {
    if (!dedup_loaded_ && (FindHeader(hdr, kMsgIdHeader).has_value() ||
                           FindHeader(hdr, kExpectedLastMsgIdHeader).has_value())) {
      RebuildDedup(now_ns);
    }
    if (auto expected = FindHeader(hdr, kExpectedStreamHeader);
        expected.has_value() && !expected->empty() && *expected != name_) {
      return common::JsError(common::JsErrorId::kStreamNotMatch);
    }
    if (auto id = FindHeader(hdr, kMsgIdHeader); id.has_value() && !id->empty()) {
      msg_id = std::string(*id);
      TrimDedup(now_ns);
      auto it = dedup_.find(msg_id);
      if (it != dedup_.end()) {
        *seq = it->second.seq;
        *duplicate = true;
        return absl::OkStatus();
      }
    }
    if (auto want = FindUintHeader(hdr, kExpectedLastSubjSeqHeader); want.has_value()) {
      uint64_t have = 0;
      auto last = store_->LoadLast(subject);
      if (last.ok()) have = last->seq();
      if (have != *want) {
        return common::JsErrorF(common::JsErrorId::kStreamWrongLastSequence,
                                {{"seq", absl::StrCat(have)}});
      }
    }
    if (auto want = FindUintHeader(hdr, kExpectedLastSeqHeader);
        want.has_value() && *want != last_seq_) {
      return common::JsErrorF(common::JsErrorId::kStreamWrongLastSequence,
                              {{"seq", absl::StrCat(last_seq_)}});
    }
    if (auto want = FindHeader(hdr, kExpectedLastMsgIdHeader);
        want.has_value() && !want->empty() && *want != last_msg_id_) {
      return common::JsErrorF(common::JsErrorId::kStreamWrongLastMsgID, {{"id", last_msg_id_}});
    }
    if (auto rollup = FindHeader(hdr, kRollupHeader); rollup.has_value() && !rollup->empty()) {
      if (!config_.allow_rollup_hdrs() || config_.deny_purge()) {
        return common::JsErrorF(common::JsErrorId::kStreamRollupFailed,
                                {{"err", "rollup not permitted"}});
      }
      if (*rollup == kRollupSubject) {
        rollup_sub = true;
      } else if (*rollup == kRollupAll) {
        rollup_all = true;
      } else {
        return common::JsErrorF(
            common::JsErrorId::kStreamRollupFailed,
            {{"err", absl::StrCat("rollup value invalid: \"", absl::CEscape(*rollup), "\"")}});
      }
    }
  }
  if (config_.max_msg_size() > 0 &&
      hdr.size() + request.data().size() > static_cast<size_t>(config_.max_msg_size())) {
    return common::JsError(common::JsErrorId::kStreamMessageExceedsMaximum);
  }
  if (hdr.size() > kMaxHeaderSize)
    return common::JsError(common::JsErrorId::kStreamHeaderExceedsMaximum);
  if (subject.empty() || !common::IsValidLiteralSubject(subject)) {
    return common::JsErrorF(common::JsErrorId::kStreamStoreFailed, {{"err", "invalid subject"}});
  }
  if (config_.retention() == v1::RETENTION_INTEREST && !HasConsumerInterest(subject)) {
    // nats-server's SkipMsg: the sequence is used, nothing is kept.
    absl::StatusOr<uint64_t> skipped = store_->Append(subject, "", "", now_ns);
    if (skipped.ok()) {
      absl::StatusOr<bool> removed = store_->Remove(*skipped);
      if (!removed.ok()) skipped = removed.status();
    }
    if (!skipped.ok()) return WriteFailed(skipped.status());
    Stored(*skipped, msg_id, now_ns);
    *seq = *skipped;
    return absl::OkStatus();
  }
  if (config_.discard() == v1::DISCARD_NEW) {
    StoreState state = store_->State();
    if (config_.max_msgs() > 0 && state.msgs >= static_cast<uint64_t>(config_.max_msgs())) {
      return StoreFailed(StoreError(StoreErrc::kMaxMsgs, "maximum messages exceeded"));
    }
    if (config_.max_bytes() > 0 &&
        state.bytes + store_->MsgSize(subject, hdr, request.data()) >
            static_cast<uint64_t>(config_.max_bytes())) {
      return StoreFailed(StoreError(StoreErrc::kMaxBytes, "maximum bytes exceeded"));
    }
    if (config_.discard_new_per_subject() && config_.max_msgs_per_subject() > 0 &&
        store_->SubjectCount(subject) >= static_cast<uint64_t>(config_.max_msgs_per_subject())) {
      return StoreFailed(
          StoreError(StoreErrc::kMaxMsgsPerSubject, "maximum messages per subject exceeded"));
    }
  }
  absl::StatusOr<uint64_t> stored = store_->Append(subject, hdr, request.data(), now_ns);
  if (!stored.ok()) return WriteFailed(stored.status());
  *seq = *stored;
  Stored(*stored, msg_id, now_ns);
  absl::Status after;
  if (rollup_all) {
    after = store_->Purge("", *stored, 0).status();
  } else if (rollup_sub) {
    after = store_->Purge(subject, *stored, 0).status();
  }
  if (after.ok()) after = EnforceLimits(subject, now_ns);
  return IsWriteFailure(after) ? WriteFailed(after) : after;
}

absl::Status Stream::WriteFailed(const absl::Status& cause) {
  LOG(ERROR) << "stream " << name_ << ": store failed: " << cause;
  if (!IsWriteFailure(cause)) return StoreFailed(cause);
  batch_error_ = StoreErrorOf(cause) == StoreErrc::kNoSpace
                     ? common::JsError(common::JsErrorId::kInsufficientResources)
                     : StoreFailed(cause);
  write_failures_seen_ = store_->write_failures();
  ResyncWithStore();
  return batch_error_;
}

void Stream::CheckWriteFailures() {
  if (store_->write_failures() == write_failures_seen_) return;
  if (appended_since_flush_) {
    WriteFailed(store_->last_write_failure()).IgnoreError();
  } else {
    write_failures_seen_ = store_->write_failures();
    ResyncWithStore();
  }
}

void Stream::ResyncWithStore() {
  last_seq_ = store_->State().last_seq;
  dedup_loaded_ = false;
  dedup_.clear();
  dedup_order_.clear();
  last_msg_id_.clear();
}

absl::Status Stream::FlushStore() {
  absl::Status st = store_->Flush();
  if (st.ok()) return st;
  st = WriteFailed(st);
  // Appends answered since the last Flush() were forgotten too: their batch
  // fails.
  if (!appended_since_flush_) batch_error_ = absl::OkStatus();
  return st;
}

void Stream::Stored(uint64_t seq, const std::string& msg_id, int64_t now_ns) {
  appended_since_flush_ = true;
  last_seq_ = seq;
  last_msg_id_ = msg_id;
  if (!msg_id.empty() && config_.duplicate_window_ns() > 0) {
    dedup_[msg_id] = DedupEntry{seq, now_ns};
    dedup_order_.emplace_back(now_ns, msg_id);
  }
}

bool Stream::HasConsumerInterest(absl::string_view subject) const {
  return !consumer_filters_.empty() && consumer_interest_.Matches(subject);
}

void Stream::SetConsumerFilters(std::vector<std::string> filters, uint64_t* first_seq,
                                uint64_t* last_seq) {
  std::sort(filters.begin(), filters.end());
  filters.erase(std::unique(filters.begin(), filters.end()), filters.end());
  absl::MutexLock lock(&mu_);
  consumer_interest_ = SubjectFilters(filters);
  consumer_filters_ = std::move(filters);
  if (closed_) {
    *first_seq = *last_seq = 0;
    return;
  }
  const StoreState state = store_->State();
  *first_seq = state.first_seq;
  *last_seq = state.last_seq;
}

std::vector<std::string> Stream::consumer_filters() const {
  absl::MutexLock lock(&mu_);
  return consumer_filters_;
}

absl::StatusOr<uint64_t> Stream::RemoveMessages(
    const google::protobuf::RepeatedPtrField<v1::Removal>& removals) {
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  const SubjectFilters every;
  uint64_t removed = 0;
  for (const v1::Removal& r : removals) {
    const bool conditional = r.keep_subjects_size() > 0;
    const SubjectFilters keep(
        std::vector<std::string>(r.keep_subjects().begin(), r.keep_subjects().end()));
    if (conditional && keep.all()) continue;
    for (uint64_t seq = store_->NextSeq(every, r.first_seq()); seq != 0 && seq <= r.last_seq();
         seq = store_->NextSeq(every, seq + 1)) {
      if (conditional) {
        const std::string* subject = store_->SubjectOf(seq);
        if (subject == nullptr || keep.Matches(*subject)) continue;
      }
      absl::StatusOr<bool> gone = store_->Remove(seq);
      if (!gone.ok()) {
        return common::JsErrorF(common::JsErrorId::kStreamMsgDeleteFailed,
                                {{"err", gone.status().message()}});
      }
      removed += *gone ? 1 : 0;
    }
  }
  JSE_RETURN_IF_ERROR(FlushStore());
  return removed;
}

absl::Status Stream::EnforceLimits(const std::string& subject, int64_t now_ns) {
  // Usually one message over a limit: remove oldest ones singly rather than
  // scanning with Purge().
  if (config_.max_msgs_per_subject() > 0 && !subject.empty()) {
    const uint64_t limit = static_cast<uint64_t>(config_.max_msgs_per_subject());
    while (store_->SubjectCount(subject) > limit) {
      uint64_t oldest = store_->NextSeq(SubjectFilters(subject), 0);
      if (oldest == 0) break;
      JSE_RETURN_IF_ERROR(store_->Remove(oldest).status());
    }
  }
  if (config_.max_msgs() > 0) {
    const uint64_t limit = static_cast<uint64_t>(config_.max_msgs());
    for (StoreState s = store_->State(); s.msgs > limit; s = store_->State()) {
      JSE_ASSIGN_OR_RETURN(bool removed, store_->Remove(s.first_seq));
      if (!removed) break;
    }
  }
  if (config_.max_bytes() > 0) {
    const uint64_t limit = static_cast<uint64_t>(config_.max_bytes());
    for (StoreState s = store_->State(); s.bytes > limit && s.msgs > 0; s = store_->State()) {
      JSE_ASSIGN_OR_RETURN(bool removed, store_->Remove(s.first_seq));
      if (!removed) break;
    }
  }
  return ExpireAgedLocked(now_ns);
}

absl::Status Stream::ExpireAgedLocked(int64_t now_ns) {
  if (config_.max_age_ns() <= 0) return absl::OkStatus();
  int64_t cutoff = now_ns - config_.max_age_ns();
  StoreState s = store_->State();
  if (s.msgs == 0 || s.first_ts > cutoff) return absl::OkStatus();
  uint64_t bound = store_->SeqForTime(cutoff + 1);
  return store_->Purge("", bound, 0).status();
}

absl::Status Stream::ExpireAged(int64_t now_ns) {
  bool expired;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    const uint64_t first = store_->State().first_seq;
    JSE_RETURN_IF_ERROR(ExpireAgedLocked(now_ns));
    TrimDedup(now_ns);
    JSE_RETURN_IF_ERROR(FlushStore());
    expired = store_->State().first_seq != first;
  }
  // Tail readers tell their consumers what max_age took without waiting
  // for the next append.
  if (expired) appends_.WakeAll();
  return absl::OkStatus();
}

void Stream::TrimDedup(int64_t now_ns) {
  int64_t cutoff = now_ns - config_.duplicate_window_ns();
  while (!dedup_order_.empty() && dedup_order_.front().first < cutoff) {
    auto it = dedup_.find(dedup_order_.front().second);
    if (it != dedup_.end() && it->second.ts == dedup_order_.front().first) dedup_.erase(it);
    dedup_order_.pop_front();
  }
}

void Stream::RebuildDedup(int64_t now_ns) {
  dedup_loaded_ = true;
  dedup_.clear();
  dedup_order_.clear();
  StoreState s = store_->State();
  if (s.msgs > 0) {
    auto last = store_->Load(store_->State().last_seq);
    if (last.ok()) {
      auto id = FindHeader(last->headers(), kMsgIdHeader);
      if (id.has_value()) last_msg_id_ = std::string(*id);
    }
  }
  if (config_.duplicate_window_ns() <= 0) return;
  uint64_t seq = store_->SeqForTime(now_ns - config_.duplicate_window_ns());
  for (;;) {
    auto m = store_->LoadNext("", seq);
    if (!m.ok()) break;
    seq = m->seq() + 1;
    auto id = FindHeader(m->headers(), kMsgIdHeader);
    if (!id.has_value() || id->empty()) continue;
    dedup_[std::string(*id)] = DedupEntry{m->seq(), m->time_ns()};
    dedup_order_.emplace_back(m->time_ns(), std::string(*id));
  }
}

absl::Status Stream::Flush() {
  uint64_t last_seq;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    absl::Status st = store_->Flush();
    if (!st.ok()) st = WriteFailed(st);
    CheckWriteFailures();
    if (st.ok()) st = batch_error_;
    batch_error_ = absl::OkStatus();
    appended_since_flush_ = false;
    if (!st.ok()) return st;
    last_seq = last_seq_;
  }
  appends_.Advance(last_seq);
  return absl::OkStatus();
}

void Stream::Housekeep() {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  if (!failure().ok()) {
    RecoverLocked();
    if (!failure().ok()) return;
  }
  store_->Compact();
  store_->Checkpoint();
}

void Stream::RecoverLocked() {
  {
    absl::MutexLock lock(&failure_mu_);
    if (absl::Now() - failed_at_ < kRecoverAfter) return;
  }
  absl::Status st;
  {
    absl::MutexLock lock(&sync_mu_);
    st = store_->Reload();
  }
  if (!st.ok()) {
    LOG(ERROR) << "stream " << name_ << ": reading it again from disk failed: " << st;
    return;
  }
  ResyncWithStore();
  LOG(WARNING) << "stream " << name_ << ": read again from disk after a failed fsync, up to "
               << "sequence " << last_seq_ << "; taking writes again";
  absl::MutexLock lock(&failure_mu_);
  failure_ = absl::OkStatus();
}

absl::Status Stream::failure() const {
  absl::MutexLock lock(&failure_mu_);
  return failure_;
}

absl::Status Stream::Sync() {
  if (absl::Status failed = failure(); !failed.ok()) return failed;
  absl::Status st;
  {
    absl::MutexLock lock(&sync_mu_);
    if (sync_store_ == nullptr) return absl::OkStatus();
    st = sync_store_->Sync();
  }
  if (st.ok()) return st;
  LOG(ERROR) << "stream " << name_ << ": " << st
             << "; taking no writes until it is read again from disk";
  absl::MutexLock lock(&failure_mu_);
  if (failure_.ok()) {
    failure_ = absl::Status(st.code(), absl::StrCat("fsync failed: ", st.message()));
    failed_at_ = absl::Now();
  }
  return failure_;
}

v1::StreamInfo Stream::Info(bool deleted_details, const std::string& subjects_filter) const {
  v1::StreamInfo info;
  info.set_created_ns(created_ns_);
  info.set_ts_ns(absl::GetCurrentTimeNanos());
  absl::MutexLock lock(&mu_);
  *info.mutable_config() = config_;
  if (closed_) return info;
  if (absl::Status failed = failure(); !failed.ok()) info.set_failed(std::string(failed.message()));
  StoreState s = store_->State();
  v1::StreamState* st = info.mutable_state();
  st->set_messages(s.msgs);
  st->set_bytes(s.bytes);
  // A stream that never stored a message reports 0, as nats-server does
  // (and the seed article shows); the store says where the next would go.
  st->set_first_seq(s.last_seq == 0 ? 0 : s.first_seq);
  st->set_first_ts_ns(s.first_ts);
  st->set_last_seq(s.last_seq);
  st->set_last_ts_ns(s.last_ts);
  st->set_num_subjects(static_cast<int64_t>(s.num_subjects));
  st->set_num_deleted(static_cast<int64_t>(s.num_deleted));
  for (const std::string& filter : consumer_filters_) info.add_consumer_filters(filter);
  if (deleted_details) {
    for (uint64_t seq : store_->DeletedSeqs()) st->add_deleted(seq);
  }
  if (LostData lost = store_->Lost(); !lost.msgs.empty() || lost.bytes > 0) {
    *st->mutable_lost()->mutable_msgs() = {lost.msgs.begin(), lost.msgs.end()};
    st->mutable_lost()->set_bytes(lost.bytes);
  }
  if (!subjects_filter.empty()) {
    for (const auto& [subject, count] : store_->SubjectCounts(subjects_filter)) {
      (*st->mutable_subjects())[subject] = count;
    }
  }
  return info;
}

absl::Status Stream::Update(const v1::StreamConfig& config) {
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  config_ = config;
  ApplyConfigLocked();
  TrimDedup(absl::GetCurrentTimeNanos());
  int64_t now = absl::GetCurrentTimeNanos();
  if (config_.max_msgs_per_subject() > 0) {
    uint64_t limit = static_cast<uint64_t>(config_.max_msgs_per_subject());
    for (const auto& [subject, count] : store_->SubjectCounts("")) {
      if (count > limit) JSE_RETURN_IF_ERROR(store_->Purge(subject, 0, limit).status());
    }
  }
  if (config_.max_msgs() > 0 && store_->State().msgs > static_cast<uint64_t>(config_.max_msgs())) {
    JSE_RETURN_IF_ERROR(store_->Purge("", 0, config_.max_msgs()).status());
  }
  JSE_RETURN_IF_ERROR(EnforceLimits("", now));
  return FlushStore();
}

absl::StatusOr<uint64_t> Stream::Purge(const v1::PurgeStreamRequest& request) {
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  if (config_.sealed()) return common::JsError(common::JsErrorId::kStreamSealed);
  if (config_.deny_purge()) {
    return common::JsErrorF(common::JsErrorId::kStreamPurgeFailed,
                            {{"err", "stream purge not permitted"}});
  }
  if (request.seq() > 1 && request.keep() > 0) {
    return common::JsErrorF(common::JsErrorId::kStreamGeneralError,
                            {{"err", "sequence > 1 && keep > 0 not allowed"}});
  }
  std::string filter = request.filter() == ">" ? "" : request.filter();
  uint64_t before = request.seq();
  uint64_t keep = request.keep();
  if (filter.empty() && before == 1) before = 0;
  if (filter.empty() && keep > 0 && config_.storage() == v1::STORAGE_MEMORY) {
    // As nats-server 2.10's memory store (and 2.9's stores): the last `keep`
    // sequences stay, deleted ones included. Its file store keeps the last
    // `keep` messages, as the store does with a filter.
    const StoreState state = store_->State();
    if (keep >= state.msgs) return 0;
    before = state.last_seq - keep + 1;
    keep = 0;
  }
  absl::StatusOr<uint64_t> purged = store_->Purge(filter, before, keep);
  if (!purged.ok())
    return common::JsErrorF(common::JsErrorId::kStreamGeneralError,
                            {{"err", purged.status().message()}});
  JSE_RETURN_IF_ERROR(FlushStore());
  last_seq_ = store_->State().last_seq;
  return purged;
}

absl::StatusOr<v1::StoredMessage> Stream::GetMessage(const v1::GetMessageRequest& request) {
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  if (request.direct() && !config_.allow_direct()) {
    return absl::FailedPreconditionError("stream does not allow direct gets");
  }
  const bool last = !request.last_by_subject().empty();
  const bool next = !request.next_by_subject().empty();
  if ((last && (next || request.seq() > 0)) || (!last && !next && request.seq() == 0)) {
    return common::JsError(common::JsErrorId::kBadRequest);
  }
  absl::StatusOr<v1::StoredMessage> m;
  if (last) {
    m = store_->LoadLast(request.last_by_subject());
  } else if (next) {
    m = store_->LoadNext(request.next_by_subject(), request.seq());
  } else {
    m = store_->Load(request.seq());
  }
  if (!m.ok()) {
    if (StoreErrorOf(m.status()) == StoreErrc::kNotFound)
      return common::JsError(common::JsErrorId::kNoMessageFound);
    return common::JsErrorF(common::JsErrorId::kStreamGeneralError,
                            {{"err", m.status().message()}});
  }
  return m;
}

absl::Status Stream::DeleteMessage(const v1::DeleteMessageRequest& request) {
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  if (config_.sealed()) return common::JsError(common::JsErrorId::kStreamSealed);
  if (config_.deny_delete()) {
    return common::JsErrorF(common::JsErrorId::kStreamMsgDeleteFailed,
                            {{"err", "message delete not permitted"}});
  }
  // nats-server's file store errors for sequences it has no block for: 0,
  // past the last, below the first. Its memory store finds none of them and
  // says so with "sequence N not found", as for one already deleted.
  if (config_.storage() == v1::STORAGE_FILE && (request.seq() == 0 || request.seq() > last_seq_ ||
                                                request.seq() < store_->State().first_seq)) {
    return common::JsErrorF(
        common::JsErrorId::kStreamMsgDeleteFailed,
        {{"err", request.seq() > last_seq_ ? "stream store EOF" : "no message found"}});
  }
  absl::StatusOr<bool> removed =
      request.no_erase() ? store_->Remove(request.seq()) : store_->Erase(request.seq());
  if (!removed.ok()) {
    return common::JsErrorF(common::JsErrorId::kStreamMsgDeleteFailed,
                            {{"err", removed.status().message()}});
  }
  if (!*removed) {
    return common::JsErrorF(common::JsErrorId::kSequenceNotFound,
                            {{"seq", absl::StrCat(request.seq())}});
  }
  return FlushStore();
}

absl::StatusOr<std::vector<v1::StoredMessage>> Stream::Read(uint64_t* next,
                                                            const SubjectFilters& filters,
                                                            size_t max, uint64_t* last_seq) {
  std::vector<v1::StoredMessage> out;
  absl::MutexLock lock(&mu_);
  *last_seq = last_seq_;
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  size_t bytes = 0;
  while (out.size() < max && bytes < kReadBatchBytes) {
    uint64_t seq = store_->NextSeq(filters, *next);
    if (seq == 0) {
      *next = std::max(*next, last_seq_ + 1);
      break;
    }
    *next = seq + 1;
    const size_t before = out.size();
    LoadForRead(seq, SubjectFilters(), &out);
    if (out.size() > before) bytes += out.back().data().size() + out.back().headers().size();
  }
  return out;
}

uint64_t Stream::FirstSeq() const {
  absl::MutexLock lock(&mu_);
  return store_->State().first_seq;
}

absl::StatusOr<std::vector<v1::StoredMessage>> Stream::ReadSeqs(absl::Span<const uint64_t> seqs,
                                                                size_t* pos,
                                                                const SubjectFilters& filters,
                                                                size_t max, uint64_t* last_seq) {
  std::vector<v1::StoredMessage> out;
  absl::MutexLock lock(&mu_);
  *last_seq = last_seq_;
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  for (; *pos < seqs.size() && out.size() < max; ++*pos) LoadForRead(seqs[*pos], filters, &out);
  return out;
}

void Stream::LoadForRead(uint64_t seq, const SubjectFilters& filters,
                         std::vector<v1::StoredMessage>* out) {
  absl::StatusOr<v1::StoredMessage> m = store_->Load(seq);
  if (!m.ok()) {
    if (StoreErrorOf(m.status()) != StoreErrc::kNotFound) {
      LOG(ERROR) << "stream " << name_ << ": skipping unreadable message " << seq << ": "
                 << m.status();
    }
    return;
  }
  if (filters.Matches(m->subject())) out->push_back(*std::move(m));
}

absl::StatusOr<v1::FilteredStateResponse> Stream::FilteredState(
    const v1::FilteredStateRequest& request) const {
  const SubjectFilters filters(
      std::vector<std::string>(request.filter_subjects().begin(), request.filter_subjects().end()));
  absl::MutexLock lock(&mu_);
  if (closed_) return common::JsError(common::JsErrorId::kStreamNotFound);
  uint64_t start = request.start_time_ns() > 0 ? store_->SeqForTime(request.start_time_ns())
                                               : request.start_seq();
  const storesvc::FilteredState found =
      store_->Filtered(filters, start, request.last_per_subject());
  const StoreState state = store_->State();
  v1::FilteredStateResponse out;
  out.set_messages(found.msgs);
  out.set_first_seq(found.first);
  out.set_last_seq(found.last);
  out.set_stream_first_seq(state.first_seq);
  out.set_stream_last_seq(state.last_seq);
  out.set_start_seq(start == 0 ? state.first_seq : start);
  for (uint64_t seq : found.last_per_subject) out.add_last_per_subject(seq);
  return out;
}

uint64_t Stream::SeqForTime(int64_t ts_ns) const {
  absl::MutexLock lock(&mu_);
  return closed_ ? 0 : store_->SeqForTime(ts_ns);
}

absl::Status Stream::Close() {
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    absl::MutexLock sync_lock(&sync_mu_);
    sync_store_ = nullptr;
    status = store_->Close();
  }
  appends_.Close();
  return status;
}

}  // namespace jsengine::storesvc
