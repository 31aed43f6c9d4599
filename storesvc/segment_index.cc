#include "storesvc/segment_index.h"

#include "common/crc32c.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT

namespace {

constexpr uint32_t kHeaderKind = 0xffffffffu;
constexpr uint32_t kTombstoneKind = 0xfffffffeu;
constexpr uint32_t kPurgeBeforeKind = 0xfffffffdu;
constexpr size_t kFileHeaderSize = 40;
constexpr size_t kRecordSize = 32;
// EncodeTo() hands out the file in pieces of about this size.
constexpr size_t kEncodeChunk = 64 * 1024;

}  // namespace

void SegmentIndex::AddHeader(uint64_t base_seq, uint64_t offset) {
  Record r;
  r.type = kSegmentHeader;
  r.seq = base_seq;
  r.offset = offset;
  records_.push_back(r);
}

void SegmentIndex::AddMessage(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size,
                              uint64_t offset) {
  auto [it, inserted] = subject_ids_.try_emplace(subject, static_cast<uint32_t>(subjects_.size()));
  if (inserted) subjects_.emplace_back(subject);
  Record r;
  r.seq = seq;
  r.ts = ts;
  r.offset = offset;
  r.subject = it->second;
  r.size = size;
  records_.push_back(r);
}

void SegmentIndex::AddSeqRecord(RecordType type, uint64_t seq, uint64_t offset) {
  Record r;
  r.type = type;
  r.seq = seq;
  r.offset = offset;
  records_.push_back(r);
}

bool SegmentIndex::EncodeTo(uint32_t segment_id, uint64_t covered_size, uint32_t tail_crc,
                            const std::function<bool(absl::string_view)>& write) const {
  std::string out;
  out.reserve(kEncodeChunk + kRecordSize);
  uint32_t crc = 0;
  auto flush = [&]() {
    crc = common::crc32c::Extend(crc, out.data(), out.size());
    const bool ok = write(out);
    out.clear();
    return ok;
  };
  PutFixed64(&out, kSegmentIndexMagic);
  PutFixed32(&out, kSegmentIndexVersion);
  PutFixed32(&out, segment_id);
  PutFixed64(&out, covered_size);
  PutFixed32(&out, tail_crc);
  PutFixed32(&out, static_cast<uint32_t>(subjects_.size()));
  PutFixed64(&out, records_.size());
  for (const std::string& s : subjects_) {
    PutFixed16(&out, static_cast<uint16_t>(s.size()));
    out.append(s);
    if (out.size() >= kEncodeChunk && !flush()) return false;
  }
  for (const Record& r : records_) {
    PutFixed64(&out, r.seq);
    PutFixed64(&out, static_cast<uint64_t>(r.ts));
    PutFixed64(&out, r.offset);
    PutFixed32(&out, r.size);
    uint32_t kind = r.subject;
    if (r.type == kSegmentHeader) kind = kHeaderKind;
    if (r.type == kTombstone) kind = kTombstoneKind;
    if (r.type == kPurgeBefore) kind = kPurgeBeforeKind;
    PutFixed32(&out, kind);
    if (out.size() >= kEncodeChunk && !flush()) return false;
  }
  crc = common::crc32c::Extend(crc, out.data(), out.size());
  PutFixed32(&out, common::crc32c::Mask(crc));
  return write(out);
}

std::string SegmentIndex::Encode(uint32_t segment_id, uint64_t covered_size,
                                 uint32_t tail_crc) const {
  std::string file;
  EncodeTo(segment_id, covered_size, tail_crc, [&file](absl::string_view chunk) {
    file.append(chunk.data(), chunk.size());
    return true;
  });
  return file;
}

bool SegmentIndex::Decode(absl::string_view file, uint32_t segment_id) {
  if (file.size() < kFileHeaderSize + 4) return false;
  const char* p = file.data();
  const size_t body = file.size() - 4;
  if (common::crc32c::Unmask(Fixed32(p + body)) != common::crc32c::Value(p, body)) return false;
  if (Fixed64(p) != kSegmentIndexMagic || Fixed32(p + 8) != kSegmentIndexVersion ||
      Fixed32(p + 12) != segment_id) {
    return false;
  }
  SegmentIndex idx;
  idx.covered_size_ = Fixed64(p + 16);
  idx.tail_crc_ = Fixed32(p + 24);
  const uint32_t nsubjects = Fixed32(p + 28);
  const uint64_t nrecords = Fixed64(p + 32);
  size_t off = kFileHeaderSize;
  for (uint32_t i = 0; i < nsubjects; ++i) {
    if (body - off < 2) return false;
    const size_t len = Fixed16(p + off);
    off += 2;
    if (body - off < len) return false;
    auto [it, inserted] = idx.subject_ids_.try_emplace(absl::string_view(p + off, len), i);
    if (!inserted) return false;
    idx.subjects_.emplace_back(p + off, len);
    off += len;
  }
  if ((body - off) / kRecordSize != nrecords || (body - off) % kRecordSize != 0) return false;
  idx.records_.resize(nrecords);
  for (Record& r : idx.records_) {
    r.seq = Fixed64(p + off);
    r.ts = static_cast<int64_t>(Fixed64(p + off + 8));
    r.offset = Fixed64(p + off + 16);
    r.size = Fixed32(p + off + 24);
    const uint32_t kind = Fixed32(p + off + 28);
    off += kRecordSize;
    if (r.offset >= idx.covered_size_) return false;
    switch (kind) {
      case kHeaderKind:
        r.type = kSegmentHeader;
        break;
      case kTombstoneKind:
        r.type = kTombstone;
        break;
      case kPurgeBeforeKind:
        r.type = kPurgeBefore;
        break;
      default:
        if (kind >= nsubjects) return false;
        r.type = kMessage;
        r.subject = kind;
    }
  }
  *this = std::move(idx);
  return true;
}

}  // namespace jsengine::storesvc
