// Parsers for the values a jsm user types, as a flag or as an answer to a
// prompt. Each returns InvalidArgument naming what it could not read.
//
//   ParseSize("1MiB") == 1048576     ParseAge("2d") == 48h
//   ParseLimits("1000, 1MB, 1h")     the seed's "Limits (msgs, bytes, age)"
//
// Thread-safety: stateless.
#ifndef JSENGINE_TOOLS_JSM_VALUES_H_
#define JSENGINE_TOOLS_JSM_VALUES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"

namespace jsengine::tools::jsm {

// A message count: a whole number, -1 (or "unlimited") for no limit.
absl::StatusOr<int64_t> ParseCount(absl::string_view text);

// A byte size: a whole number with an optional unit (B, K/KB, M/MB, G/GB,
// T/TB powers of 1000; KiB, MiB, GiB, TiB powers of 1024); -1 or "unlimited"
// for no limit.
absl::StatusOr<int64_t> ParseSize(absl::string_view text);

// An age: a Go duration ("90s", "1h30m") or a whole number of days
// ("2d"), months of 30 days ("1M") or years of 365 days ("1y"), as the seed's
// jsm read them; "" or "0" or "unlimited": no limit (zero).
absl::StatusOr<absl::Duration> ParseAge(absl::string_view text);

// A call timeout: a duration ("5s", "500ms") or a number of seconds.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text);

// Subjects separated by commas, spaces or tabs.
std::vector<std::string> ParseSubjects(absl::string_view text);

struct Limits {
  int64_t max_msgs = -1;
  int64_t max_bytes = -1;
  absl::Duration max_age = absl::ZeroDuration();
};

// "msgs, bytes, age", separated by commas, tabs or spaces; missing ones and
// an empty answer: unlimited.
absl::StatusOr<Limits> ParseLimits(absl::string_view text);

// "file" or "memory" (any prefix of either; "" is file).
absl::StatusOr<v1::StorageType> ParseStorage(absl::string_view text);
// "limits", "interest" or "workqueue" ("" is limits).
absl::StatusOr<v1::RetentionPolicy> ParseRetention(absl::string_view text);
// "none", "all" or "explicit" ("" is none, as the seed's prompt defaults).
absl::StatusOr<v1::AckPolicy> ParseAckPolicy(absl::string_view text);
// "instant" or "original" ("" is instant).
absl::StatusOr<v1::ReplayPolicy> ParseReplayPolicy(absl::string_view text);
// y/yes/true/1 or n/no/false/0, any case; "" is `default_answer`.
absl::StatusOr<bool> ParseYesNo(absl::string_view text, bool default_answer);

// The names jsm prints for the enums above.
std::string StorageName(v1::StorageType storage);
std::string RetentionName(v1::RetentionPolicy retention);
std::string AckPolicyName(v1::AckPolicy ack);
std::string ReplayPolicyName(v1::ReplayPolicy replay);
std::string DeliverPolicyName(v1::DeliverPolicy deliver);

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_VALUES_H_
