#include "storesvc/sync_spec.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace jsengine::storesvc {

absl::Status ApplySyncSpec(absl::string_view spec, StoreOptions* options) {
  if (spec == "always") {
    options->sync = SyncPolicy::kAlways;
    return absl::OkStatus();
  }
  absl::Duration interval;
  if (!absl::ParseDuration(spec, &interval) || interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sync must be \"always\" or a positive duration such as \"2m\", got \"", spec, "\""));
  }
  options->sync = SyncPolicy::kInterval;
  options->sync_interval = interval;
  return absl::OkStatus();
}

}  // namespace jsengine::storesvc
