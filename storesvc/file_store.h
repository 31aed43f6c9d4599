// FileStore: a MessageStore in checksummed, append-only segment files
// (format in file_format.h and docs/STORAGE_FORMAT.md).
//
// Appends and removals are encoded into a buffer that Flush() hands to the OS
// with one write(2); Sync() fdatasyncs every segment written since the last
// Sync() (and the directory after a segment was created). Segments roll at
// segment_bytes; a segment is deleted once every message in it and in all
// older segments is gone; a purge of everything starts a fresh segment.
// Flush() also compacts sealed segments that are mostly removed messages:
// their live records are copied to a temporary file that is renamed over the
// segment (see docs/STORAGE_FORMAT.md, "Compaction").
//
// Open() replays all segments, validating each record's CRC; the first bad or
// torn record ends its segment, which is truncated there (LOG(WARNING) says
// what was cut). Later segments are still read.
//
// Thread-safety: as MessageStore (Sync() may run concurrently).
#ifndef JSENGINE_STORESVC_FILE_STORE_H_
#define JSENGINE_STORESVC_FILE_STORE_H_

#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "storesvc/indexed_store.h"

namespace jsengine::storesvc {

struct FileStoreOptions {
  std::string dir;  // Created if missing.
  uint64_t segment_bytes = 32u << 20;
  // A sealed segment of at least this many bytes is compacted once more than
  // half of it is reclaimable (removed messages and their tombstones).
  uint64_t compact_min_bytes = 2u << 20;
};

class FileStore : public IndexedStore {
 public:
  static absl::StatusOr<std::unique_ptr<FileStore>> Open(const FileStoreOptions& options);
  ~FileStore() override;

  absl::Status Flush() override;
  absl::Status Sync() override;
  absl::Status Close() override;
  uint32_t MsgSize(absl::string_view subject, absl::string_view hdr,
                   absl::string_view data) const override;

  // How many records recovery cut off (tests and logs).
  uint64_t truncated_records() const { return truncated_records_; }
  // Whether Open() started from the index state saved by the last Close()
  // instead of rescanning every segment.
  bool used_saved_index() const { return used_saved_index_; }
  // How many segment files compaction has rewritten since Open().
  uint64_t compactions() const { return compactions_; }

 protected:
  absl::StatusOr<uint64_t> WriteMessage(uint64_t seq, int64_t ts, absl::string_view subject,
                                        absl::string_view hdr, absl::string_view data) override;
  absl::StatusOr<v1::StoredMessage> ReadMessage(uint64_t seq, const IndexEntry& entry) override;
  absl::Status OnRemoved(uint64_t seq, const IndexEntry& entry, bool record) override;
  absl::Status OnPurgedBefore(uint64_t seq) override;
  absl::Status OnErased(uint64_t seq, const IndexEntry& entry) override;

 private:
  struct Segment;

  explicit FileStore(FileStoreOptions options);
  struct SavedSegment {
    uint64_t size = 0;
    uint64_t base_seq = 0;
    uint64_t max_seq = 0;
  };

  absl::Status Recover();
  // Replays the records of `seg` from byte `start` on.
  absl::Status RecoverSegment(const std::shared_ptr<Segment>& seg, uint64_t start);
  // Loads the saved index if it is intact and every segment it covers is
  // still there, unchanged up to the covered length.
  bool LoadSavedIndex(const std::vector<std::pair<uint32_t, std::string>>& files,
                      std::map<uint32_t, SavedSegment>* covered);
  absl::Status SaveIndex();
  absl::Status CreateSegment(uint64_t base_seq);
  // Writes pending_ to the active segment.
  absl::Status WritePending();
  // Compacts the sealed segments worth it. Failures are logged, never
  // returned: the store stays consistent (old segment, or new one in place).
  void CompactSegments();
  // Rewrites segments_[i] without its removed records.
  absl::Status CompactSegment(size_t i);
  // Deletes index.snap (durably, by the directory sync that precedes the
  // first rename) before compaction rewrites bytes it covers.
  absl::Status RemoveSavedIndex();
  absl::Status DropOldSegments();
  Segment* FindSegment(uint32_t id) const;

  const FileStoreOptions options_;
  int dir_fd_ = -1;
  std::vector<std::shared_ptr<Segment>> segments_;  // Oldest first; back() is active.
  std::string pending_;  // Encoded records not yet written to the active segment.
  uint64_t truncated_records_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  bool used_saved_index_ = false;
  // A removal, a segment roll or Open() happened since CompactSegments()
  // last looked.
  bool compact_check_ = true;
  bool saved_index_removed_ = false;
  uint64_t compactions_ = 0;

  std::mutex sync_mu_;  // std::mutex so ThreadSanitizer sees it.
  std::vector<std::shared_ptr<Segment>> dirty_ ABSL_GUARDED_BY(sync_mu_);
  bool dir_dirty_ ABSL_GUARDED_BY(sync_mu_) = false;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_FILE_STORE_H_
