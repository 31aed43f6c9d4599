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

// Whether `name` holds '/' or '\', which nats-server refuses in names that
// become file names (10127 for consumers, 10128 for streams).
bool HasPathSeparator(std::string_view name);

// nats-server's check on a consumer name taken from a request subject
// ($JS.API.CONSUMER.CREATE.<stream>.<name>, CONSUMER.DURABLE.CREATE...):
// 10127 when it holds a path separator.
absl::Status CheckConsumerNameInSubject(std::string_view name);

// The checks nats-server makes on the name of a consumer it is about to
// create, after its configuration: a durable name longer than kMaxNameLen is
// 10102 (an ephemeral's length is not checked), then the characters of
// IsValidName, 10103 "durable name can not contain '.', '*', '>'" for either.
absl::Status CheckConsumerName(std::string_view name, bool durable);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_NAMES_H_
