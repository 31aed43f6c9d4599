#include "storesvc/msg_index.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace jsengine::storesvc {
namespace {

bool AnySubject(const std::string*) { return true; }

// Interned subjects compared by pointer: searched linearly while few, hashed
// beyond.
class SubjectSet {
 public:
  void Insert(const std::string* subject) {
    if (many_.empty() && few_.size() < kFew) {
      few_.push_back(subject);
      return;
    }
    if (many_.empty()) many_.insert(few_.begin(), few_.end());
    many_.insert(subject);
  }
  bool Contains(const std::string* subject) const {
    if (many_.empty()) return std::find(few_.begin(), few_.end(), subject) != few_.end();
    return many_.count(subject) > 0;
  }
  bool empty() const { return few_.empty(); }

 private:
  static constexpr size_t kFew = 8;
  std::vector<const std::string*> few_;
  absl::flat_hash_set<const std::string*> many_;
};

// Whether interned subjects match some filters, each distinct subject
// matched once.
class MatchMemo {
 public:
  explicit MatchMemo(const SubjectFilters& filters) : filters_(filters) {}
  bool operator()(const std::string* subject) {
    auto [it, inserted] = seen_.try_emplace(subject, false);
    if (inserted) it->second = filters_.Matches(*subject);
    return it->second;
  }
  // Every subject asked about, with whether it matched.
  const absl::flat_hash_map<const std::string*, bool>& seen() const { return seen_; }

 private:
  const SubjectFilters& filters_;
  absl::flat_hash_map<const std::string*, bool> seen_;
};

}  // namespace

void MsgIndex::Add(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size,
                   uint64_t loc) {
  if (entries_.empty()) {
    base_ = seq;
  } else {
    while (base_ + entries_.size() < seq) entries_.push_back(IndexEntry{ts, 0, 0, nullptr});
  }
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) it = subjects_.emplace(std::string(subject), SubjectInfo{seq, seq, 0}).first;
  it->second.last = seq;
  ++it->second.count;
  entries_.push_back(IndexEntry{ts, loc, size, &it->first});
  last_ = seq;
  last_ts_ = ts;
  ++msgs_;
  bytes_ += size;
}

void MsgIndex::AdvanceLast(uint64_t seq) {
  if (seq <= last_) return;
  last_ = seq;
  if (entries_.empty()) base_ = seq + 1;
  else
    while (base_ + entries_.size() <= seq) entries_.push_back(IndexEntry{last_ts_, 0, 0, nullptr});
  TrimFront();
}

IndexEntry* MsgIndex::Mutable(uint64_t seq) {
  if (seq < base_ || seq - base_ >= entries_.size()) return nullptr;
  IndexEntry* e = &entries_[seq - base_];
  return e->subject == nullptr ? nullptr : e;
}

const IndexEntry* MsgIndex::Get(uint64_t seq) const {
  return const_cast<MsgIndex*>(this)->Mutable(seq);
}

bool MsgIndex::SetLoc(uint64_t seq, uint64_t loc) {
  IndexEntry* e = Mutable(seq);
  if (e == nullptr) return false;
  e->loc = loc;
  return true;
}

bool MsgIndex::Remove(uint64_t seq, IndexEntry* removed) {
  IndexEntry* e = Mutable(seq);
  if (e == nullptr) return false;
  if (removed != nullptr) *removed = *e;
  auto it = subjects_.find(*e->subject);
  SubjectInfo& info = it->second;
  const std::string* subj = e->subject;
  e->subject = nullptr;
  --msgs_;
  bytes_ -= e->size;
  if (--info.count == 0) {
    subjects_.erase(it);
  } else {
    if (seq == info.first) info.first = seq + 1;
    if (seq == info.last) {
      uint64_t s = seq;
      while (s > base_ && entries_[s - 1 - base_].subject != subj) --s;
      info.last = s - 1;
    }
  }
  TrimFront();
  return true;
}

void MsgIndex::TrimFront() {
  while (!entries_.empty() && entries_.front().subject == nullptr) {
    entries_.pop_front();
    ++base_;
  }
  if (entries_.empty()) base_ = last_ + 1;
}

template <typename Pred>
uint64_t MsgIndex::FirstWhere(uint64_t from, uint64_t to, Pred&& pred) const {
  for (uint64_t s = std::max(from, base_); s <= std::min(to, last_); ++s) {
    const std::string* subject = entries_[s - base_].subject;
    if (subject != nullptr && pred(subject)) return s;
  }
  return 0;
}

template <typename Pred>
uint64_t MsgIndex::CountWhere(uint64_t from, uint64_t to, Pred&& pred) const {
  uint64_t n = 0;
  for (uint64_t s = std::max(from, base_); s <= std::min(to, last_); ++s) {
    const std::string* subject = entries_[s - base_].subject;
    if (subject != nullptr && pred(subject)) ++n;
  }
  return n;
}

template <typename Fn>
void MsgIndex::ForEachMatchingSubject(const SubjectFilters& filters, Fn&& fn) const {
  if (filters.all() || filters.has_wildcards()) {
    for (const auto& [subject, info] : subjects_) {
      if (filters.Matches(subject)) fn(&subject, info);
    }
    return;
  }
  for (const std::string& literal : filters.literals()) {
    auto it = subjects_.find(literal);
    if (it != subjects_.end()) fn(&it->first, it->second);
  }
}

