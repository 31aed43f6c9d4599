#include "storesvc/msg_index.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "glog/logging.h"

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

// A message of a run: the seq and slot of one entry of a page.
struct MsgIndex::Run {
  uint64_t id = 0;     // Names its pages in the cache.
  uint64_t first = 0;  // The sequences it covers: [first, last].
  uint64_t last = 0;
  uint64_t live = 0;
  int64_t last_ts = 0;  // Of its last sequence: no message in it is newer.
  // Bit s - first set: s was removed after it was sealed. Empty: none.
  std::vector<uint64_t> removed;
  std::vector<PageStart> pages;  // Pages holding messages, in order.
  std::vector<Sealed> resident;  // Its messages, unless `records` is set.
  std::unique_ptr<SealedRecords> records;
  std::vector<uint32_t> ids;  // records' subject numbers -> subject ids.

  bool Removed(uint64_t seq) const {
    const uint64_t bit = seq - first;
    return (bit >> 6) < removed.size() && ((removed[bit >> 6] >> (bit & 63)) & 1) != 0;
  }
  void MarkRemoved(uint64_t seq) {
    const uint64_t bit = seq - first;
    if ((bit >> 6) >= removed.size()) removed.resize((last - first) / 64 + 1);
    removed[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
  void IndexResident() {
    pages.clear();
    for (size_t i = 0; i < resident.size(); i += kPageSize) {
      pages.push_back(
          PageStart{static_cast<uint32_t>(i / kPageSize), resident[i].seq, resident[i].slot.ts});
    }
  }
};

// Decoded pages of paged runs, least recently used out beyond kCachedPages.
class MsgIndex::PageCache {
 public:
  std::shared_ptr<const Page> Find(uint64_t run, uint32_t page) {
    auto it = pages_.find(Key{run, page});
    if (it == pages_.end()) return nullptr;
    it->second.used = ++tick_;
    return it->second.page;
  }
  void Insert(uint64_t run, uint32_t page, std::shared_ptr<const Page> p) {
    if (pages_.size() >= kCachedPages) {
      auto oldest = pages_.begin();
      for (auto it = pages_.begin(); it != pages_.end(); ++it) {
        if (it->second.used < oldest->second.used) oldest = it;
      }
      pages_.erase(oldest);
    }
    pages_[Key{run, page}] = Entry{std::move(p), ++tick_};
  }
  void Drop(uint64_t run) {
    for (auto it = pages_.begin(); it != pages_.end();) {
      if (it->first.first == run) {
        pages_.erase(it++);
      } else {
        ++it;
      }
    }
  }
  size_t MemoryBytes() const {
    size_t bytes = pages_.bucket_count() * (sizeof(std::pair<Key, Entry>) + 1);
    for (const auto& [key, entry] : pages_) {
      bytes += sizeof(Page) + entry.page->capacity() * sizeof(Sealed);
    }
    return bytes;
  }

 private:
  using Key = std::pair<uint64_t, uint32_t>;
  struct Entry {
    std::shared_ptr<const Page> page;
    uint64_t used = 0;
  };
  absl::flat_hash_map<Key, Entry> pages_;
  uint64_t tick_ = 0;
};

MsgIndex::MsgIndex() = default;
MsgIndex::~MsgIndex() = default;
MsgIndex::MsgIndex(MsgIndex&&) noexcept = default;
MsgIndex& MsgIndex::operator=(MsgIndex&&) noexcept = default;

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
    if (runs_.empty()) {
      base_ = seq;
    } else {
      runs_.back()->last = seq - 1;
    }
    ebase_ = seq;
  } else {
    while (ebase_ + entries_.size() < seq) entries_.push_back(Slot{ts, 0, 0, 0});
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
  if (entries_.empty()) {
    if (runs_.empty()) {
      base_ = seq + 1;
    } else {
      runs_.back()->last = seq;
    }
    ebase_ = seq + 1;
  } else {
    while (ebase_ + entries_.size() <= seq) entries_.push_back(Slot{last_ts_, 0, 0, 0});
  }
  TrimFront();
}

bool MsgIndex::Seal(uint64_t through, std::unique_ptr<SealedRecords> records) {
  through = std::min(through, last_);
  if (through < ebase_) return records != nullptr;  // Nothing to seal.
  auto run = std::make_unique<Run>();
  run->id = next_run_id_++;
  run->first = ebase_;
  run->last = through;
  run->last_ts = entries_[through - ebase_].ts;
  for (uint64_t s = ebase_; s <= through; ++s) run->live += entries_[s - ebase_].subject != 0;
  uint64_t at = ebase_;
  auto next = [&]() -> std::optional<Sealed> {
    while (at <= through) {
      const uint64_t s = at++;
      const Slot& e = entries_[s - ebase_];
      if (e.subject != 0) return Sealed{s, e};
    }
    return std::nullopt;
  };
  Checked checked;
  const bool paged =
      records != nullptr && (run->live == 0 || Check(*run, records.get(), next, &checked));
  if (paged) {
    Adopt(run.get(), std::move(records), &checked);
  } else {
    run->resident.reserve(run->live);
    for (uint64_t s = ebase_; s <= through; ++s) {
      const Slot& e = entries_[s - ebase_];
      if (e.subject != 0) run->resident.push_back(Sealed{s, e});
    }
    run->IndexResident();
  }
  for (uint64_t s = ebase_; s <= through; ++s) entries_.pop_front();
  ebase_ = through + 1;
  runs_.push_back(std::move(run));
  TrimFront();
  return paged;
}

size_t MsgIndex::paged_runs() const {
  size_t n = 0;
  for (const auto& run : runs_) n += run->records != nullptr;
  return n;
}

MsgIndex::Run* MsgIndex::RunOf(uint64_t seq) const {
  if (seq >= ebase_ || runs_.empty()) return nullptr;
  auto it = std::lower_bound(runs_.begin(), runs_.end(), seq,
                             [](const std::unique_ptr<Run>& r, uint64_t s) { return r->last < s; });
  if (it == runs_.end() || (*it)->first > seq) return nullptr;
  return it->get();
}

std::shared_ptr<const MsgIndex::Page> MsgIndex::PageOf(const Run& run, size_t i) const {
  if (run.records == nullptr) return nullptr;
  if (cache_ == nullptr) cache_ = std::make_unique<PageCache>();
  const uint32_t page = run.pages[i].page;
  if (std::shared_ptr<const Page> p = cache_->Find(run.id, page)) return p;
  std::vector<SealedRecord> records;
  run.records->ReadPage(page, &records);
  auto decoded = std::make_shared<Page>();
  decoded->reserve(records.size());
  for (const SealedRecord& r : records) {
    const uint32_t id = r.subject < run.ids.size() ? run.ids[r.subject] : 0;
    decoded->push_back(Sealed{r.seq, Slot{r.ts, r.loc, r.size, id}});
  }
  cache_->Insert(run.id, page, decoded);
  return decoded;
}

MsgIndex::PageView MsgIndex::ViewPage(const Run& run, size_t i) const {
  PageView v;
  v.hold = PageOf(run, i);
  if (v.hold != nullptr) {
    v.data = v.hold->data();
    v.size = v.hold->size();
  } else {
    const size_t from = run.pages[i].page * kPageSize;
    v.data = run.resident.data() + from;
    v.size = std::min(kPageSize, run.resident.size() - from);
  }
  return v;
}

std::optional<MsgIndex::Slot> MsgIndex::FindInRun(const Run& run, uint64_t seq) const {
  if (seq < run.first || seq > run.last || run.Removed(seq)) return std::nullopt;
  auto pit = std::upper_bound(run.pages.begin(), run.pages.end(), seq,
                              [](uint64_t s, const PageStart& p) { return s < p.first_seq; });
  if (pit == run.pages.begin()) return std::nullopt;
  const auto v = ViewPage(run, static_cast<size_t>(pit - run.pages.begin() - 1));
  const Sealed* e = std::lower_bound(v.data, v.data + v.size, seq,
                                     [](const Sealed& a, uint64_t s) { return a.seq < s; });
  if (e == v.data + v.size || e->seq != seq || e->slot.subject == 0) return std::nullopt;
  return e->slot;
}

void MsgIndex::MakeResident(Run* run) {
  if (run->records == nullptr) return;
  std::vector<Sealed> resident;
  for (size_t i = 0; i < run->pages.size(); ++i) {
    const auto v = ViewPage(*run, i);
    for (size_t k = 0; k < v.size; ++k) {
      if (v.data[k].slot.subject != 0 && !run->Removed(v.data[k].seq))
        resident.push_back(v.data[k]);
    }
  }
  if (cache_ != nullptr) cache_->Drop(run->id);
  run->records.reset();
  std::vector<uint32_t>().swap(run->ids);
  run->resident = std::move(resident);
  run->IndexResident();
}

template <typename Next>
bool MsgIndex::Check(const Run& run, SealedRecords* records, Next&& next, Checked* out) const {
  const std::vector<std::string> subjects = records->TakeSubjects();
  out->ids.assign(subjects.size(), 0);
  std::optional<Sealed> want = next();
  uint64_t prev = 0;
  std::vector<SealedRecord> page;
  for (size_t p = 0; p < records->num_pages(); ++p) {
    records->ReadPage(p, &page);
    for (size_t k = 0; k < page.size(); ++k) {
      const SealedRecord& r = page[k];
      if (r.seq < run.first || r.seq > run.last || r.seq <= prev || r.subject >= subjects.size()) {
        return false;
      }
      prev = r.seq;
      if (k == 0) out->pages.push_back(PageStart{static_cast<uint32_t>(p), r.seq, r.ts});
      if (want && want->seq < r.seq) return false;  // A live message the records lack.
      if (!want || want->seq > r.seq) {
        out->removed.push_back(r.seq);
        continue;
      }
      const Slot& e = want->slot;
      uint32_t& id = out->ids[r.subject];
      if (e.ts != r.ts || e.size != r.size || e.loc != r.loc ||
          *Name(e.subject) != subjects[r.subject] || (id != 0 && id != e.subject)) {
        return false;
      }
      id = e.subject;
      want = next();
    }
  }
  return !want;
}

void MsgIndex::Adopt(Run* run, std::unique_ptr<SealedRecords> records, Checked* checked) {
  if (cache_ != nullptr) cache_->Drop(run->id);
  std::vector<Sealed>().swap(run->resident);
  run->pages.clear();
  if (run->live == 0) return;  // Nothing left to read.
  for (uint64_t s : checked->removed) run->MarkRemoved(s);
  run->records = std::move(records);
  run->ids = std::move(checked->ids);
  run->pages = std::move(checked->pages);
}

bool MsgIndex::PageRun(uint64_t seq, std::unique_ptr<SealedRecords> records) {
  Run* run = RunOf(seq);
  if (run == nullptr || records == nullptr) return false;
  MakeResident(run);
  size_t i = 0;
  auto next = [&]() -> std::optional<Sealed> {
    while (i < run->resident.size()) {
      const Sealed& e = run->resident[i++];
      if (e.slot.subject != 0 && !run->Removed(e.seq)) return e;
    }
    return std::nullopt;
  };
  Checked checked;
  if (run->live != 0 && !Check(*run, records.get(), next, &checked)) return false;
  Adopt(run, std::move(records), &checked);
  return true;
}

MsgIndex::Slot* MsgIndex::Unsealed(uint64_t seq) {
  if (seq < ebase_ || seq - ebase_ >= entries_.size()) return nullptr;
  Slot* e = &entries_[seq - ebase_];
  return e->subject == 0 ? nullptr : e;
}

std::optional<IndexEntry> MsgIndex::Get(uint64_t seq) const {
  if (seq < base_ || seq > last_) return std::nullopt;
  if (seq >= ebase_) {
    const Slot* e = const_cast<MsgIndex*>(this)->Unsealed(seq);
    if (e == nullptr) return std::nullopt;
    return Entry(*e);
  }
  const Run* run = RunOf(seq);
  if (run == nullptr) return std::nullopt;
  const std::optional<Slot> e = FindInRun(*run, seq);
  if (!e) return std::nullopt;
  return Entry(*e);
}

bool MsgIndex::SetLoc(uint64_t seq, uint64_t loc) {
  if (seq >= ebase_) {
    Slot* e = Unsealed(seq);
    if (e == nullptr) return false;
    e->loc = loc;
    return true;
  }
  Run* run = RunOf(seq);
  if (run == nullptr || seq < base_ || !FindInRun(*run, seq)) return false;
  MakeResident(run);
  auto it = std::lower_bound(run->resident.begin(), run->resident.end(), seq,
                             [](const Sealed& a, uint64_t s) { return a.seq < s; });
  it->slot.loc = loc;
  return true;
}

bool MsgIndex::Remove(uint64_t seq, IndexEntry* removed) {
  if (seq < base_ || seq > last_) return false;
  Slot slot;
  if (seq >= ebase_) {
    Slot* e = Unsealed(seq);
    if (e == nullptr) return false;
    slot = *e;
    e->subject = 0;
  } else {
    Run* run = RunOf(seq);
    if (run == nullptr) return false;
    const std::optional<Slot> e = FindInRun(*run, seq);
    if (!e) return false;
    slot = *e;
    run->MarkRemoved(seq);
    --run->live;
  }
  if (removed != nullptr) *removed = Entry(slot);
  const uint32_t subj = slot.subject;
  auto it = subjects_.find(*Name(subj));
  SubjectInfo& info = it->second;
  --msgs_;
  bytes_ -= slot.size;
  if (--info.count == 0) {
    Forget(it);
  } else {
    if (seq == info.first) info.first = seq + 1;
    if (seq == info.last) {
      info.last = base_ - 1;
      Walk(base_, seq - 1, true, [&](uint64_t s, const Slot& e) {
        if (e.subject != subj) return true;
        info.last = s;
        return false;
      });
    }
  }
  TrimFront();
  return true;
}

void MsgIndex::DropFrontRun() {
  const Run& run = *runs_.front();
  base_ = run.last + 1;
  if (cache_ != nullptr) cache_->Drop(run.id);
  runs_.erase(runs_.begin());
}

void MsgIndex::TrimFront() {
  while (!runs_.empty()) {
    const Run& run = *runs_.front();
    if (run.live == 0) {
      DropFrontRun();
      continue;
    }
    if (base_ < run.first || !FindInRun(run, base_)) {
      Walk(std::max(base_, run.first), run.last, false, [&](uint64_t s, const Slot&) {
        base_ = s;
        return false;
      });
    }
    return;
  }
  base_ = ebase_;
  while (!entries_.empty() && entries_.front().subject == 0) {
    entries_.pop_front();
    ++ebase_;
  }
  if (entries_.empty()) ebase_ = last_ + 1;
  base_ = ebase_;
}

template <typename Fn>
bool MsgIndex::Walk(uint64_t from, uint64_t to, bool reverse, Fn&& fn) const {
  from = std::max(from, base_);
  to = std::min(to, last_);
  if (from > to) return true;
  auto live = [](const Run& run, const Sealed& e) {
    return e.slot.subject != 0 && !run.Removed(e.seq);
  };
  auto by_last = [](const std::unique_ptr<Run>& r, uint64_t s) { return r->last < s; };
  auto by_first = [](uint64_t s, const PageStart& p) { return s < p.first_seq; };
  auto by_seq = [](const Sealed& a, uint64_t s) { return a.seq < s; };
  if (!reverse) {
    for (auto r = std::lower_bound(runs_.begin(), runs_.end(), from, by_last);
         r != runs_.end() && (*r)->first <= to; ++r) {
      const Run& run = **r;
      if (run.live == 0) continue;
      auto pit = std::upper_bound(run.pages.begin(), run.pages.end(), from, by_first);
      size_t i = pit == run.pages.begin() ? 0 : pit - run.pages.begin() - 1;
      for (; i < run.pages.size() && run.pages[i].first_seq <= to; ++i) {
        const auto v = ViewPage(run, i);
        for (const Sealed* e = std::lower_bound(v.data, v.data + v.size, from, by_seq);
             e != v.data + v.size && e->seq <= to; ++e) {
          if (live(run, *e) && !fn(e->seq, e->slot)) return false;
        }
      }
    }
    for (uint64_t s = std::max(from, ebase_); s <= to; ++s) {
      const Slot& e = entries_[s - ebase_];
      if (e.subject != 0 && !fn(s, e)) return false;
    }
    return true;
  }
  for (uint64_t s = to; s >= from && s >= ebase_; --s) {
    const Slot& e = entries_[s - ebase_];
    if (e.subject != 0 && !fn(s, e)) return false;
    if (s == 0) break;
  }
  if (runs_.empty() || from >= ebase_) return true;
  auto r = std::lower_bound(runs_.begin(), runs_.end(), std::min(to, ebase_ - 1), by_last);
  if (r == runs_.end()) --r;
  for (;; --r) {
    const Run& run = **r;
    if (run.last < from) break;
    if (run.live != 0 && run.first <= to) {
      auto pit = std::upper_bound(run.pages.begin(), run.pages.end(), to, by_first);
      for (size_t i = pit - run.pages.begin(); i > 0; --i) {
        const auto v = ViewPage(run, i - 1);
        for (const Sealed *e = std::upper_bound(
                 v.data, v.data + v.size, to, [](uint64_t s, const Sealed&a) { return s < a.seq; });
             e != v.data;) {
          --e;
          if (e->seq < from) return true;
          if (live(run, *e) && !fn(e->seq, e->slot)) return false;
        }
      }
    }
    if (r == runs_.begin()) break;
  }
  return true;
}

template <typename Pred>
uint64_t MsgIndex::FirstWhere(uint64_t from, uint64_t to, Pred&& pred) const {
  uint64_t found = 0;
  Walk(from, to, false, [&](uint64_t s, const Slot& e) {
    if (!pred(e.subject)) return true;
    found = s;
    return false;
  });
  return found;
}

template <typename Pred>
uint64_t MsgIndex::CountWhere(uint64_t from, uint64_t to, Pred&& pred) const {
  uint64_t n = 0;
  Walk(from, to, false, [&](uint64_t, const Slot& e) {
    if (pred(e.subject)) ++n;
    return true;
  });
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
  uint64_t found = 0;
  Walk(base_, last_, true, [&](uint64_t s, const Slot&) {
    found = s;
    return false;
  });
  return found;
}

uint64_t MsgIndex::SeqForTime(int64_t ts) const {
  for (const auto& r : runs_) {
    const Run& run = *r;
    if (run.live == 0 || run.last_ts < ts || run.pages.empty()) continue;
    // From the last page starting before `ts`: times never decrease.
    auto pit = std::lower_bound(run.pages.begin(), run.pages.end(), ts,
                                [](const PageStart& p, int64_t t) { return p.first_ts < t; });
    if (pit != run.pages.begin()) --pit;
    uint64_t found = last_ + 1;
    Walk(pit->first_seq, last_, false, [&](uint64_t s, const Slot& e) {
      if (e.ts < ts) return true;
      found = s;
      return false;
    });
    return found;
  }
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
    if (entries_[lo].subject != 0) return ebase_ + lo;
  }
  return last_ + 1;
}

