#include "storesvc/sync_spec.h"

#include "common/status.h"

namespace jsengine::storesvc {

absl::Status ApplySyncSpec(absl::string_view spec, StoreOptions* options) {
  JSE_ASSIGN_OR_RETURN(const common::SyncSpec parsed, common::ParseSyncSpec(spec));
  options->sync = parsed.policy;
  if (parsed.policy == SyncPolicy::kInterval) options->sync_interval = parsed.interval;
  return absl::OkStatus();
}

}  // namespace jsengine::storesvc
