// On-disk format of FileStore segment files (see docs/STORAGE_FORMAT.md).
//
// A stream's messages live in <stream dir>/msgs/<id>.seg, id a 10-digit
// decimal counting up from 1. Each segment is a run of records; all integers
// are little-endian:
//
//   offset  size  field
//   0       4     masked CRC-32C (crc32c::Mask) of bytes [8, 9 + length)
//   4       4     length of the body
//   8       1     type (RecordType)
//   9       len   body
//
// Bodies by type:
//   kSegmentHeader  magic(8) version(4) base_seq(8) created_ns(8)
//                   Always the first record of a segment; base_seq is the
//                   sequence the stream would assign next when the segment
//                   was created, so the last sequence survives even when
//                   every message was removed.
//   kMessage        seq(8) ts_ns(8) subject_len(2) hdr_len(4) subject hdr data
//                   The top bit of hdr_len (kDataCompressed) set: data is
//                   Snappy-compressed (stream compression "s2"); records
//                   without it, all those of earlier versions, hold data as is.
//   kTombstone      seq(8): message seq was removed.
//   kPurgeBefore    seq(8): every message below seq was removed.
//
// Saved index state (no file is needed: without them Open() replays every
// segment):
//
// <id>.idx, per segment, written when the segment is sealed and for the
// active segment at Close(); it lists the records in the first
// covered_size bytes of the segment, without payloads:
//   magic(8) version(4) segment_id(4) covered_size(8) tail_crc(4)
//   subject_count(4) record_count(8)
//   per subject: length(2) bytes
//   per record: seq(8) ts(8) offset(8) size(4) kind(4)
//     kind: subject number of a kMessage, 0xffffffff kSegmentHeader (seq =
//     base_seq), 0xfffffffe kTombstone, 0xfffffffd kPurgeBefore
//   masked CRC-32C of everything above (4)
// Open() replays it instead of the covered bytes if its CRC holds, the
// segment has at least covered_size bytes and the last kTailCheckBytes of
// them still have tail_crc; the rest of the segment is read from the file.
//
// state.snap, written by a clean Close() and by Checkpoint() (saved_state.h):
//   magic(8) version(4) segment_count(4)
//   per segment: id(4) size(8) tail_crc(4) base_seq(8) max_seq(8) live_bytes(8)
//   msgs(8) bytes(8) first_seq(8) first_ts(8) last_seq(8) last_ts(8) num_deleted(8)
//   subject_count(4), per subject: count(8) length(2) bytes
//   masked CRC-32C of everything above (4)
// Used only if the segments start with exactly those listed, each exactly
// `size` bytes long with the same tail, except that the last one listed may
// have grown and newer ones may follow, holding only messages and headers
// after what it lists: then Open() answers the stream state from it and
// those records and loads the message index from the .idx files on another
// thread.
//
// Compaction rewrites a sealed segment keeping, byte for byte, its header,
// its live messages, its purge-before records and the tombstones of messages
// that may still be in older segments (docs/STORAGE_FORMAT.md).
//
// seq.mark (seq_mark.h), framed as common/framed_file.h with kSeqMarkMagic,
// payload: oldest_id(4) first_seq(8) last_seq(8). Rewritten in place (not
// fsynced) after each write of the segments and before old segments are
// deleted.
//
// Recovery replays records in segment order. The first record that is torn
// (short), fails its CRC or is malformed ends its segment: the file is
// truncated there and the loss logged.
// Segment files missing from the id sequence (or named by state.snap or an
// orphan .idx) are reported lost (missing_segments.h); an orphan .idx of a
// missing segment is kept as evidence.
#ifndef JSENGINE_STORESVC_FILE_FORMAT_H_
#define JSENGINE_STORESVC_FILE_FORMAT_H_

#include <cstddef>
#include <cstdint>

#include "common/checksummed_record.h"
#include "common/coding.h"

namespace jsengine::storesvc::file_format {

enum RecordType : uint8_t {
  kSegmentHeader = 1,
  kMessage = 2,
  kTombstone = 3,
  kPurgeBefore = 4,
};

inline constexpr size_t kRecordHeaderSize = common::kRecordHeaderSize;
inline constexpr size_t kCrcOffset = common::kRecordCrcOffset;
inline constexpr size_t kLengthOffset = common::kRecordLengthOffset;
inline constexpr size_t kTypeOffset = common::kRecordTypeOffset;

inline constexpr uint64_t kSegmentMagic = 0x31304753454a534aull;  // "JSJESG01"
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderBodySize = 28;
inline constexpr size_t kMessageFixedSize = 22;  // seq, ts, subject_len, hdr_len.
inline constexpr size_t kSeqBodySize = 8;        // kTombstone, kPurgeBefore.
inline constexpr uint32_t kDataCompressed = 0x80000000u;  // In a kMessage's hdr_len.
// Bodies above this are treated as corruption.
inline constexpr uint32_t kMaxBodySize = 64u << 20;
inline constexpr const char* kSegmentSuffix = ".seg";
// A compacted segment is written to <id>.seg.compact, then renamed over
// <id>.seg; Open() deletes leftover temporaries.
inline constexpr const char* kCompactSuffix = ".compact";
inline constexpr const char* kIndexSuffix = ".idx";
inline constexpr uint64_t kSegmentIndexMagic = 0x313058495344534aull;  // "JSDSIX01"
inline constexpr uint32_t kSegmentIndexVersion = 1;
inline constexpr const char* kSavedStateFile = "state.snap";
inline constexpr uint64_t kSavedStateMagic = 0x313054535344534aull;  // "JSDSST01"
inline constexpr uint32_t kSavedStateVersion = 1;
// The sequences last written (seq_mark.h), rewritten in place after every
// write of the segments.
inline constexpr const char* kSeqMarkFile = "seq.mark";
inline constexpr uint64_t kSeqMarkMagic = 0x31304b4d5144534aull;  // "JSDQMK01"
inline constexpr uint32_t kSeqMarkVersion = 1;
// The whole-index file of earlier versions; Open() deletes it.
inline constexpr const char* kLegacyIndexFile = "index.snap";
inline constexpr size_t kTailCheckBytes = 64;

// Locations in the index: segment id in the high 24 bits, offset below.
inline constexpr int kLocOffsetBits = 40;
inline uint64_t MakeLoc(uint32_t segment_id, uint64_t offset) {
  return (static_cast<uint64_t>(segment_id) << kLocOffsetBits) | offset;
}
inline uint32_t LocSegment(uint64_t loc) { return static_cast<uint32_t>(loc >> kLocOffsetBits); }
inline uint64_t LocOffset(uint64_t loc) { return loc & ((1ull << kLocOffsetBits) - 1); }

// The integer encoding and the record framing are common to every file
// format of the engine.
using common::Fixed16;
using common::Fixed32;
using common::Fixed64;
using common::PutFixed16;
using common::PutFixed32;
using common::PutFixed64;

}  // namespace jsengine::storesvc::file_format

#endif  // JSENGINE_STORESVC_FILE_FORMAT_H_
