// The store's durability setting as written on command lines, in nats-server
// 2.10's `sync_interval` spelling: "always" (fsync before every ack, by group
// commit) or a duration such as "2m" or "30s" (ack after write(2), fsync on
// that interval; nats-server's default is 2 minutes).
#ifndef JSENGINE_STORESVC_SYNC_SPEC_H_
#define JSENGINE_STORESVC_SYNC_SPEC_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storesvc/store.h"

namespace jsengine::storesvc {

inline constexpr absl::string_view kDefaultSyncSpec = "2m";

// Sets options->sync and options->sync_interval from `spec`.
absl::Status ApplySyncSpec(absl::string_view spec, StoreOptions* options);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SYNC_SPEC_H_
