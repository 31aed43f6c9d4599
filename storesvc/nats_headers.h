// Reads values out of a raw NATS header block as published:
//
//   NATS/1.0[ <status>[ <description>]]\r\n
//   Key: Value\r\n
//   ...\r\n
//   \r\n
//
// Keys match case-sensitively (as nats-server's getHeader does); the value is
// trimmed of surrounding spaces and tabs; the first occurrence wins. A block
// that does not start with "NATS/1.0" has no headers.
//
//   std::optional<absl::string_view> id = FindHeader(hdr, "Nats-Msg-Id");
//
// Thread-safe: pure functions; results point into the caller's buffer.
#ifndef JSENGINE_STORESVC_NATS_HEADERS_H_
#define JSENGINE_STORESVC_NATS_HEADERS_H_

#include "absl/strings/string_view.h"
#include <optional>

namespace jsengine::storesvc {

inline constexpr absl::string_view kMsgIdHeader = "Nats-Msg-Id";
inline constexpr absl::string_view kExpectedStreamHeader = "Nats-Expected-Stream";
inline constexpr absl::string_view kExpectedLastSeqHeader = "Nats-Expected-Last-Sequence";
inline constexpr absl::string_view kExpectedLastSubjSeqHeader =
    "Nats-Expected-Last-Subject-Sequence";
inline constexpr absl::string_view kExpectedLastMsgIdHeader = "Nats-Expected-Last-Msg-Id";
inline constexpr absl::string_view kRollupHeader = "Nats-Rollup";
inline constexpr absl::string_view kRollupSubject = "sub";
inline constexpr absl::string_view kRollupAll = "all";

// The value of header `key` in `block`, or nullopt when absent.
std::optional<absl::string_view> FindHeader(absl::string_view block, absl::string_view key);

// The header's value as an unsigned decimal; nullopt when absent or empty.
// A value that is not all decimal digits reads as UINT64_MAX, which matches
// no sequence: nats-server parses it as -1 and still checks the expectation.
std::optional<uint64_t> FindUintHeader(absl::string_view block, absl::string_view key);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_NATS_HEADERS_H_
