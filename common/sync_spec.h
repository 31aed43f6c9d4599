// When a service makes its writes durable, as written on command lines in
// nats-server 2.10's `sync_interval` spelling: "always" (fsync before every
// acknowledgement, by group commit) or a duration such as "2m" or "30s"
// (acknowledge after write(2), fsync on that interval; nats-server's default
// is 2 minutes). The store and the consumer state store share it.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_COMMON_SYNC_SPEC_H_
#define JSENGINE_COMMON_SYNC_SPEC_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace jsengine::common {

enum class SyncPolicy {
  kAlways,    // No acknowledgement before the write is fsynced (group commit).
  kInterval,  // Acknowledge after write(2); fsync every interval.
};

struct SyncSpec {
  SyncPolicy policy = SyncPolicy::kInterval;
  absl::Duration interval = absl::Minutes(2);  // For kInterval.
};

inline constexpr absl::string_view kDefaultSyncSpec = "2m";

// The spec `spec` names; InvalidArgument for anything but "always" or a
// positive duration.
absl::StatusOr<SyncSpec> ParseSyncSpec(absl::string_view spec);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SYNC_SPEC_H_
