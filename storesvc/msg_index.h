// MsgIndex: the in-memory index both stores keep over their messages.
//
// Maps sequence -> (time, subject, size, location) in a queue indexed by
// sequence (so time lookups are a binary search: times never decrease), and
// subject -> (first, last, count). Subjects are interned; entries point at
// the interned string, so "same subject" is a pointer comparison.
//
// Thread-safety: not thread-safe; owned by one store.
#ifndef JSENGINE_STORESVC_MSG_INDEX_H_
#define JSENGINE_STORESVC_MSG_INDEX_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "storesvc/chunked_queue.h"

namespace jsengine::storesvc {

struct IndexEntry {
  int64_t ts = 0;
  uint64_t loc = 0;  // Where the store keeps the bytes; opaque here.
  uint32_t size = 0;
  const std::string* subject = nullptr;  // nullptr: removed.
};

struct SubjectInfo {
  uint64_t first = 0;  // A lower bound of the first live sequence.
  uint64_t last = 0;
  uint64_t count = 0;
};

class MsgIndex {
 public:
  uint64_t first_seq() const { return base_; }
  uint64_t last_seq() const { return last_; }
  uint64_t msgs() const { return msgs_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t num_deleted() const { return entries_.size() - msgs_; }
  int64_t last_ts() const { return last_ts_; }
  const absl::node_hash_map<std::string, SubjectInfo>& subjects() const { return subjects_; }

  // Adds `seq` (> last_seq()); skipped sequences count as removed.
  void Add(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size, uint64_t loc);
  // Raises last_seq() to at least `seq` without adding a message.
  void AdvanceLast(uint64_t seq);

  // Null when `seq` is not live.
  const IndexEntry* Get(uint64_t seq) const;
  // Removes `seq`; false when it was not live. `removed` gets its entry.
  bool Remove(uint64_t seq, IndexEntry* removed);
  // Points live `seq` at `loc` (its bytes moved); false when not live.
  bool SetLoc(uint64_t seq, uint64_t loc);

  uint64_t NextMatch(absl::string_view filter, uint64_t start) const;
  uint64_t LastMatch(absl::string_view filter) const;
  // The newest live sequence, or 0.
  uint64_t LastLive() const;
  uint64_t SeqForTime(int64_t ts) const;
  // Calls fn(seq, entry) for live entries in [from, last_seq()] while it
  // returns true.
  void ForEach(uint64_t from, const std::function<bool(uint64_t, const IndexEntry&)>& fn) const;

 private:
  IndexEntry* Mutable(uint64_t seq);
  void TrimFront();

  ChunkedQueue<IndexEntry> entries_;  // entries_[i] is sequence base_ + i.
  uint64_t base_ = 1;
  uint64_t last_ = 0;
  int64_t last_ts_ = 0;
  uint64_t msgs_ = 0;
  uint64_t bytes_ = 0;
  absl::node_hash_map<std::string, SubjectInfo> subjects_;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_MSG_INDEX_H_
