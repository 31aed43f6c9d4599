#include "common/framed_file.h"

#include "absl/strings/str_cat.h"
#include "common/coding.h"
#include "common/crc32c.h"

namespace jsengine::common {
namespace {

constexpr size_t kVersionOffset = 8;
constexpr size_t kLengthOffset = 12;
constexpr size_t kCrcOffset = 16;

uint32_t FrameCrc(const char* header, absl::string_view payload) {
  return crc32c::Extend(crc32c::Value(header, kCrcOffset), payload.data(), payload.size());
}

}  // namespace

std::string EncodeFrame(uint64_t magic, uint32_t version, absl::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderSize + payload.size());
  PutFixed64(&out, magic);
  PutFixed32(&out, version);
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  PutFixed32(&out, crc32c::Mask(FrameCrc(out.data(), payload)));
  out.append(payload.data(), payload.size());
  return out;
}

absl::StatusOr<absl::string_view> DecodeFrame(absl::string_view file, uint64_t magic,
                                              uint32_t version) {
  if (file.size() < kFrameHeaderSize) return absl::DataLossError("truncated header");
  const char* p = file.data();
  if (Fixed64(p) != magic) return absl::DataLossError("bad magic");
  if (Fixed32(p + kVersionOffset) != version) {
    return absl::DataLossError(absl::StrCat("unknown version ", Fixed32(p + kVersionOffset)));
  }
  const absl::string_view payload = file.substr(kFrameHeaderSize);
  if (Fixed32(p + kLengthOffset) != payload.size()) {
    return absl::DataLossError(absl::StrCat("length ", Fixed32(p + kLengthOffset), " but ",
                                            payload.size(), " payload bytes"));
  }
  if (crc32c::Unmask(Fixed32(p + kCrcOffset)) != FrameCrc(p, payload)) {
    return absl::DataLossError("checksum mismatch");
  }
  return payload;
}

}  // namespace jsengine::common
