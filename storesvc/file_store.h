// FileStore: a MessageStore in checksummed, append-only segment files
// (format in file_format.h and docs/STORAGE_FORMAT.md).
//
// Appends and removals are encoded into a buffer that Flush() hands to the OS
// with one write(2); Sync() fdatasyncs every segment written since the last
// Sync() (and the directory after a segment was created). Segments roll at
// segment_bytes; a segment is deleted once every message in it and in all
// older segments is gone; a purge of everything starts a fresh segment.
// Compact() rewrites sealed segments that are mostly removed messages: their
// live records are copied to a temporary file that is renamed over the
// segment (see docs/STORAGE_FORMAT.md, "Compaction").
//
// Each sealed segment gets an index file (<id>.idx: its records without
// payloads), from which the message index then reads that segment's
// messages instead of keeping them (MsgIndex::PageRun(), PageOut()), and
// Close() writes one for the active segment plus state.snap
// (stream state and per-subject counts); Checkpoint() writes state.snap
// while running, at most every checkpoint_interval_ns, so that a crash restart finds
// one too. Open() with an intact state.snap whose segments are those on disk
// (the last one may have grown since and newer ones may follow it, holding
// only appends) answers State() and subject counts from it and from the
// records written after it, and replays the index files on a background
// thread of the lowest priority; appends meanwhile go to a new segment and
// update that summary, without the index (until that segment fills up);
// the first other call that needs the message index, or the first
// Checkpoint() after the thread is done, takes that thread's result (or
// replays the index files itself if the thread is not done) and adds the
// appends to it. Otherwise Open() replays
// every segment, from its index file where one is intact and from the
// segment's bytes (validating each record's CRC) for the rest; the first bad
// or torn record ends its segment, which is truncated there (LOG(WARNING)
// says what was cut). Later segments are still read. Messages of missing
// segment files, and those a damaged sealed segment lost, are logged at
// ERROR and reported by Lost(); their sequences are never given out again
// (missing_segments.h, docs/STORAGE_FORMAT.md "Lost messages"). seq.mark
// (seq_mark.h), rewritten after every write, lets recovery see a lost
// oldest segment or a lost newest tail written after the last checkpoint.
//
// A failed write (ENOSPC, EIO, a short write) leaves the store as if the
// appends and removals not yet written had never been made: the bytes
// written of them are cut off and the store is read again from its files,
// so their sequences are given out again. The error is StoreErrc::kNoSpace
// for ENOSPC and EDQUOT, else kIo. Reload() does the same on demand, first
// dropping the files' cached pages (after a failed fsync).
//
// Every file-system call goes through FileStoreOptions::io (file_io.h).
//
// Thread-safety: as MessageStore (Sync() may run concurrently).
#ifndef JSENGINE_STORESVC_FILE_STORE_H_
#define JSENGINE_STORESVC_FILE_STORE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/file_io.h"
#include "common/mutex.h"
#include "storesvc/indexed_store.h"
#include "storesvc/missing_segments.h"
#include "storesvc/segment_index.h"

namespace jsengine::storesvc {

using common::FileIo;

struct FileStoreOptions {
  std::string dir;  // Created if missing.
  // nats-server's block size (defaultLargeBlockSize): the active segment's
  // index stays in memory until it is sealed.
  uint64_t segment_bytes = 8u << 20;
  // A sealed segment of at least this many bytes is compacted once more than
  // half of it is reclaimable (removed messages and their tombstones).
  uint64_t compact_min_bytes = 2u << 20;
  // Close() fdatasyncs what was written since the last Sync(). Without it,
  // Close() leaves that to the OS, as nats-server 2.9 does at shutdown
  // (Store turns it off for SyncPolicy::kInterval).
  bool sync_on_close = true;
  // The least time between two Checkpoint()s: a crash restart replays what
  // was written since the last one. Below the store's 250 ms housekeeping
  // tick, so that every tick may write one (their cost is capped apart).
  int64_t checkpoint_interval_ns = 200'000'000;
  // The file system; null: FileIo::Posix(). Must outlive the store.
  FileIo* io = nullptr;
};

class FileStore : public IndexedStore {
 public:
  static absl::StatusOr<std::unique_ptr<FileStore>> Open(const FileStoreOptions& options);
  ~FileStore() override;

  // While the index loads after Open() (used_saved_state()), appends go to
  // a new segment without waiting for it, unless that segment fills up.
  absl::StatusOr<uint64_t> Append(absl::string_view subject, absl::string_view hdr,
                                  absl::string_view data, int64_t ts_ns) override;
  absl::Status Flush() override;
  absl::Status Sync() override;
  void Compact() override;
  void Checkpoint() override;
  absl::Status Close() override;
  absl::Status Reload() override;
  uint64_t write_failures() const override { return write_failures_; }
  absl::Status last_write_failure() const override { return last_write_failure_; }
  void SetCompressData(bool compress) override { compress_data_ = compress; }
  uint32_t MsgSize(absl::string_view subject, absl::string_view hdr,
                   absl::string_view data) const override;

