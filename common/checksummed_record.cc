#include "common/checksummed_record.h"

#include <cstring>

#include "common/coding.h"
#include "common/crc32c.h"

namespace jsengine::common {

size_t StartRecord(std::string* out, uint8_t type) {
  const size_t start = out->size();
  out->append(kRecordTypeOffset, '\0');
  out->push_back(static_cast<char>(type));
  return start;
}

void FinishRecord(std::string* out, size_t start) {
  const uint32_t len = static_cast<uint32_t>(out->size() - start - kRecordHeaderSize);
  std::memcpy(&(*out)[start + kRecordLengthOffset], &len, 4);
  const uint32_t crc =
      crc32c::Mask(crc32c::Value(out->data() + start + kRecordTypeOffset, len + 1));
  std::memcpy(&(*out)[start + kRecordCrcOffset], &crc, 4);
}

RecordStatus ReadRecord(absl::string_view buf, uint32_t max_body, RecordView* out) {
  if (buf.size() < kRecordHeaderSize) {
    out->size = kRecordHeaderSize;
    return RecordStatus::kShort;
  }
  const uint32_t len = Fixed32(buf.data() + kRecordLengthOffset);
  out->size = kRecordHeaderSize + size_t{len};
  if (len > max_body) return RecordStatus::kTooLarge;
  if (buf.size() < out->size) return RecordStatus::kShort;
  const uint32_t expected = crc32c::Unmask(Fixed32(buf.data() + kRecordCrcOffset));
  if (crc32c::Value(buf.data() + kRecordTypeOffset, len + 1) != expected) {
    return RecordStatus::kChecksumMismatch;
  }
  out->type = static_cast<uint8_t>(buf[kRecordTypeOffset]);
  out->body = buf.substr(kRecordHeaderSize, len);
  return RecordStatus::kOk;
}

}  // namespace jsengine::common
