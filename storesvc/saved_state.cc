#include "storesvc/saved_state.h"

#include "common/crc32c.h"
#include "storesvc/file_format.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT

namespace {

constexpr size_t kSegmentEntrySize = 40;
constexpr size_t kStateSize = 56;

}  // namespace

std::string EncodeSavedState(const SavedState& saved) {
  std::string out;
  PutFixed64(&out, kSavedStateMagic);
  PutFixed32(&out, kSavedStateVersion);
  PutFixed32(&out, static_cast<uint32_t>(saved.segments.size()));
  for (const SavedState::Segment& s : saved.segments) {
    PutFixed32(&out, s.id);
    PutFixed64(&out, s.size);
    PutFixed32(&out, s.tail_crc);
    PutFixed64(&out, s.base_seq);
    PutFixed64(&out, s.max_seq);
    PutFixed64(&out, s.live_bytes);
  }
  const StoreState& st = saved.state;
  PutFixed64(&out, st.msgs);
  PutFixed64(&out, st.bytes);
  PutFixed64(&out, st.first_seq);
  PutFixed64(&out, static_cast<uint64_t>(st.first_ts));
  PutFixed64(&out, st.last_seq);
  PutFixed64(&out, static_cast<uint64_t>(st.last_ts));
  PutFixed64(&out, st.num_deleted);
  PutFixed32(&out, static_cast<uint32_t>(saved.subjects.size()));
  for (const auto& [subject, count] : saved.subjects) {
    PutFixed64(&out, count);
    PutFixed16(&out, static_cast<uint16_t>(subject.size()));
    out.append(subject);
  }
  PutFixed32(&out, common::crc32c::Mask(common::crc32c::Value(out.data(), out.size())));
  return out;
}

bool DecodeSavedState(absl::string_view file, SavedState* saved) {
  if (file.size() < 20) return false;
  const char* p = file.data();
  const size_t body = file.size() - 4;
  if (common::crc32c::Unmask(Fixed32(p + body)) != common::crc32c::Value(p, body)) return false;
  if (Fixed64(p) != kSavedStateMagic || Fixed32(p + 8) != kSavedStateVersion) return false;
  SavedState out;
  const uint32_t nsegs = Fixed32(p + 12);
  size_t off = 16;
  if ((body - off) / kSegmentEntrySize < nsegs) return false;
  for (uint32_t i = 0; i < nsegs; ++i, off += kSegmentEntrySize) {
    SavedState::Segment s;
    s.id = Fixed32(p + off);
    s.size = Fixed64(p + off + 4);
    s.tail_crc = Fixed32(p + off + 12);
    s.base_seq = Fixed64(p + off + 16);
    s.max_seq = Fixed64(p + off + 24);
    s.live_bytes = Fixed64(p + off + 32);
    if (!out.segments.empty() && s.id <= out.segments.back().id) return false;
    out.segments.push_back(s);
  }
  if (body - off < kStateSize + 4) return false;
  StoreState& st = out.state;
  st.msgs = Fixed64(p + off);
  st.bytes = Fixed64(p + off + 8);
  st.first_seq = Fixed64(p + off + 16);
  st.first_ts = static_cast<int64_t>(Fixed64(p + off + 24));
  st.last_seq = Fixed64(p + off + 32);
  st.last_ts = static_cast<int64_t>(Fixed64(p + off + 40));
  st.num_deleted = Fixed64(p + off + 48);
  off += kStateSize;
  const uint32_t nsubjects = Fixed32(p + off);
  off += 4;
  uint64_t total = 0;
  for (uint32_t i = 0; i < nsubjects; ++i) {
    if (body - off < 10) return false;
    const uint64_t count = Fixed64(p + off);
    const size_t len = Fixed16(p + off + 8);
    off += 10;
    if (body - off < len || count == 0) return false;
    out.subjects.emplace_back(std::string(p + off, len), count);
    off += len;
    total += count;
  }
  if (off != body || total != st.msgs) return false;
  st.num_subjects = nsubjects;
  *saved = std::move(out);
  return true;
}

}  // namespace jsengine::storesvc
