#include "storesvc/msg_index.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
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
  if (!filter.empty() && common::IsValidLiteralSubject(common::AsStdStringView(filter))) {
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
    if (inserted) it->second = common::SubjectMatches(common::AsStdStringView(filter), *subj);
    if (it->second) return s;
  }
  return 0;
}

uint64_t MsgIndex::LastMatch(absl::string_view filter) const {
  if (filter.empty()) return LastLive();
  uint64_t best = 0;
  for (const auto& [subject, info] : subjects_) {
    if (info.last > best && common::SubjectMatches(common::AsStdStringView(filter), subject))
      best = info.last;
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
