#include "storesvc/stream_meta.h"

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/framed_file.h"
#include "storesvc/store_error.h"

namespace jsengine::storesvc {
namespace {

absl::Status BadMeta(absl::string_view what) { return StoreError(StoreErrc::kBadMeta, what); }

absl::StatusOr<v1::StreamInfo> Parse(absl::string_view payload, absl::string_view name) {
  v1::StreamInfo info;
  if (!info.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return BadMeta("not a StreamInfo");
  }
  if (info.config().name() != name) {
    return BadMeta(absl::StrCat("names stream \"", info.config().name(), "\""));
  }
  return info;
}

}  // namespace

std::string EncodeStreamMeta(const v1::StreamInfo& info) {
  return common::EncodeFrame(kStreamMetaMagic, kStreamMetaVersion, info.SerializeAsString());
}

absl::StatusOr<v1::StreamInfo> DecodeStreamMeta(absl::string_view file, absl::string_view name) {
  if (file.empty()) return BadMeta("empty");
  if (file[0] == kUnframedStreamMetaTag) return Parse(file, name);
  absl::StatusOr<absl::string_view> payload =
      common::DecodeFrame(file, kStreamMetaMagic, kStreamMetaVersion);
  if (!payload.ok()) return BadMeta(payload.status().message());
  return Parse(*payload, name);
}

absl::StatusOr<v1::StreamInfo> ReadStreamMeta(const std::string& path, absl::string_view name,
                                              common::FileIo* io) {
  absl::StatusOr<std::string> file = common::ReadFile(path, io);
  if (absl::IsNotFound(file.status())) return BadMeta(absl::StrCat(path, " is missing"));
  if (!file.ok()) return StoreError(StoreErrc::kIo, file.status().message());
  absl::StatusOr<v1::StreamInfo> info = DecodeStreamMeta(*file, name);
  if (!info.ok()) return BadMeta(absl::StrCat(path, ": ", info.status().message()));
  return info;
}

}  // namespace jsengine::storesvc