uint64_t MsgIndex::NextMatch(const SubjectFilters& filters, uint64_t start) const {
  if (filters.all()) return FirstWhere(start, last_, AnySubject);
  if (filters.has_wildcards()) return FirstWhere(start, last_, MatchMemo(filters));
  SubjectSet subjects;
  uint64_t from = std::numeric_limits<uint64_t>::max();
  uint64_t to = 0;
  ForEachMatchingSubject(filters, [&](const std::string* subject, const SubjectInfo& info) {
    if (info.last < start) return;
    subjects.Insert(subject);
    from = std::min(from, std::max(start, info.first));
    to = std::max(to, info.last);
  });
  if (subjects.empty()) return 0;
  return FirstWhere(from, to, [&](const std::string* s) { return subjects.Contains(s); });
}

uint64_t MsgIndex::LastMatch(const SubjectFilters& filters) const {
  if (filters.all()) return LastLive();
  uint64_t best = 0;
  ForEachMatchingSubject(filters, [&](const std::string*, const SubjectInfo& info) {
    best = std::max(best, info.last);
  });
  return best;
}

uint64_t MsgIndex::LiveFrom(uint64_t start) const {
  start = std::max(start, base_);
  if (start > last_) return 0;
  if (num_deleted() == 0) return last_ - start + 1;
  if (last_ - start < start - base_) return CountWhere(start, last_, AnySubject);
  return msgs_ - CountWhere(base_, start - 1, AnySubject);
}

FilteredState MsgIndex::Filtered(const SubjectFilters& filters, uint64_t start,
                                 bool last_per_subject) const {
  start = std::max(start, base_);
  FilteredState out;
  if (msgs_ == 0) return out;
  const uint64_t entries_from_start = start > last_ ? 0 : last_ - start + 1;
  if (filters.all()) {
    out.msgs = LiveFrom(start);
    out.first = out.msgs == 0 ? 0 : FirstWhere(start, last_, AnySubject);
    out.last = LastLive();
    if (last_per_subject) {
      for (const auto& [subject, info] : subjects_) {
        if (info.last >= start) out.last_per_subject.push_back(info.last);
      }
    }
  } else if (filters.has_wildcards() && entries_from_start < subjects_.size()) {
    out = FilteredByEntries(filters, start, last_per_subject);
  } else {
    out = FilteredBySubjects(filters, start, last_per_subject);
  }
  std::sort(out.last_per_subject.begin(), out.last_per_subject.end());
  return out;
}

FilteredState MsgIndex::FilteredByEntries(const SubjectFilters& filters, uint64_t start,
                                          bool last_per_subject) const {
  FilteredState out;
  MatchMemo matches(filters);
  out.first = FirstWhere(start, last_, matches);
  if (out.first == 0) {
    out.last = LastMatch(filters);
    return out;
  }
  out.msgs = CountWhere(out.first, last_, matches);
  for (const auto& [subject, matched] : matches.seen()) {
    if (!matched) continue;
    const uint64_t last = subjects_.find(*subject)->second.last;
    out.last = std::max(out.last, last);
    if (last_per_subject) out.last_per_subject.push_back(last);
  }
  return out;
}

FilteredState MsgIndex::FilteredBySubjects(const SubjectFilters& filters, uint64_t start,
                                           bool last_per_subject) const {
  FilteredState out;
  // The subjects with messages at or after `start`, and those of them whose
  // first sequence may be before it (their span: [span_from, span_to]).
  SubjectSet counted;
  SubjectSet straddling;
  uint64_t straddling_msgs = 0;
  uint64_t first_from = std::numeric_limits<uint64_t>::max();
  uint64_t span_from = std::numeric_limits<uint64_t>::max();
  uint64_t span_to = 0;
  ForEachMatchingSubject(filters, [&](const std::string* subject, const SubjectInfo& info) {
    out.last = std::max(out.last, info.last);
    if (info.last < start) return;
    counted.Insert(subject);
    first_from = std::min(first_from, std::max(start, info.first));
    if (last_per_subject) out.last_per_subject.push_back(info.last);
    if (info.first >= start) {
      out.msgs += info.count;
      return;
    }
    straddling.Insert(subject);
    straddling_msgs += info.count;
    span_from = std::min(span_from, info.first);
    span_to = std::max(span_to, info.last);
  });
  if (counted.empty()) return out;
  if (!straddling.empty()) {
    auto in = [&](const std::string* s) { return straddling.Contains(s); };
    span_from = std::max(span_from, base_);
    out.msgs += span_to - start < start - span_from
                    ? CountWhere(start, span_to, in)
                    : straddling_msgs - CountWhere(span_from, start - 1, in);
  }
  out.first =
      FirstWhere(first_from, last_, [&](const std::string* s) { return counted.Contains(s); });
  return out;
}

uint64_t MsgIndex::LastLive() const {
  for (size_t i = entries_.size(); i > 0; --i) {
    if (entries_[i - 1].subject != nullptr) return base_ + i - 1;
  }
  return 0;
}

uint64_t MsgIndex::SeqForTime(int64_t ts) const {
  size_t lo = 0;
  size_t hi = entries_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (entries_[mid].ts < ts) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (; lo < entries_.size(); ++lo) {
    if (entries_[lo].subject != nullptr) return base_ + lo;
  }
  return last_ + 1;
}

void MsgIndex::ForEach(uint64_t from,
                       const std::function<bool(uint64_t, const IndexEntry&)>& fn) const {
  for (uint64_t s = std::max(from, base_); s - base_ < entries_.size(); ++s) {
    const IndexEntry& e = entries_[s - base_];
    if (e.subject != nullptr && !fn(s, e)) return;
  }
}

}  // namespace jsengine::storesvc
