// MessageStore: where one stream's messages live, by sequence number.
//
// Two implementations share one contract and one test suite
// (message_store_test.cc): MemoryStore keeps messages in RAM, FileStore in
// checksummed append-only segment files (file_format.h). Stream semantics
// (limits, dedup, expected-* headers) live above, in Stream; a store only
// stores, indexes, removes and reads.
//
// Sequences start at 1 and only grow; removed sequences are never reused.
// Appended data is durable after Flush() and then Sync().
//
// Thread-safety: not thread-safe, the owner serializes calls, except Sync(),
// which may run on another thread concurrently with any call but Close().
#ifndef JSENGINE_STORESVC_MESSAGE_STORE_H_
#define JSENGINE_STORESVC_MESSAGE_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/common.pb.h"
#include "storesvc/subject_filters.h"

namespace jsengine::storesvc {

struct StoreState {
  uint64_t msgs = 0;
  uint64_t bytes = 0;      // nats-server's accounting of stored message sizes.
  uint64_t first_seq = 0;  // Oldest live message; last_seq + 1 when empty.
  int64_t first_ts = 0;
  uint64_t last_seq = 0;
  int64_t last_ts = 0;
  uint64_t num_subjects = 0;
  uint64_t num_deleted = 0;  // Removed sequences between first_seq and last_seq.
};

// Messages recovery found gone from disk (nats-server's LostStreamData).
struct LostData {
  std::vector<uint64_t> msgs;  // Their sequences, rising.
  uint64_t bytes = 0;          // Their accounted sizes, as far as known.
};

// The stored messages at or after a start sequence whose subjects match some
// filters (MessageStore::Filtered).
struct FilteredState {
  uint64_t msgs = 0;   // How many there are.
  uint64_t first = 0;  // The first of them; 0 if none.
  uint64_t last = 0;   // The newest matching message, before the start too; 0 if none.
  // When asked for: the newest message of each matching subject whose newest
  // message is at or after the start, ascending.
  std::vector<uint64_t> last_per_subject;
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // Stores a message as sequence last_seq + 1 at time `ts_ns` (never below
  // the last message's time) and returns that sequence.
  virtual absl::StatusOr<uint64_t> Append(absl::string_view subject, absl::string_view hdr,
                                          absl::string_view data, int64_t ts_ns) = 0;
  // Hands buffered appends and removals to the OS.
  virtual absl::Status Flush() = 0;
  // Makes everything flushed so far durable (fsync).
  virtual absl::Status Sync() = 0;
  // Reclaims the space of removed messages where worth it (housekeeping:
  // off the append path). Failures are logged; the store stays consistent.
  virtual void Compact() {}
  // Saves, where due, what lets Open() after a crash skip replaying most of
  // the store (housekeeping: off the append path). Failures are logged;
  // nothing depends on what it saves.
  virtual void Checkpoint() {}

  // NotFound when `seq` is not stored.
  virtual absl::StatusOr<v1::StoredMessage> Load(uint64_t seq) = 0;
  // The first message with sequence >= `start` whose subject matches
  // `filter` (empty: any); NotFound when none.
  virtual absl::StatusOr<v1::StoredMessage> LoadNext(absl::string_view filter, uint64_t start) = 0;
  // The newest message matching `filter`; NotFound when none.
  virtual absl::StatusOr<v1::StoredMessage> LoadLast(absl::string_view filter) = 0;
  // The subject of message `seq`, from the index (no message is read); null
  // when `seq` is not stored. Valid until the store next changes.
  virtual const std::string* SubjectOf(uint64_t seq) const = 0;
  // The first sequence >= `start` whose subject matches `filters`, or 0.
  virtual uint64_t NextSeq(const SubjectFilters& filters, uint64_t start) const = 0;
  // Counts the messages at or after `start` matching `filters` from the
  // index, reading no message (complexity in MsgIndex::Filtered()).
  virtual FilteredState Filtered(const SubjectFilters& filters, uint64_t start,
                                 bool last_per_subject) const = 0;

  // False when `seq` was not stored.
  virtual absl::StatusOr<bool> Remove(uint64_t seq) = 0;
  // Remove(), and overwrites the message's bytes with random ones so its
  // content does not stay on disk (nats-server's erase).
  virtual absl::StatusOr<bool> Erase(uint64_t seq) = 0;
  // Removes messages matching `filter` (empty: all) with sequence below
  // `before` (0: no bound), sparing the newest `keep` of them. Returns how
  // many were removed.
  virtual absl::StatusOr<uint64_t> Purge(absl::string_view filter, uint64_t before,
                                         uint64_t keep) = 0;

  // The first live sequence stored at or after `ts_ns`; last_seq + 1 if none.
  virtual uint64_t SeqForTime(int64_t ts_ns) const = 0;
  virtual StoreState State() const = 0;
  virtual uint64_t SubjectCount(absl::string_view subject) const = 0;
  // Message counts of the subjects matching `filter` (empty: all).
  virtual std::map<std::string, uint64_t> SubjectCounts(absl::string_view filter) const = 0;
  virtual std::vector<uint64_t> DeletedSeqs() const = 0;
  // What recovery found lost since the store opened; empty for most stores.
  virtual LostData Lost() const { return {}; }
  // The size this store accounts for a message (nats-server's formulas),
  // which max_bytes limits count.
  virtual uint32_t MsgSize(absl::string_view subject, absl::string_view hdr,
                           absl::string_view data) const = 0;

  // Whether later appends store their data compressed (a stream's
  // compression "s2"). Stores that do not compress ignore it; either way
  // Load() returns the data as appended.
  virtual void SetCompressData(bool compress) {}

  // How many writes failed since the store opened, and the last failure.
  // Each made the store forget the appends and removals it had not
  // written, whichever call did the write (a Checkpoint() too).
  virtual uint64_t write_failures() const { return 0; }
  virtual absl::Status last_write_failure() const { return absl::OkStatus(); }

  // Discards what is in memory and reads the store again from its files,
  // whose cached pages it drops first: after a failed fsync the page cache
  // may hold bytes that never reached the disk. Appends not yet flushed are
  // lost.
  virtual absl::Status Reload() { return absl::OkStatus(); }

  // Flushes, syncs and releases files. No other call may follow.
  virtual absl::Status Close() = 0;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_MESSAGE_STORE_H_
