#include "storesvc/segment_record.h"

#include <snappy.h>

#include "absl/strings/str_cat.h"
#include "common/checksummed_record.h"
#include "storesvc/store_error.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT: the format's names read best bare here.

void AppendSegmentHeader(std::string* out, uint64_t base_seq, int64_t created_ns) {
  size_t start = common::StartRecord(out, kSegmentHeader);
  PutFixed64(out, kSegmentMagic);
  PutFixed32(out, kFormatVersion);
  PutFixed64(out, base_seq);
  PutFixed64(out, static_cast<uint64_t>(created_ns));
  common::FinishRecord(out, start);
}

void AppendMessageRecord(std::string* out, uint64_t seq, int64_t ts, absl::string_view subject,
                         absl::string_view hdr, absl::string_view data, bool compress) {
  std::string packed;
  uint32_t hdr_len = static_cast<uint32_t>(hdr.size());
  if (compress && !data.empty()) {
    snappy::Compress(data.data(), data.size(), &packed);
    if (packed.size() < data.size()) {
      data = packed;
      hdr_len |= kDataCompressed;
    }
  }
  size_t start = common::StartRecord(out, kMessage);
  PutFixed64(out, seq);
  PutFixed64(out, static_cast<uint64_t>(ts));
  PutFixed16(out, static_cast<uint16_t>(subject.size()));
  PutFixed32(out, hdr_len);
  out->append(subject.data(), subject.size());
  out->append(hdr.data(), hdr.size());
  out->append(data.data(), data.size());
  common::FinishRecord(out, start);
}

void AppendSeqRecord(std::string* out, RecordType type, uint64_t seq) {
  size_t start = common::StartRecord(out, type);
  PutFixed64(out, seq);
  common::FinishRecord(out, start);
}

absl::Status ParseSegmentRecord(const char* buf, size_t n, SegmentRecord* out) {
  common::RecordView rec;
  switch (common::ReadRecord(absl::string_view(buf, n), kMaxBodySize, &rec)) {
    case common::RecordStatus::kOk:
      break;
    case common::RecordStatus::kShort:
      return StoreError(
          StoreErrc::kShortRead,
          n < kRecordHeaderSize
              ? absl::StrCat("record header needs ", kRecordHeaderSize, " bytes, have ", n)
              : absl::StrCat("record needs ", rec.size, " bytes, have ", n));
    case common::RecordStatus::kTooLarge:
      return StoreError(StoreErrc::kBadRecord,
                        absl::StrCat("record length ", rec.size - kRecordHeaderSize, " too large"));
    case common::RecordStatus::kChecksumMismatch:
      return StoreError(StoreErrc::kChecksumMismatch, "record checksum mismatch");
  }
  const size_t len = rec.body.size();
  const char* body = rec.body.data();
  out->type = static_cast<RecordType>(rec.type);
  out->total_size = rec.size;
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
      const uint32_t hdr_len = Fixed32(body + 18);
      size_t hlen = hdr_len & ~kDataCompressed;
      out->compressed = (hdr_len & kDataCompressed) != 0;
      if (kMessageFixedSize + slen + hlen > len) {
        return StoreError(StoreErrc::kBadRecord, "message field lengths exceed body");
      }
      const char* p = body + kMessageFixedSize;
      out->subject = absl::string_view(p, slen);
      out->hdr = absl::string_view(p + slen, hlen);
      out->data = absl::string_view(p + slen + hlen, len - kMessageFixedSize - slen - hlen);
      out->data_size = out->data.size();
      if (out->compressed &&
          !snappy::GetUncompressedLength(out->data.data(), out->data.size(), &out->data_size)) {
        return StoreError(StoreErrc::kBadRecord, "bad compressed message data");
      }
      return absl::OkStatus();
    }
    case kTombstone:
    case kPurgeBefore:
      if (len != kSeqBodySize) return StoreError(StoreErrc::kBadRecord, "bad sequence record");
      out->seq = Fixed64(body);
      return absl::OkStatus();
  }
  return StoreError(StoreErrc::kBadRecord, absl::StrCat("unknown record type ", int{rec.type}));
}

absl::Status RecordData(const SegmentRecord& rec, std::string* out) {
  if (!rec.compressed) {
    out->assign(rec.data.data(), rec.data.size());
    return absl::OkStatus();
  }
  if (!snappy::Uncompress(rec.data.data(), rec.data.size(), out)) {
    return StoreError(StoreErrc::kBadRecord, "bad compressed message data");
  }
  return absl::OkStatus();
}

uint32_t FileMsgSize(size_t subject, size_t hdr, size_t data) {
  size_t n = 22 + subject + data + 8;
  if (hdr > 0) n += 4 + hdr;
  return static_cast<uint32_t>(n);
}

uint32_t RecordMsgSize(const SegmentRecord& rec) {
  return FileMsgSize(rec.subject.size(), rec.hdr.size(), rec.data_size);
}

}  // namespace jsengine::storesvc
