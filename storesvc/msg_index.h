// MsgIndex: the in-memory index both stores keep over their messages.
//
// Maps sequence -> (time, subject, size, location) in a queue indexed by
// sequence (so time lookups are a binary search: times never decrease), and
// subject -> (first, last, count). Subjects are interned and numbered; a
// sequence's slot holds its subject's number (24 bytes a slot), so "same
// subject" is an integer comparison. A number is reused only after its
// subject's last live message is gone.
//
// Thread-safety: not thread-safe; owned by one store.
#ifndef JSENGINE_STORESVC_MSG_INDEX_H_
#define JSENGINE_STORESVC_MSG_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "storesvc/chunked_queue.h"
#include "storesvc/message_store.h"
#include "storesvc/subject_filters.h"

namespace jsengine::storesvc {

// A live message as the index describes it.
struct IndexEntry {
  int64_t ts = 0;
  uint64_t loc = 0;  // Where the store keeps the bytes; opaque here.
  uint32_t size = 0;
  const std::string* subject = nullptr;  // The interned subject.
};

// A message of a sealed run as SealedRecords yields it.
struct SealedRecord {
  uint64_t seq = 0;
  int64_t ts = 0;
  uint64_t loc = 0;
  uint32_t size = 0;
  uint32_t subject = 0;  // A number of SealedRecords::TakeSubjects().
};

// The records of a sealed run, readable again page by page (a file store
// reads them from the segment's index file). Pages are numbered from 0;
// their messages rise in sequence from page to page.
class SealedRecords {
 public:
  virtual ~SealedRecords() = default;
  virtual size_t num_pages() const = 0;
  // The messages of page `p` in sequence order (a page may hold none).
  // Must not fail: a source that cannot read its file reads the data
  // another way or logs the loss and yields what it has.
  virtual void ReadPage(size_t p, std::vector<SealedRecord>* out) const = 0;
  // The subjects by number; called once, by MsgIndex::PageRun().
  virtual std::vector<std::string> TakeSubjects() = 0;
};

struct SubjectInfo {
  uint64_t first = 0;  // A lower bound of the first live sequence.
  uint64_t last = 0;
  uint64_t count = 0;
  uint32_t id = 0;  // The subject's number in the slots (never 0).
};

class MsgIndex {
 public:
  static constexpr size_t kPageSize = 1024;  // Messages a resident page holds.
  // Decoded pages of sealed runs kept per stream (32 KiB each): enough for
  // 32 readers at different places; 128 held 4 MiB after one full scan.
  static constexpr size_t kCachedPages = 32;

  MsgIndex();
  ~MsgIndex();
  MsgIndex(MsgIndex&&) noexcept;
  MsgIndex& operator=(MsgIndex&&) noexcept;

