// Encoding and decoding of the records of file_format.h.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_STORESVC_SEGMENT_RECORD_H_
#define JSENGINE_STORESVC_SEGMENT_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storesvc/file_format.h"

namespace jsengine::storesvc {

// A decoded record; views point into the parsed buffer.
struct SegmentRecord {
  file_format::RecordType type = file_format::kMessage;
  size_t total_size = 0;  // Header and body.
  uint64_t seq = 0;       // kMessage, kTombstone, kPurgeBefore; base_seq of kSegmentHeader.
  int64_t ts = 0;         // kMessage; created_ns of kSegmentHeader.
  absl::string_view subject;
  absl::string_view hdr;
  absl::string_view data;  // Compressed when `compressed`.
  bool compressed = false;
  size_t data_size = 0;  // The data's size as appended (uncompressed).
};

void AppendSegmentHeader(std::string* out, uint64_t base_seq, int64_t created_ns);
// With `compress`, stores data Snappy-compressed when that makes it smaller.
void AppendMessageRecord(std::string* out, uint64_t seq, int64_t ts, absl::string_view subject,
                         absl::string_view hdr, absl::string_view data, bool compress = false);
void AppendSeqRecord(std::string* out, file_format::RecordType type, uint64_t seq);

// Decodes the record at the start of buf[0, n). Errors are StoreError()s:
// kShortRead when n ends inside the record, kChecksumMismatch, kBadRecord.
absl::Status ParseSegmentRecord(const char* buf, size_t n, SegmentRecord* out);

// nats-server's fileStoreMsgSize, of the data as appended: the size a file
// stream accounts for a message.
uint32_t FileMsgSize(size_t subject, size_t hdr, size_t data);
// FileMsgSize() of a parsed kMessage.
uint32_t RecordMsgSize(const SegmentRecord& rec);

// The data of a parsed kMessage as appended: uncompressed if need be
// (kBadRecord if that fails).
absl::Status RecordData(const SegmentRecord& rec, std::string* out);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SEGMENT_RECORD_H_
