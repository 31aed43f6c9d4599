// Named failure modes of the storage engine, so recovery, tests and logs can
// tell a checksum mismatch from a short read. StoreError() wraps one in an
// absl::Status (the code says how callers should react; the payload keeps the
// exact kind); StoreErrorOf() reads it back.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_STORESVC_STORE_ERROR_H_
#define JSENGINE_STORESVC_STORE_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include <optional>

namespace jsengine::storesvc {

enum class StoreErrc {
  kChecksumMismatch,  // A record's CRC does not match its bytes.
  kShortRead,         // The file ends inside a record.
  kBadRecord,         // A record's header or body is malformed.
  kBadMeta,           // A stream's meta file is missing, damaged or names another stream.
  kIo,                // The OS refused a read, write, sync or rename.
  kNoSpace,           // A write failed for want of space (ENOSPC, EDQUOT).
  kNotFound,          // No such message.
  kClosed,            // The store was closed.
  kMaxMsgs,           // Discard-new limits refused the message.
  kMaxBytes,
  kMaxMsgsPerSubject,
};

absl::string_view StoreErrcName(StoreErrc errc);

absl::Status StoreError(StoreErrc errc, absl::string_view detail);

// The kind of a status made by StoreError(), or nullopt.
std::optional<StoreErrc> StoreErrorOf(const absl::Status& status);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STORE_ERROR_H_
