// IndexedStore: the part of MessageStore both implementations share.
//
// Keeps the MsgIndex and answers every query from it; subclasses only say
// where message bytes go (WriteMessage/ReadMessage) and how removals are
// recorded (OnRemoved/OnPurgedBefore).
//
// A subclass may open with only a summary of its index (summary_) and load
// index_ later: every call that reads index_ first calls EnsureIndex(),
// except State() and the subject counts, which the summary answers while it
// is set (and a subclass's Append() may update, as FileStore's does).
//
// Thread-safety: as MessageStore.
#ifndef JSENGINE_STORESVC_INDEXED_STORE_H_
#define JSENGINE_STORESVC_INDEXED_STORE_H_

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "storesvc/message_store.h"
#include "storesvc/msg_index.h"

namespace jsengine::storesvc {

class IndexedStore : public MessageStore {
 public:
  absl::StatusOr<uint64_t> Append(absl::string_view subject, absl::string_view hdr,
                                  absl::string_view data, int64_t ts_ns) override;
  absl::StatusOr<v1::StoredMessage> Load(uint64_t seq) override;
  absl::StatusOr<v1::StoredMessage> LoadNext(absl::string_view filter, uint64_t start) override;
  absl::StatusOr<v1::StoredMessage> LoadLast(absl::string_view filter) override;
  const std::string* SubjectOf(uint64_t seq) const override;
  uint64_t NextSeq(const SubjectFilters& filters, uint64_t start) const override;
  FilteredState Filtered(const SubjectFilters& filters, uint64_t start,
                         bool last_per_subject) const override;
  absl::StatusOr<bool> Remove(uint64_t seq) override;
  absl::StatusOr<bool> Erase(uint64_t seq) override;
  absl::StatusOr<uint64_t> Purge(absl::string_view filter, uint64_t before, uint64_t keep) override;
  uint64_t SeqForTime(int64_t ts_ns) const override;
  StoreState State() const override;
  uint64_t SubjectCount(absl::string_view subject) const override;
  std::map<std::string, uint64_t> SubjectCounts(absl::string_view filter) const override;
  std::vector<uint64_t> DeletedSeqs() const override;

 protected:
  // Stores the bytes of message `seq`; returns its location for the index.
  virtual absl::StatusOr<uint64_t> WriteMessage(uint64_t seq, int64_t ts, absl::string_view subject,
                                                absl::string_view hdr, absl::string_view data) = 0;
  virtual absl::StatusOr<v1::StoredMessage> ReadMessage(uint64_t seq, const IndexEntry& entry) = 0;
  // `seq` left the index. `record` is false when OnPurgedBefore() follows
  // and records the removal of every sequence below it at once.
  virtual absl::Status OnRemoved(uint64_t seq, const IndexEntry& entry, bool record) = 0;
  virtual absl::Status OnPurgedBefore(uint64_t seq) = 0;
  // Called after OnRemoved() for Erase(): destroy the bytes of `entry`.
  virtual absl::Status OnErased(uint64_t seq, const IndexEntry& entry) = 0;

  // Loads index_ if the subclass deferred it; clears summary_ then.
  virtual void EnsureIndex() const {}

  struct IndexSummary {
    StoreState state;
    absl::flat_hash_map<std::string, uint64_t> subject_counts;
  };

  MsgIndex index_;
  std::optional<IndexSummary> summary_;
  bool closed_ = false;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_INDEXED_STORE_H_
