#include "storesvc/segment_record.h"

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "storesvc/store_error.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT: the format's names read best bare here.

namespace {

// Reserves the record header, returns its offset; FinishRecord fills it in.
size_t StartRecord(std::string* out, RecordType type) {
  size_t start = out->size();
  out->append(8, '\0');
  out->push_back(static_cast<char>(type));
  return start;
}

void FinishRecord(std::string* out, size_t start) {
  uint32_t len = static_cast<uint32_t>(out->size() - start - kRecordHeaderSize);
  std::memcpy(&(*out)[start + kLengthOffset], &len, 4);
  uint32_t crc =
      common::crc32c::Mask(common::crc32c::Value(out->data() + start + kTypeOffset, len + 1));
  std::memcpy(&(*out)[start + kCrcOffset], &crc, 4);
}

}  // namespace

void AppendSegmentHeader(std::string* out, uint64_t base_seq, int64_t created_ns) {
  size_t start = StartRecord(out, kSegmentHeader);
  PutFixed64(out, kSegmentMagic);
  PutFixed32(out, kFormatVersion);
  PutFixed64(out, base_seq);
  PutFixed64(out, static_cast<uint64_t>(created_ns));
  FinishRecord(out, start);
}

void AppendMessageRecord(std::string* out, uint64_t seq, int64_t ts, absl::string_view subject,
                         absl::string_view hdr, absl::string_view data) {
  size_t start = StartRecord(out, kMessage);
  PutFixed64(out, seq);
  PutFixed64(out, static_cast<uint64_t>(ts));
  PutFixed16(out, static_cast<uint16_t>(subject.size()));
  PutFixed32(out, static_cast<uint32_t>(hdr.size()));
  out->append(subject.data(), subject.size());
  out->append(hdr.data(), hdr.size());
  out->append(data.data(), data.size());
  FinishRecord(out, start);
}

void AppendSeqRecord(std::string* out, RecordType type, uint64_t seq) {
  size_t start = StartRecord(out, type);
  PutFixed64(out, seq);
  FinishRecord(out, start);
}

absl::Status ParseSegmentRecord(const char* buf, size_t n, SegmentRecord* out) {
  if (n < kRecordHeaderSize) {
    return StoreError(StoreErrc::kShortRead, absl::StrCat("record header needs ", kRecordHeaderSize,
                                                          " bytes, have ", n));
  }
  uint32_t len = Fixed32(buf + kLengthOffset);
  if (len > kMaxBodySize) {
    return StoreError(StoreErrc::kBadRecord, absl::StrCat("record length ", len, " too large"));
  }
  if (n < kRecordHeaderSize + len) {
    return StoreError(StoreErrc::kShortRead,
                      absl::StrCat("record needs ", kRecordHeaderSize + len, " bytes, have ", n));
  }
  uint32_t expected = common::crc32c::Unmask(Fixed32(buf + kCrcOffset));
  if (common::crc32c::Value(buf + kTypeOffset, len + 1) != expected) {
    return StoreError(StoreErrc::kChecksumMismatch, "record checksum mismatch");
  }
  const char* body = buf + kRecordHeaderSize;
  out->type = static_cast<RecordType>(static_cast<uint8_t>(buf[kTypeOffset]));
  out->total_size = kRecordHeaderSize + len;
  switch (out->type) {
    case kSegmentHeader:
      if (len != kSegmentHeaderBodySize || Fixed64(body) != kSegmentMagic ||
          Fixed32(body + 8) != kFormatVersion) {
        return StoreError(StoreErrc::kBadRecord, "bad segment header");
      }
      out->seq = Fixed64(body + 12);
      out->ts = static_cast<int64_t>(Fixed64(body + 20));
      return absl::OkStatus();
    case kMessage: {
      if (len < kMessageFixedSize) return StoreError(StoreErrc::kBadRecord, "short message body");
      out->seq = Fixed64(body);
      out->ts = static_cast<int64_t>(Fixed64(body + 8));
      size_t slen = Fixed16(body + 16);
      size_t hlen = Fixed32(body + 18);
      if (kMessageFixedSize + slen + hlen > len) {
        return StoreError(StoreErrc::kBadRecord, "message field lengths exceed body");
      }
      const char* p = body + kMessageFixedSize;
      out->subject = absl::string_view(p, slen);
      out->hdr = absl::string_view(p + slen, hlen);
      out->data = absl::string_view(p + slen + hlen, len - kMessageFixedSize - slen - hlen);
      return absl::OkStatus();
    }
    case kTombstone:
    case kPurgeBefore:
      if (len != kSeqBodySize) return StoreError(StoreErrc::kBadRecord, "bad sequence record");
      out->seq = Fixed64(body);
      return absl::OkStatus();
  }
  return StoreError(StoreErrc::kBadRecord, absl::StrCat("unknown record type ", int{buf[kTypeOffset]}));
}

}  // namespace jsengine::storesvc
