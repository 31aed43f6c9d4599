#include "storesvc/seq_mark.h"

#include "common/coding.h"
#include "common/framed_file.h"
#include "storesvc/file_format.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT

namespace {

constexpr size_t kPayloadSize = 4 + 8 + 8;

}  // namespace

std::string EncodeSeqMark(const SeqMark& mark) {
  std::string payload;
  PutFixed32(&payload, mark.oldest_id);
  PutFixed64(&payload, mark.first_seq);
  PutFixed64(&payload, mark.last_seq);
  return common::EncodeFrame(kSeqMarkMagic, kSeqMarkVersion, payload);
}

std::optional<SeqMark> DecodeSeqMark(absl::string_view file) {
  absl::StatusOr<absl::string_view> payload =
      common::DecodeFrame(file, kSeqMarkMagic, kSeqMarkVersion);
  if (!payload.ok() || payload->size() != kPayloadSize) return std::nullopt;
  SeqMark mark;
  mark.oldest_id = Fixed32(payload->data());
  mark.first_seq = Fixed64(payload->data() + 4);
  mark.last_seq = Fixed64(payload->data() + 12);
  return mark;
}

}  // namespace jsengine::storesvc
