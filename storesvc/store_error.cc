#include "storesvc/store_error.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace jsengine::storesvc {
namespace {

constexpr absl::string_view kPayloadUrl = "jsengine.storesvc/StoreErrc";

absl::StatusCode CodeOf(StoreErrc errc) {
  switch (errc) {
    case StoreErrc::kChecksumMismatch:
    case StoreErrc::kShortRead:
    case StoreErrc::kBadRecord:
    case StoreErrc::kBadMeta:
      return absl::StatusCode::kDataLoss;
    case StoreErrc::kIo:
      return absl::StatusCode::kInternal;
    case StoreErrc::kNoSpace:
      return absl::StatusCode::kResourceExhausted;
    case StoreErrc::kNotFound:
      return absl::StatusCode::kNotFound;
    case StoreErrc::kClosed:
      return absl::StatusCode::kUnavailable;
    case StoreErrc::kMaxMsgs:
    case StoreErrc::kMaxBytes:
    case StoreErrc::kMaxMsgsPerSubject:
      return absl::StatusCode::kResourceExhausted;
  }
  return absl::StatusCode::kUnknown;
}

}  // namespace

absl::string_view StoreErrcName(StoreErrc errc) {
  switch (errc) {
    case StoreErrc::kChecksumMismatch:
      return "checksum_mismatch";
    case StoreErrc::kShortRead:
      return "short_read";
    case StoreErrc::kBadRecord:
      return "bad_record";
    case StoreErrc::kBadMeta:
      return "bad_meta";
    case StoreErrc::kIo:
      return "io_error";
    case StoreErrc::kNoSpace:
      return "no_space";
    case StoreErrc::kNotFound:
      return "not_found";
    case StoreErrc::kClosed:
      return "closed";
    case StoreErrc::kMaxMsgs:
      return "max_msgs";
    case StoreErrc::kMaxBytes:
      return "max_bytes";
    case StoreErrc::kMaxMsgsPerSubject:
      return "max_msgs_per_subject";
  }
  return "unknown";
}

absl::Status StoreError(StoreErrc errc, absl::string_view detail) {
  absl::Status status(CodeOf(errc), detail);
  status.SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(static_cast<int>(errc))));
  return status;
}

std::optional<StoreErrc> StoreErrorOf(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);
  int value = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &value)) {
    return std::nullopt;
  }
  return static_cast<StoreErrc>(value);
}

}  // namespace jsengine::storesvc
