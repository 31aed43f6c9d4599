// SegmentIndexReader: the messages of a sealed segment read back, a page at
// a time, from its index file (<id>.idx, file_format.h), for MsgIndex's
// paged runs.
//
// Page p holds the index file's records p * MsgIndex::kPageSize onwards
// (headers, tombstones and purge records skipped). The index file is opened
// once and read with pread: a rename over it (compaction) leaves the reader
// on the file it opened. If it cannot be read, the page is rebuilt from the
// segment's bytes it covers (the segment opened for that read only: a
// compacted segment's run is in memory or has a new reader by then); if
// those cannot be read either, the loss is logged and the page comes back
// empty.
//
// Thread-safety: not thread-safe; owned by one MsgIndex.
#ifndef JSENGINE_STORESVC_SEGMENT_INDEX_READER_H_
#define JSENGINE_STORESVC_SEGMENT_INDEX_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "storesvc/msg_index.h"

namespace jsengine::storesvc {

class SegmentIndexReader : public SealedRecords {
 public:
  // Null when `index_path` is not an index file of segment `segment_id`.
  static std::unique_ptr<SegmentIndexReader> Open(common::FileIo* io, uint32_t segment_id,
                                                  const std::string& index_path,
                                                  const std::string& segment_path);
  ~SegmentIndexReader() override;

  size_t num_pages() const override;
  void ReadPage(size_t p, std::vector<SealedRecord>* out) const override;
  std::vector<std::string> TakeSubjects() override { return std::move(subjects_); }

 private:
  SegmentIndexReader(common::FileIo* io, uint32_t segment_id) : io_(io), segment_id_(segment_id) {}
  // ReadPage() from the segment's bytes.
  bool ReadPageFromSegment(size_t p, std::vector<SealedRecord>* out) const;

  common::FileIo* const io_;
  const uint32_t segment_id_;
  std::string index_path_;
  std::string segment_path_;
  int index_fd_ = -1;
  uint64_t covered_size_ = 0;
  uint64_t records_at_ = 0;  // Where the index file's records start.
  uint64_t num_records_ = 0;
  std::vector<std::string> subjects_;
  mutable bool warned_ = false;  // That the index file cannot be read.
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SEGMENT_INDEX_READER_H_
