// Framed files: a whole file (a stream's or a consumer's configuration, a
// consumer's state snapshot) behind a header that says what it is and a
// checksum over all of it, so recovery tells a damaged or foreign file from a
// valid one. Integers are little-endian:
//
//   offset  size    field
//   0       8       magic (names the kind of file)
//   8       4       version
//   12      4       payload length
//   16      4       masked CRC-32C (crc32c::Mask) of bytes [0, 16) and the payload
//   20      length  payload
//
// The file must be exactly 20 + length bytes long.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_COMMON_FRAMED_FILE_H_
#define JSENGINE_COMMON_FRAMED_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

inline constexpr size_t kFrameHeaderSize = 20;

std::string EncodeFrame(uint64_t magic, uint32_t version, absl::string_view payload);

// The payload of `file` (a view into it) if it is framed with `magic` and
// `version`; otherwise a DataLoss error saying what is wrong ("bad magic",
// "checksum mismatch", ...).
absl::StatusOr<absl::string_view> DecodeFrame(absl::string_view file, uint64_t magic,
                                              uint32_t version);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_FRAMED_FILE_H_
