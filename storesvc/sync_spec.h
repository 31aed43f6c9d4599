// The store's durability setting from its command-line spelling
// (common/sync_spec.h): "always" or a duration such as "2m".
#ifndef JSENGINE_STORESVC_SYNC_SPEC_H_
#define JSENGINE_STORESVC_SYNC_SPEC_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/sync_spec.h"
#include "storesvc/store.h"

namespace jsengine::storesvc {

using common::kDefaultSyncSpec;

// Sets options->sync and options->sync_interval from `spec`.
absl::Status ApplySyncSpec(absl::string_view spec, StoreOptions* options);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SYNC_SPEC_H_
