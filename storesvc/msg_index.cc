#include "storesvc/msg_index.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "storesvc/file_format.h"
#include "common/subject.h"

namespace jsengine::storesvc {

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

uint64_t MsgIndex::NextMatch(absl::string_view filter, uint64_t start) const {
  start = std::max(start, base_);
  if (!filter.empty() && IsValidLiteralSubject(AsStdStringView(filter))) {
    auto it = subjects_.find(filter);
    if (it == subjects_.end()) return 0;
    const std::string* subj = &it->first;
    for (uint64_t s = std::max(start, it->second.first); s <= it->second.last; ++s) {
      if (entries_[s - base_].subject == subj) return s;
    }
    return 0;
  }
  absl::flat_hash_map<const std::string*, bool> matches;
  for (uint64_t s = start; s <= last_ && s - base_ < entries_.size(); ++s) {
    const std::string* subj = entries_[s - base_].subject;
    if (subj == nullptr) continue;
    if (filter.empty()) return s;
    auto [it, inserted] = matches.try_emplace(subj, false);
    if (inserted) it->second = SubjectMatches(AsStdStringView(filter), *subj);
    if (it->second) return s;
  }
  return 0;
}

uint64_t MsgIndex::LastMatch(absl::string_view filter) const {
  if (filter.empty()) return LastLive();
  uint64_t best = 0;
  for (const auto& [subject, info] : subjects_) {
    if (info.last > best && SubjectMatches(AsStdStringView(filter), subject)) best = info.last;
  }
  return best;
}

uint64_t MsgIndex::LastLive() const {
  for (size_t i = entries_.size(); i > 0; --i) {
    if (entries_[i - 1].subject != nullptr) return base_ + i - 1;
  }
  return 0;
}

uint64_t MsgIndex::SeqForTime(int64_t ts) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), ts,
                             [](const IndexEntry& e, int64_t t) { return e.ts < t; });
  for (; it != entries_.end(); ++it) {
    if (it->subject != nullptr) return base_ + (it - entries_.begin());
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

namespace {

constexpr uint32_t kNoSubject = 0xffffffffu;

// Bounds-checked little-endian reader over a string_view.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  bool U32(uint32_t* v) { return Take(4, [&](const char* p) { *v = file_format::Fixed32(p); }); }
  bool U64(uint64_t* v) { return Take(8, [&](const char* p) { *v = file_format::Fixed64(p); }); }
  bool Bytes(size_t n, absl::string_view* v) {
    return Take(n, [&](const char* p) { *v = absl::string_view(p, n); });
  }
  bool done() const { return in_.empty(); }

 private:
  template <typename F>
  bool Take(size_t n, F f) {
    if (in_.size() < n) return false;
    f(in_.data());
    in_.remove_prefix(n);
    return true;
  }
  absl::string_view in_;
};

}  // namespace

void MsgIndex::EncodeTo(std::string* out) const {
  using file_format::PutFixed32;
  using file_format::PutFixed64;
  absl::flat_hash_map<const std::string*, uint32_t> ids;
  PutFixed64(out, base_);
  PutFixed64(out, last_);
  PutFixed64(out, static_cast<uint64_t>(last_ts_));
  PutFixed32(out, static_cast<uint32_t>(subjects_.size()));
  for (const auto& [subject, info] : subjects_) {
    ids[&subject] = static_cast<uint32_t>(ids.size());
    PutFixed32(out, static_cast<uint32_t>(subject.size()));
    out->append(subject);
  }
  PutFixed64(out, entries_.size());
  for (const IndexEntry& e : entries_) {
    PutFixed64(out, static_cast<uint64_t>(e.ts));
    PutFixed64(out, e.loc);
    PutFixed32(out, e.size);
    PutFixed32(out, e.subject == nullptr ? kNoSubject : ids[e.subject]);
  }
}

bool MsgIndex::DecodeFrom(absl::string_view in) {
  Reader r(in);
  MsgIndex idx;
  uint64_t last_ts = 0;
  uint32_t nsubjects = 0;
  if (!r.U64(&idx.base_) || !r.U64(&idx.last_) || !r.U64(&last_ts) || !r.U32(&nsubjects)) {
    return false;
  }
  idx.last_ts_ = static_cast<int64_t>(last_ts);
  std::vector<std::pair<const std::string*, SubjectInfo*>> subjects;
  for (uint32_t i = 0; i < nsubjects; ++i) {
    uint32_t len = 0;
    absl::string_view name;
    if (!r.U32(&len) || !r.Bytes(len, &name)) return false;
    auto [it, inserted] = idx.subjects_.emplace(std::string(name), SubjectInfo{});
    if (!inserted) return false;
    subjects.emplace_back(&it->first, &it->second);
  }
  uint64_t n = 0;
  if (!r.U64(&n) || idx.base_ + n != idx.last_ + 1) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t ts = 0;
    IndexEntry e;
    uint32_t id = 0;
    if (!r.U64(&ts) || !r.U64(&e.loc) || !r.U32(&e.size) || !r.U32(&id)) return false;
    e.ts = static_cast<int64_t>(ts);
    if (id != kNoSubject) {
      if (id >= subjects.size()) return false;
      e.subject = subjects[id].first;
      SubjectInfo& info = *subjects[id].second;
      uint64_t seq = idx.base_ + i;
      if (info.count++ == 0) info.first = seq;
      info.last = seq;
      ++idx.msgs_;
      idx.bytes_ += e.size;
    }
    idx.entries_.push_back(e);
  }
  if (!r.done()) return false;
  for (const auto& [name, info] : subjects) {
    if (info->count == 0) return false;
  }
  *this = std::move(idx);
  return true;
}

}  // namespace jsengine::storesvc