void MsgIndex::ForEach(uint64_t from,
                       const std::function<bool(uint64_t, const IndexEntry&)>& fn) const {
  Walk(from, last_, false, [&](uint64_t s, const Slot& e) { return fn(s, Entry(e)); });
}

size_t MsgIndex::MemoryBytes() const {
  constexpr size_t kInlineName = 15;  // libstdc++ keeps shorter strings inline.
  // The table of a node_hash_map holds a pointer and a control byte per
  // bucket; each node holds a key and its value.
  size_t bytes = entries_.allocated_bytes() + by_id_.capacity() * sizeof(by_id_[0]) +
                 free_ids_.capacity() * sizeof(free_ids_[0]) +
                 subjects_.bucket_count() * (sizeof(void*) + 1) +
                 runs_.capacity() * sizeof(runs_[0]);
  for (const auto& run : runs_) {
    bytes += sizeof(Run) + run->removed.capacity() * sizeof(uint64_t) +
             run->pages.capacity() * sizeof(PageStart) + run->resident.capacity() * sizeof(Sealed) +
             run->ids.capacity() * sizeof(uint32_t);
  }
  if (cache_ != nullptr) bytes += sizeof(PageCache) + cache_->MemoryBytes();
  for (const auto& [subject, info] : subjects_) {
    bytes += sizeof(SubjectMap::value_type);
    if (subject.capacity() > kInlineName) bytes += subject.capacity() + 1;
  }
  return bytes;
}

}  // namespace jsengine::storesvc
