// SegmentIndex: the records of one segment file without their payloads, and
// their encoding as the segment's index file (<id>.idx, format in
// file_format.h and docs/STORAGE_FORMAT.md).
//
// FileStore fills one while it writes the active segment and writes it out
// when the segment is sealed (and at Close()), so reopening replays these
// fixed-width entries instead of reading and checksumming every message.
// An index file covers the first covered_size bytes of its segment; bytes
// after that are replayed from the segment itself. Subjects are numbered in
// order of first appearance (SegmentIndexReader relies on it).
//
//   SegmentIndex idx;
//   idx.AddMessage(seq, ts, "orders.1", size, offset);
//   std::string file = idx.Encode(segment_id, covered_size, tail_crc);
//   SegmentIndex back;
//   if (back.Decode(file, segment_id)) { ... back.records() ... }
//
// Thread-safety: not thread-safe; a value type.
#ifndef JSENGINE_STORESVC_SEGMENT_INDEX_H_
#define JSENGINE_STORESVC_SEGMENT_INDEX_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "storesvc/file_format.h"

namespace jsengine::storesvc {

class SegmentIndex {
 public:
  // 32 bytes: the active segment holds one per record while it is written.
  struct Record {
    uint64_t seq = 0;      // base_seq of a kSegmentHeader.
    int64_t ts = 0;        // kMessage.
    uint64_t offset : 56;  // Of the record in the segment.
    file_format::RecordType type : 8;
    uint32_t subject = 0;  // kMessage: index into subjects().
    uint32_t size = 0;     // kMessage: accounted size (MsgSize).
    Record() : offset(0), type(file_format::kMessage) {}
  };
  static_assert(sizeof(Record) == 32);

  void AddHeader(uint64_t base_seq, uint64_t offset);
  void AddMessage(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size,
                  uint64_t offset);
  // kTombstone or kPurgeBefore.
  void AddSeqRecord(file_format::RecordType type, uint64_t seq, uint64_t offset);

  const std::deque<Record>& records() const { return records_; }
  const std::vector<std::string>& subjects() const { return subjects_; }

  // The index file for segment `segment_id` whose first `covered_size`
  // bytes hold exactly these records and end with bytes of CRC `tail_crc`.
  std::string Encode(uint32_t segment_id, uint64_t covered_size, uint32_t tail_crc) const;
  // The same file handed to `write` in consecutive pieces of about 64 KiB,
  // so that writing it out needs no second copy of the records; stops at
  // the first piece `write` refuses (then false).
  bool EncodeTo(uint32_t segment_id, uint64_t covered_size, uint32_t tail_crc,
                const std::function<bool(absl::string_view)>& write) const;
  // Replaces this with the records of an index file of segment
  // `segment_id`; false (this unchanged) when the file is damaged or not for
  // that segment.
  bool Decode(absl::string_view file, uint32_t segment_id);
  uint64_t covered_size() const { return covered_size_; }
  uint32_t tail_crc() const { return tail_crc_; }

 private:
  std::deque<Record> records_;  // Grows without copying.
  std::vector<std::string> subjects_;
  absl::flat_hash_map<std::string, uint32_t> subject_ids_;
  uint64_t covered_size_ = 0;
  uint32_t tail_crc_ = 0;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SEGMENT_INDEX_H_
