#include "storesvc/msg_index.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace jsengine::storesvc {
namespace {

bool AnySubject(uint32_t) { return true; }

// Subject numbers: searched linearly while few, hashed beyond.
class SubjectSet {
 public:
  void Insert(uint32_t subject) {
    if (many_.empty() && few_.size() < kFew) {
      few_.push_back(subject);
      return;
    }
    if (many_.empty()) many_.insert(few_.begin(), few_.end());
    many_.insert(subject);
  }
  bool Contains(uint32_t subject) const {
    if (many_.empty()) return std::find(few_.begin(), few_.end(), subject) != few_.end();
    return many_.count(subject) > 0;
  }
  bool empty() const { return few_.empty(); }

 private:
  static constexpr size_t kFew = 8;
  std::vector<uint32_t> few_;
  absl::flat_hash_set<uint32_t> many_;
};

// Whether numbered subjects match some filters, each distinct subject
// matched once. `name` maps a number to its subject.
template <typename NameFn>
class MatchMemo {
 public:
  MatchMemo(const SubjectFilters& filters, NameFn name) : filters_(filters), name_(name) {}
  bool operator()(uint32_t subject) {
    auto [it, inserted] = seen_.try_emplace(subject, false);
    if (inserted) it->second = filters_.Matches(*name_(subject));
    return it->second;
  }
  // Every subject asked about, with whether it matched.
  const absl::flat_hash_map<uint32_t, bool>& seen() const { return seen_; }

 private:
  const SubjectFilters& filters_;
  NameFn name_;
  absl::flat_hash_map<uint32_t, bool> seen_;
};

}  // namespace

MsgIndex::SubjectMap::iterator MsgIndex::Intern(absl::string_view subject, uint64_t seq) {
  auto it = subjects_.find(subject);
  if (it != subjects_.end()) return it;
  uint32_t id;
  if (free_ids_.empty()) {
    id = static_cast<uint32_t>(by_id_.size());
    by_id_.push_back(nullptr);
  } else {
    id = free_ids_.back();
    free_ids_.pop_back();
  }
  it = subjects_.emplace(std::string(subject), SubjectInfo{seq, seq, 0, id}).first;
  by_id_[id] = &*it;
  return it;
}

void MsgIndex::Forget(SubjectMap::iterator it) {
  const uint32_t id = it->second.id;
  by_id_[id] = nullptr;
  free_ids_.push_back(id);
  subjects_.erase(it);
}

IndexEntry MsgIndex::Entry(const Slot& slot) const {
  return IndexEntry{slot.ts, slot.loc, slot.size, Name(slot.subject)};
}

void MsgIndex::Add(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size,
                   uint64_t loc) {
  if (entries_.empty()) {
    base_ = seq;
  } else {
    while (base_ + entries_.size() < seq) entries_.push_back(Slot{ts, 0, 0, 0});
  }
  auto it = Intern(subject, seq);
  it->second.last = seq;
  ++it->second.count;
  entries_.push_back(Slot{ts, loc, size, it->second.id});
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
    while (base_ + entries_.size() <= seq) entries_.push_back(Slot{last_ts_, 0, 0, 0});
  TrimFront();
}

MsgIndex::Slot* MsgIndex::Mutable(uint64_t seq) {
  if (seq < base_ || seq - base_ >= entries_.size()) return nullptr;
  Slot* e = &entries_[seq - base_];
  return e->subject == 0 ? nullptr : e;
}

std::optional<IndexEntry> MsgIndex::Get(uint64_t seq) const {
  const Slot* e = const_cast<MsgIndex*>(this)->Mutable(seq);
  if (e == nullptr) return std::nullopt;
  return Entry(*e);
}

bool MsgIndex::SetLoc(uint64_t seq, uint64_t loc) {
  Slot* e = Mutable(seq);
  if (e == nullptr) return false;
  e->loc = loc;
  return true;
}

