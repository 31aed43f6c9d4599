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
//   kTombstone      seq(8): message seq was removed.
//   kPurgeBefore    seq(8): every message below seq was removed.
//
// Saved index state, <stream dir>/msgs/index.snap, written by a clean close:
//   magic(8) version(4) segment_count(4)
//   per segment: id(4) covered_size(8) base_seq(8) max_seq(8) tail_crc(4)
//   the MsgIndex encoding (msg_index.cc EncodeTo)
//   masked CRC-32C of everything above (4)
// Open() uses it only if its CRC holds, every segment it lists still exists
// with at least covered_size bytes whose last kTailCheckBytes still have
// tail_crc, and every other segment is newer; it then replays only the bytes
// past covered_size. Otherwise every segment is replayed.
//
// Compaction rewrites a sealed segment keeping, byte for byte, its header,
// its live messages, its purge-before records and the tombstones of messages
// that may still be in older segments (docs/STORAGE_FORMAT.md).
//
// Recovery replays records in segment order. The first record that is torn
// (short), fails its CRC or is malformed ends its segment: the file is
// truncated there and the loss logged.
#ifndef JSENGINE_STORESVC_FILE_FORMAT_H_
#define JSENGINE_STORESVC_FILE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace jsengine::storesvc::file_format {

enum RecordType : uint8_t {
  kSegmentHeader = 1,
  kMessage = 2,
  kTombstone = 3,
  kPurgeBefore = 4,
};

inline constexpr size_t kRecordHeaderSize = 9;
inline constexpr size_t kCrcOffset = 0;
inline constexpr size_t kLengthOffset = 4;
inline constexpr size_t kTypeOffset = 8;

inline constexpr uint64_t kSegmentMagic = 0x31304753454a534aull;  // "JSJESG01"
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderBodySize = 28;
inline constexpr size_t kMessageFixedSize = 22;  // seq, ts, subject_len, hdr_len.
inline constexpr size_t kSeqBodySize = 8;        // kTombstone, kPurgeBefore.
// Bodies above this are treated as corruption.
inline constexpr uint32_t kMaxBodySize = 64u << 20;
inline constexpr const char* kSegmentSuffix = ".seg";
// A compacted segment is written to <id>.seg.compact, then renamed over
// <id>.seg; Open() deletes leftover temporaries.
inline constexpr const char* kCompactSuffix = ".compact";
inline constexpr const char* kIndexFile = "index.snap";
inline constexpr uint64_t kIndexMagic = 0x31305844494a534aull;  // "JSJIDX01"
inline constexpr uint32_t kIndexVersion = 1;
inline constexpr size_t kTailCheckBytes = 64;

// Locations in the index: segment id in the high 24 bits, offset below.
inline constexpr int kLocOffsetBits = 40;
inline uint64_t MakeLoc(uint32_t segment_id, uint64_t offset) {
  return (static_cast<uint64_t>(segment_id) << kLocOffsetBits) | offset;
}
inline uint32_t LocSegment(uint64_t loc) { return static_cast<uint32_t>(loc >> kLocOffsetBits); }
inline uint64_t LocOffset(uint64_t loc) { return loc & ((1ull << kLocOffsetBits) - 1); }

inline void PutFixed16(std::string* out, uint16_t v) { out->append(reinterpret_cast<char*>(&v), 2); }
inline void PutFixed32(std::string* out, uint32_t v) { out->append(reinterpret_cast<char*>(&v), 4); }
inline void PutFixed64(std::string* out, uint64_t v) { out->append(reinterpret_cast<char*>(&v), 8); }
inline uint16_t Fixed16(const char* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
inline uint32_t Fixed32(const char* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline uint64_t Fixed64(const char* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "file format assumes little-endian");

}  // namespace jsengine::storesvc::file_format

#endif  // JSENGINE_STORESVC_FILE_FORMAT_H_
