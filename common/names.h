// Names of streams and consumers as nats-server accepts them, and the page
// sizes of the JetStream API's NAMES and LIST requests: one place for the
// rules every service and the gateway apply.
//
//   if (absl::Status s = CheckStreamName(name); !s.ok()) return s;
//
// Thread-safe: constants and pure functions.
#ifndef JSENGINE_COMMON_NAMES_H_
#define JSENGINE_COMMON_NAMES_H_

#include <string_view>

#include "absl/status/status.h"

namespace jsengine::common {

inline constexpr size_t kMaxNameLen = 255;  // nats-server JSMaxNameLen.

// Items in one page of a LIST / NAMES reply (JSApiListLimit, JSApiNamesLimit).
inline constexpr int kListLimit = 256;
inline constexpr int kNamesLimit = 1024;

// nats-server's isValidName: non-empty, no whitespace, '.', '*' or '>'.
bool IsValidName(std::string_view name);

// The checks nats-server makes on a stream name before its configuration:
// the characters of IsValidName, then the length; both 10052 "invalid stream
// config". (Path separators, 10128, are checked apart: where depends on the
// request.)
absl::Status CheckStreamName(std::string_view name);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_NAMES_H_