  // How many records recovery cut off (tests and logs).
  uint64_t truncated_records() const { return truncated_records_; }
  // Whether Open() started from saved index state (state.snap or any
  // segment's index file) instead of rescanning every segment.
  bool used_saved_index() const { return used_saved_state_ || scanned_segments_ < opened_segments_; }
  // Whether Open() took the stream state from state.snap and left loading
  // the message index for later.
  bool used_saved_state() const { return used_saved_state_; }
  // How many segments recovery replayed from their bytes because their
  // index file was missing, stale or damaged (once the index is loaded).
  uint64_t scanned_segments() const { return scanned_segments_; }
  // How many sealed segments' messages the index reads from their index
  // files instead of keeping them, and the bytes the index has allocated
  // (MsgIndex::MemoryBytes()). Both load the index first.
  size_t paged_segments() const;
  size_t index_memory_bytes() const;
  // How many segment files compaction has rewritten since Open().
  uint64_t compactions() const { return compactions_; }
  LostData Lost() const override;

 protected:
  absl::StatusOr<uint64_t> WriteMessage(uint64_t seq, int64_t ts, absl::string_view subject,
                                        absl::string_view hdr, absl::string_view data) override;
  absl::StatusOr<v1::StoredMessage> ReadMessage(uint64_t seq, const IndexEntry& entry) override;
  absl::Status OnRemoved(uint64_t seq, const IndexEntry& entry, bool record) override;
  absl::Status OnPurgedBefore(uint64_t seq) override;
  absl::Status OnErased(uint64_t seq, const IndexEntry& entry) override;

 private:
  struct Segment;
  struct Replayed;
  struct ReplayResult;
  // What Replay() reads of a Segment.
  struct SegmentFile {
    uint32_t id = 0;
    std::string path;
    int fd = -1;
    uint64_t size = 0;
  };
  std::vector<SegmentFile> SegmentFiles() const;
  static SegmentFile FileOf(const Segment& seg);

  explicit FileStore(FileStoreOptions options);

  absl::Status Recover();
  // Forgets everything in memory and runs Recover() again; every segment
  // counts as unsynced then.
  absl::Status ReloadFromDisk();
  // After the write of pending_ failed with `cause`: cuts the active
  // segment back to what was written before and reloads. Returns `cause`.
  absl::Status UndoFailedWrite(absl::Status cause);
  // Works out which segment files are missing (missing_segments.h) and
  // deletes index files left by deleted old segments.
  void FindMissing(const std::vector<std::pair<uint32_t, std::string>>& files,
                   const std::vector<std::pair<uint32_t, std::string>>& index_files);
  // Adds a Segment without a file (fd -1) for each missing one.
  void AddMissingSegments();
  using ApplyRecordFn =
      std::function<void(file_format::RecordType, uint64_t seq, int64_t ts,
                         absl::string_view subject, uint32_t size, uint64_t offset)>;
  // Replay() of missing segment `id`: the records its index file kept, and
  // placeholders for the sequences it held that nothing else lists.
  void ReplayMissing(uint32_t id, const ApplyRecordFn& apply, ReplayResult* out) const;
  // Adds placeholders for out->lost_from..`through` (when lost_from is set).
  void FillLost(uint64_t through, ReplayResult* out) const;
  // Takes the entries of lost messages out of index_ into lost_.
  void TakeLost();
  // Uses state.snap if the segments on disk are those it describes, grown
  // only by appends.
  bool LoadSavedState();
  // Adds to `summary` the records from `offset` of segments_[first] on,
  // setting those segments' sequences and live bytes; false when one of
  // them is damaged or is a removal (which needs the message index).
  bool SummarizeTail(size_t first, uint64_t offset, IndexSummary* summary);
  // Adds message `seq` to `summary` as MsgIndex::Add() would.
  static void SummarizeMessage(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size,
                               IndexSummary* summary);
  // Adds the segment Append() wrote while the index loaded to the loaded
  // `result` (taking the active segment's records).
  void AddAppendsBeforeLoad(ReplayResult* result);
  // Deletes state.snap, durably, when Open() found it of no use (once the
  // replay is applied, before anything is appended): a stale one could
  // otherwise seem to match segments rewritten since.
  void RemoveStaleSavedState();
  // Rebuilds the message index from the segment `files` (from their index
  // files when `use_index_files` and they are intact). Reads files only, so
  // it may run on the loader thread while the store only appends to a
  // segment not in `files`.
  void Replay(bool use_index_files, const std::vector<SegmentFile>& files, ReplayResult* out) const;
  // Makes the store match a Replay(): truncates damaged tails, deletes
  // segments without a header, writes missing index files.
  absl::Status ApplyReplay(ReplayResult* result);
  // Waits for the loader thread and installs its index (or replays every
  // segment if it disagrees with state.snap).
  void FinishLoad();
  void EnsureIndex() const override;
  // Writes the active segment's index file and state.snap (Close()).
  absl::Status SaveState();
  // Writes state.snap for the segments' written bytes.
  absl::Status WriteSavedState();
  std::string IndexPath(uint32_t id) const;
  // Writes <id>.idx for the first seg.size bytes of `seg`, described by
  // `records`; false (logged) if that failed. Without it the segment's
  // messages stay in memory and Open() reads the segment.
  bool WriteSegmentIndex(const Segment& seg, const SegmentIndex& records);
  // Lets `index` read the messages of sealed segment `seg` (the highest
  // sequence in it: `max_seq`) from its index file instead of keeping them
  // (MsgIndex::PageRun()); false (logged) if the file is unreadable or
  // does not list them exactly.
  bool PageOut(MsgIndex* index, const SegmentFile& seg, uint64_t max_seq) const;
  // MsgIndex::Seal() of the sequences through `through`, those of `seg`
  // (and gaps before it), read from its index file when `paged`; false
  // (logged if `paged`) when they stay in memory.
  bool SealIndex(MsgIndex* index, const SegmentFile& seg, uint64_t through, bool paged) const;
  // Marks the store changed since Open() (state.snap no longer current).
  void Touch();
  absl::Status CreateSegment(uint64_t base_seq);
  // Appends a kTombstone or kPurgeBefore record to the active segment.
  void AppendSeq(file_format::RecordType type, uint64_t seq);
  // Writes pending_ to the active segment.
  absl::Status WritePending();
  // Rewrites seq.mark (seq_mark.h) for the state now, with segments below
  // `oldest_id` deleted. A failure is logged once: the mark only helps
  // recovery report losses.
  void WriteMark(uint32_t oldest_id);
  // Rewrites segments_[i] without its removed records.
  absl::Status CompactSegment(size_t i);
  // Deletes state.snap and the segment's index file (durably, by the
  // directory sync that precedes the rename) before compaction rewrites
  // bytes they cover.
  absl::Status RemoveSavedIndex(const Segment& seg);
  absl::Status DropOldSegments();
  Segment* FindSegment(uint32_t id) const;
  std::shared_ptr<Segment> SegmentById(uint32_t id) const;
  // The written bytes of `seg` from `off` on, at least `n` of them unless
  // the segment ends first (n <= kReadWindow), from the read window, which
  // is refilled at `off` when it does not hold them.
  absl::StatusOr<absl::string_view> ReadWindowAt(const std::shared_ptr<Segment>& seg, uint64_t off,
                                                 size_t n);
  // Reads the record at `off` of `seg`'s sealed bytes into record_buf_:
  // `guess` bytes (or to the segment's end), more if the record's length
  // says so. A short or bad record is left for ParseSegmentRecord to find.
  // The view lasts until the next read.
  absl::StatusOr<absl::string_view> ReadRecordAt(const Segment& seg, uint64_t off, size_t guess);