bool MsgIndex::Remove(uint64_t seq, IndexEntry* removed) {
  Slot* e = Mutable(seq);
  if (e == nullptr) return false;
  if (removed != nullptr) *removed = Entry(*e);
  const uint32_t subj = e->subject;
  auto it = subjects_.find(*Name(subj));
  SubjectInfo& info = it->second;
  e->subject = 0;
  --msgs_;
  bytes_ -= e->size;
  if (--info.count == 0) {
    Forget(it);
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
  while (!entries_.empty() && entries_.front().subject == 0) {
    entries_.pop_front();
    ++base_;
  }
  if (entries_.empty()) base_ = last_ + 1;
}

template <typename Pred>
uint64_t MsgIndex::FirstWhere(uint64_t from, uint64_t to, Pred&& pred) const {
  for (uint64_t s = std::max(from, base_); s <= std::min(to, last_); ++s) {
    const uint32_t subject = entries_[s - base_].subject;
    if (subject != 0 && pred(subject)) return s;
  }
  return 0;
}

template <typename Pred>
uint64_t MsgIndex::CountWhere(uint64_t from, uint64_t to, Pred&& pred) const {
  uint64_t n = 0;
  for (uint64_t s = std::max(from, base_); s <= std::min(to, last_); ++s) {
    const uint32_t subject = entries_[s - base_].subject;
    if (subject != 0 && pred(subject)) ++n;
  }
  return n;
}

template <typename Fn>
void MsgIndex::ForEachMatchingSubject(const SubjectFilters& filters, Fn&& fn) const {
  if (filters.all() || filters.has_wildcards()) {
    for (const auto& [subject, info] : subjects_) {
      if (filters.Matches(subject)) fn(info.id, info);
    }
    return;
  }
  for (const std::string& literal : filters.literals()) {
    auto it = subjects_.find(literal);
    if (it != subjects_.end()) fn(it->second.id, it->second);
  }
}

uint64_t MsgIndex::NextMatch(const SubjectFilters& filters, uint64_t start) const {
  if (filters.all()) return FirstWhere(start, last_, AnySubject);
  if (filters.has_wildcards())
    return FirstWhere(start, last_, MatchMemo(filters, [this](uint32_t id) { return Name(id); }));
  SubjectSet subjects;
  uint64_t from = std::numeric_limits<uint64_t>::max();
  uint64_t to = 0;
  ForEachMatchingSubject(filters, [&](uint32_t subject, const SubjectInfo& info) {
    if (info.last < start) return;
    subjects.Insert(subject);
    from = std::min(from, std::max(start, info.first));
    to = std::max(to, info.last);
  });
  if (subjects.empty()) return 0;
  return FirstWhere(from, to, [&](uint32_t s) { return subjects.Contains(s); });
}

uint64_t MsgIndex::LastMatch(const SubjectFilters& filters) const {
  if (filters.all()) return LastLive();
  uint64_t best = 0;
  ForEachMatchingSubject(
      filters, [&](uint32_t, const SubjectInfo& info) { best = std::max(best, info.last); });
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
  MatchMemo matches(filters, [this](uint32_t id) { return Name(id); });
  out.first = FirstWhere(start, last_, matches);
  if (out.first == 0) {
    out.last = LastMatch(filters);
    return out;
  }
  out.msgs = CountWhere(out.first, last_, matches);
  for (const auto& [subject, matched] : matches.seen()) {
    if (!matched) continue;
    const uint64_t last = by_id_[subject]->second.last;
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
  ForEachMatchingSubject(filters, [&](uint32_t subject, const SubjectInfo& info) {
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
    auto in = [&](uint32_t s) { return straddling.Contains(s); };
    span_from = std::max(span_from, base_);
    out.msgs += span_to - start < start - span_from
                    ? CountWhere(start, span_to, in)
                    : straddling_msgs - CountWhere(span_from, start - 1, in);
  }
  out.first = FirstWhere(first_from, last_, [&](uint32_t s) { return counted.Contains(s); });
  return out;
}

uint64_t MsgIndex::LastLive() const {
  for (size_t i = entries_.size(); i > 0; --i) {
    if (entries_[i - 1].subject != 0) return base_ + i - 1;
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
    if (entries_[lo].subject != 0) return base_ + lo;
  }
  return last_ + 1;
}

void MsgIndex::ForEach(uint64_t from,
                       const std::function<bool(uint64_t, const IndexEntry&)>& fn) const {
  for (uint64_t s = std::max(from, base_); s - base_ < entries_.size(); ++s) {
    const Slot& e = entries_[s - base_];
    if (e.subject != 0 && !fn(s, Entry(e))) return;
  }
}

size_t MsgIndex::MemoryBytes() const {
  constexpr size_t kInlineName = 15;  // libstdc++ keeps shorter strings inline.
  // The table of a node_hash_map holds a pointer and a control byte per
  // bucket; each node holds a key and its value.
  size_t bytes = entries_.allocated_bytes() + by_id_.capacity() * sizeof(by_id_[0]) +
                 free_ids_.capacity() * sizeof(free_ids_[0]) +
                 subjects_.bucket_count() * (sizeof(void*) + 1);
  for (const auto& [subject, info] : subjects_) {
    bytes += sizeof(SubjectMap::value_type);
    if (subject.capacity() > kInlineName) bytes += subject.capacity() + 1;
  }
  return bytes;
}

}  // namespace jsengine::storesvc
