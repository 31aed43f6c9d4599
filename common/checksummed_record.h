// Checksummed records: the unit of every append-only file of the engine
// (storesvc's segments, consumersvc's journals). A record is
//
//   offset  size    field
//   0       4       masked CRC-32C (crc32c::Mask) of bytes [8, 9 + length)
//   4       4       length of the body (little-endian)
//   8       1       type
//   9       length  body
//
// so a reader tells a torn record (the file ends inside it) and a damaged one
// (its checksum fails) from a valid one. What types and bodies mean is the
// file format's business.
//
//   size_t start = StartRecord(&out, kMyType);
//   PutFixed64(&out, value);   // the body, appended in place
//   FinishRecord(&out, start);
//
// Thread-safe: pure functions.
#ifndef JSENGINE_COMMON_CHECKSUMMED_RECORD_H_
#define JSENGINE_COMMON_CHECKSUMMED_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace jsengine::common {

inline constexpr size_t kRecordHeaderSize = 9;
inline constexpr size_t kRecordCrcOffset = 0;
inline constexpr size_t kRecordLengthOffset = 4;
inline constexpr size_t kRecordTypeOffset = 8;

// Appends the header of a record of `type`; returns its offset for
// FinishRecord.
size_t StartRecord(std::string* out, uint8_t type);

// Fills in the length and checksum of the record started at `start`, whose
// body is everything appended to `out` since.
void FinishRecord(std::string* out, size_t start);

enum class RecordStatus {
  kOk,
  kShort,             // The buffer ends inside the record.
  kTooLarge,          // The length exceeds the format's maximum body.
  kChecksumMismatch,  // The checksum does not match the type and body.
};

struct RecordView {
  uint8_t type = 0;
  absl::string_view body;  // Points into the buffer read.
  // The whole record's size; for kShort the bytes it needs (the header's
  // size when even that is incomplete), for kTooLarge the size it claims.
  size_t size = 0;
};

// Reads the record at the start of `buf`, whose body may be at most
// `max_body` bytes long.
RecordStatus ReadRecord(absl::string_view buf, uint32_t max_body, RecordView* out);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_CHECKSUMMED_RECORD_H_