  const FileStoreOptions options_;
  bool compress_data_ = false;  // SetCompressData().
  FileIo* const io_;
  MissingSegments missing_;  // Found by Open().
  LostData lost_;
  uint32_t next_segment_id_ = 1;  // Above every missing segment's id.
  int dir_fd_ = -1;
  int mark_fd_ = -1;                                // seq.mark.
  bool mark_failed_ = false;                        // The last WriteMark() failed.
  std::vector<std::shared_ptr<Segment>> segments_;  // Oldest first; back() is active.
  std::string pending_;  // Encoded records not yet written to the active segment.
  uint64_t truncated_records_ = 0;
  uint64_t write_failures_ = 0;
  absl::Status last_write_failure_;
  std::mt19937_64 rng_{std::random_device{}()};
  bool used_saved_state_ = false;
  uint64_t opened_segments_ = 0;
  uint64_t scanned_segments_ = 0;
  // state.snap on disk describes the store as it is.
  bool saved_state_current_ = false;
  // Checkpoint() saved the store as it is (the active index file aside).
  bool checkpoint_current_ = false;
  int64_t next_checkpoint_ns_ = 0;
  // The loader thread replays into loaded_ until FinishLoad() joins it.
  std::thread loader_;
  std::atomic<bool> cancel_load_{false};
  std::atomic<bool> load_done_{false};
  std::unique_ptr<ReplayResult> loaded_;
  std::vector<SegmentFile> load_files_;  // What it replays: the segments Open() found.
  // A removal, a segment roll or Open() happened since Compact()
  // last looked.
  bool compact_check_ = true;
  uint64_t compactions_ = 0;
  // The bytes read last from a sealed part of a segment: messages read in
  // order cost one pread per window instead of two per message. Written
  // bytes change only when an erase overwrites a record (which drops the
  // window); compaction makes a new Segment. So the window holds while its
  // segment is alive and is the one looked up.
  struct ReadWindow {
    std::weak_ptr<Segment> segment;
    uint64_t offset = 0;
    std::string bytes;
  };
  ReadWindow window_;
  // Records above the window's size are read here (ReadRecordAt); kept for
  // the next one up to kKeptRecordBuffer bytes.
  std::string record_buf_;

  common::Mutex sync_mu_;
  std::vector<std::shared_ptr<Segment>> dirty_ ABSL_GUARDED_BY(sync_mu_);
  bool dir_dirty_ ABSL_GUARDED_BY(sync_mu_) = false;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_FILE_STORE_H_
