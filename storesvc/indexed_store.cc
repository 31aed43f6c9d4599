#include "storesvc/indexed_store.h"

#include <algorithm>

#include "common/status.h"
#include "storesvc/store_error.h"
#include "common/subject.h"

namespace jsengine::storesvc {

absl::StatusOr<uint64_t> IndexedStore::Append(absl::string_view subject, absl::string_view hdr,
                                              absl::string_view data, int64_t ts_ns) {
  if (closed_) return StoreError(StoreErrc::kClosed, "store is closed");
  EnsureIndex();
  uint64_t seq = index_.last_seq() + 1;
  int64_t ts = std::max(ts_ns, index_.last_ts());
  JSE_ASSIGN_OR_RETURN(uint64_t loc, WriteMessage(seq, ts, subject, hdr, data));
  index_.Add(seq, ts, subject, MsgSize(subject, hdr, data), loc);
  return seq;
}

absl::StatusOr<v1::StoredMessage> IndexedStore::Load(uint64_t seq) {
  if (closed_) return StoreError(StoreErrc::kClosed, "store is closed");
  EnsureIndex();
  const std::optional<IndexEntry> e = index_.Get(seq);
  if (!e) return StoreError(StoreErrc::kNotFound, "no message found");
  return ReadMessage(seq, *e);
}

absl::StatusOr<v1::StoredMessage> IndexedStore::LoadNext(absl::string_view filter,
                                                         uint64_t start) {
  EnsureIndex();
  uint64_t seq = index_.NextMatch(SubjectFilters(filter), start);
  if (seq == 0) return StoreError(StoreErrc::kNotFound, "no message found");
  return Load(seq);
}

absl::StatusOr<v1::StoredMessage> IndexedStore::LoadLast(absl::string_view filter) {
  EnsureIndex();
  uint64_t seq = index_.LastMatch(SubjectFilters(filter));
  if (seq == 0) return StoreError(StoreErrc::kNotFound, "no message found");
  return Load(seq);
}

const std::string* IndexedStore::SubjectOf(uint64_t seq) const {
  if (closed_) return nullptr;
  EnsureIndex();
  const std::optional<IndexEntry> e = index_.Get(seq);
  return e ? e->subject : nullptr;
}

uint64_t IndexedStore::NextSeq(const SubjectFilters& filters, uint64_t start) const {
  EnsureIndex();
  return index_.NextMatch(filters, start);
}

FilteredState IndexedStore::Filtered(const SubjectFilters& filters, uint64_t start,
                                     bool last_per_subject) const {
  EnsureIndex();
  return index_.Filtered(filters, start, last_per_subject);
}

absl::StatusOr<bool> IndexedStore::Remove(uint64_t seq) {
  if (closed_) return StoreError(StoreErrc::kClosed, "store is closed");
  EnsureIndex();
  IndexEntry removed;
  if (!index_.Remove(seq, &removed)) return false;
  JSE_RETURN_IF_ERROR(OnRemoved(seq, removed, true));
  return true;
}

absl::StatusOr<bool> IndexedStore::Erase(uint64_t seq) {
  if (closed_) return StoreError(StoreErrc::kClosed, "store is closed");
  EnsureIndex();
  IndexEntry removed;
  if (!index_.Remove(seq, &removed)) return false;
  JSE_RETURN_IF_ERROR(OnRemoved(seq, removed, true));
  JSE_RETURN_IF_ERROR(OnErased(seq, removed));
  return true;
}

absl::StatusOr<uint64_t> IndexedStore::Purge(absl::string_view filter, uint64_t before,
                                             uint64_t keep) {
  if (closed_) return StoreError(StoreErrc::kClosed, "store is closed");
  EnsureIndex();
  std::vector<uint64_t> victims;
  index_.ForEach(index_.first_seq(), [&](uint64_t seq, const IndexEntry& e) {
    if (before != 0 && seq >= before) return false;
    if (filter.empty() || common::SubjectMatches(common::AsStdStringView(filter), *e.subject))
      victims.push_back(seq);
    return true;
  });
  if (keep > 0) {
    uint64_t matching = victims.size();
    if (filter.empty()) {
      matching = index_.msgs();
    } else if (before != 0) {
      index_.ForEach(before, [&](uint64_t, const IndexEntry& e) {
        if (common::SubjectMatches(common::AsStdStringView(filter), *e.subject)) ++matching;
        return true;
      });
    }
    uint64_t spare = std::min<uint64_t>(keep, matching);
    uint64_t remove = matching - spare;
    if (remove < victims.size()) victims.resize(remove);
  }
  // Without a filter the victims are every live sequence below a bound: one
  // purge-before record covers them.
  const bool prefix = filter.empty();
  for (uint64_t seq : victims) {
    IndexEntry removed;
    index_.Remove(seq, &removed);
    JSE_RETURN_IF_ERROR(OnRemoved(seq, removed, !prefix));
  }
  if (prefix) {
    uint64_t bound = victims.empty() ? 0 : victims.back() + 1;
    if (keep == 0 && before == 0) bound = index_.last_seq() + 1;
    if (keep == 0 && before > index_.last_seq() + 1) {
      index_.AdvanceLast(before - 1);
      bound = before;
    }
    if (bound > 0) JSE_RETURN_IF_ERROR(OnPurgedBefore(bound));
  }
  return victims.size();
}

uint64_t IndexedStore::SeqForTime(int64_t ts_ns) const {
  EnsureIndex();
  return index_.SeqForTime(ts_ns);
}

StoreState IndexedStore::State() const {
  if (summary_.has_value()) return summary_->state;
  StoreState s;
  s.msgs = index_.msgs();
  s.bytes = index_.bytes();
  s.first_seq = index_.first_seq();
  s.last_seq = index_.last_seq();
  s.last_ts = index_.last_ts();
  if (const std::optional<IndexEntry> e = index_.Get(s.first_seq)) s.first_ts = e->ts;
  s.num_subjects = index_.subjects().size();
  s.num_deleted = index_.num_deleted();
  return s;
}

uint64_t IndexedStore::SubjectCount(absl::string_view subject) const {
  if (summary_.has_value()) {
    auto it = summary_->subject_counts.find(subject);
    return it == summary_->subject_counts.end() ? 0 : it->second;
  }
  auto it = index_.subjects().find(subject);
  return it == index_.subjects().end() ? 0 : it->second.count;
}

std::map<std::string, uint64_t> IndexedStore::SubjectCounts(absl::string_view filter) const {
  std::map<std::string, uint64_t> out;
  if (summary_.has_value()) {
    for (const auto& [subject, count] : summary_->subject_counts) {
      if (filter.empty() || common::SubjectMatches(common::AsStdStringView(filter), subject))
        out[subject] = count;
    }
    return out;
  }
  for (const auto& [subject, info] : index_.subjects()) {
    if (filter.empty() || common::SubjectMatches(common::AsStdStringView(filter), subject))
      out[subject] = info.count;
  }
  return out;
}

std::vector<uint64_t> IndexedStore::DeletedSeqs() const {
  EnsureIndex();
  std::vector<uint64_t> out;
  uint64_t expect = index_.first_seq();
  index_.ForEach(expect, [&](uint64_t seq, const IndexEntry&) {
    for (; expect < seq; ++expect) out.push_back(expect);
    expect = seq + 1;
    return true;
  });
  for (; expect <= index_.last_seq() && index_.msgs() > 0; ++expect) out.push_back(expect);
  return out;
}

}  // namespace jsengine::storesvc