  uint64_t first_seq() const { return base_; }
  uint64_t last_seq() const { return last_; }
  uint64_t msgs() const { return msgs_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t num_deleted() const { return last_ + 1 - base_ - msgs_; }
  int64_t last_ts() const { return last_ts_; }
  const absl::node_hash_map<std::string, SubjectInfo>& subjects() const { return subjects_; }

  // Adds `seq` (> last_seq()); skipped sequences count as removed.
  void Add(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size, uint64_t loc);
  // Raises last_seq() to at least `seq` without adding a message.
  void AdvanceLast(uint64_t seq);

  // Moves the sequences from the oldest not yet sealed through `through`
  // (<= last_seq()) into a run of their own, read from `records` if they
  // list its messages as PageRun() requires (then true, as when there is
  // nothing to seal and `records` is set), else kept in memory.
  bool Seal(uint64_t through, std::unique_ptr<SealedRecords> records = nullptr);
  // Lets the run holding `seq` read its messages from `records` instead of
  // keeping them, if `records` lists exactly its live messages (each with
  // the same time, size, location and subject) and possibly some removed
  // ones; false (the run then kept in memory) otherwise. A paged run is
  // read back first and checked against its new records.
  bool PageRun(uint64_t seq, std::unique_ptr<SealedRecords> records);
  // How many sealed runs there are, and how many of them are paged.
  size_t runs() const { return runs_.size(); }
  size_t paged_runs() const;

  // Empty when `seq` is not live.
  std::optional<IndexEntry> Get(uint64_t seq) const;
  // Removes `seq`; false when it was not live. `removed` gets its entry,
  // whose subject pointer dangles if that was the subject's last message.
  bool Remove(uint64_t seq, IndexEntry* removed);
  // Points live `seq` at `loc` (its bytes moved); false when not live. A
  // paged run holding `seq` is read back into memory first.
  bool SetLoc(uint64_t seq, uint64_t loc);

  // The first live sequence >= `start` whose subject matches `filters`, or
  // 0. Literal filters: their subjects' lookups, then a scan from the
  // earliest of their first sequences to the match, comparing subject
  // pointers. Wildcards: a scan from `start` to the match that matches each
  // distinct subject once.
  uint64_t NextMatch(const SubjectFilters& filters, uint64_t start) const;
  // The newest live sequence matching `filters`, or 0. O(literals) for
  // literal filters, else O(subjects).
  uint64_t LastMatch(const SubjectFilters& filters) const;
  // The live messages at or after `start` matching `filters`, from the
  // entries and the per-subject info alone. With S subjects, N entries at
  // or after `start` and k filters:
  //  - every subject: O(1) when no message between the first and the last
  //    was removed, else a scan of the shorter side of `start`; with
  //    last_per_subject, O(S log S);
  //  - literal filters: O(k) lookups; a subject whose first sequence is at
  //    or after `start` counts whole, and the subjects `start` falls
  //    inside are counted together by one scan of the shorter side of
  //    `start` within their span;
  //  - wildcards: as literals after a walk of the subjects (O(S·k)), or,
  //    when N < S, one scan of the N entries matching each distinct subject
  //    once (plus a walk of the subjects for `last` if none of them match).
  // `first` adds a scan from the earliest first sequence (a lower bound, see
  // SubjectInfo) of the subjects counted to the match; last_per_subject a
  // sort of their newest sequences.
  FilteredState Filtered(const SubjectFilters& filters, uint64_t start,
                         bool last_per_subject) const;
  // The newest live sequence, or 0.
  uint64_t LastLive() const;
  uint64_t SeqForTime(int64_t ts) const;
  // Calls fn(seq, entry) for live entries in [from, last_seq()] while it
  // returns true.
  void ForEach(uint64_t from, const std::function<bool(uint64_t, const IndexEntry&)>& fn) const;

  // Bytes this index has allocated: its slots (whole chunks), its runs
  // (what they keep, and the cached pages) and its subjects (map nodes,
  // names, numbering). Counted, not measured, so tests can compare it
  // deterministically.
  size_t MemoryBytes() const;

 private:
  // One sequence: a live message when subject != 0.
  struct Slot {
    int64_t ts;
    uint64_t loc;
    uint32_t size;
    uint32_t subject;  // SubjectInfo::id, 0: removed.
  };
  static_assert(sizeof(Slot) == 24);
  using SubjectMap = absl::node_hash_map<std::string, SubjectInfo>;
  struct Sealed {
    uint64_t seq;
    Slot slot;
  };
  using Page = std::vector<Sealed>;
  // Where a page of a run starts.
  struct PageStart {
    uint32_t page;  // SealedRecords page number, or resident_ index / kPageSize.
    uint64_t first_seq;
    int64_t first_ts;
  };
  struct Run;
  class PageCache;

  // The slots of the sequences not sealed, in entries_.
  Slot* Unsealed(uint64_t seq);
  // The run holding `seq`, or null.
  Run* RunOf(uint64_t seq) const;
  // The live slot of `seq` in `run`, or empty.
  std::optional<Slot> FindInRun(const Run& run, uint64_t seq) const;
  // A page of a run: `size` messages at `data`, held by `hold` if cached.
  struct PageView {
    const Sealed* data = nullptr;
    size_t size = 0;
    std::shared_ptr<const Page> hold;
  };
  // Page `i` (an index into run.pages) of `run`.
  PageView ViewPage(const Run& run, size_t i) const;
  // The same from the cache, reading it on a miss; null for a resident run.
  std::shared_ptr<const Page> PageOf(const Run& run, size_t i) const;
  // What Check() found.
  struct Checked {
    std::vector<uint32_t> ids;
    std::vector<PageStart> pages;
    std::vector<uint64_t> removed;  // Sequences listed but not live.
  };
  // Whether `records` lists every message next() yields (the run's live
  // ones, in order, then empty), and otherwise only sequences of `run`.
  template <typename Next>
  bool Check(const Run& run, SealedRecords* records, Next&& next, Checked* out) const;
  // Makes `run` read its messages from `records`, as `checked`.
  void Adopt(Run* run, std::unique_ptr<SealedRecords> records, Checked* checked);
  // Reads a paged run back into memory.
  void MakeResident(Run* run);
  void DropFrontRun();
  // Calls fn(seq, slot) for the live slots in [from, to], ascending (or
  // descending with `reverse`), while it returns true; false if fn stopped.
  template <typename Fn>
  bool Walk(uint64_t from, uint64_t to, bool reverse, Fn&& fn) const;
  IndexEntry Entry(const Slot& slot) const;
  const std::string* Name(uint32_t id) const { return &by_id_[id]->first; }
  // The subject's entry, added with a fresh number if new.
  SubjectMap::iterator Intern(absl::string_view subject, uint64_t seq);
  void Forget(SubjectMap::iterator it);
  void TrimFront();
  // The first live sequence in [from, to] whose subject satisfies `pred`,
  // or 0.
  template <typename Pred>
  uint64_t FirstWhere(uint64_t from, uint64_t to, Pred&& pred) const;
  // How many live sequences in [from, to] have a subject satisfying `pred`.
  template <typename Pred>
  uint64_t CountWhere(uint64_t from, uint64_t to, Pred&& pred) const;
  // Calls fn(&subject, info) for each subject matching `filters`: lookups
  // for literal filters, a walk of every subject otherwise.
  template <typename Fn>
  void ForEachMatchingSubject(const SubjectFilters& filters, Fn&& fn) const;
  // The live sequences at or after `start`.
  uint64_t LiveFrom(uint64_t start) const;
  // Filtered() for wildcards when fewer entries follow `start` than there
  // are subjects: scans the entries.
  FilteredState FilteredByEntries(const SubjectFilters& filters, uint64_t start,
                                  bool last_per_subject) const;
  // Filtered() from the info of the subjects matching `filters`.
  FilteredState FilteredBySubjects(const SubjectFilters& filters, uint64_t start,
                                   bool last_per_subject) const;

  std::vector<std::unique_ptr<Run>> runs_;    // Oldest first; cover [base_, ebase_).
  mutable std::unique_ptr<PageCache> cache_;  // Created at first use.
  uint64_t next_run_id_ = 1;
  ChunkedQueue<Slot> entries_;  // entries_[i] is sequence ebase_ + i.
  uint64_t ebase_ = 1;
  uint64_t base_ = 1;
  uint64_t last_ = 0;
  int64_t last_ts_ = 0;
  uint64_t msgs_ = 0;
  uint64_t bytes_ = 0;
  SubjectMap subjects_;
  std::vector<SubjectMap::value_type*> by_id_{nullptr};  // by_id_[id]; [0] unused.
  std::vector<uint32_t> free_ids_;                       // Numbers of forgotten subjects.
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_MSG_INDEX_H_
