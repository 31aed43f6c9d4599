#include "common/sync_spec.h"

#include "absl/strings/str_cat.h"

namespace jsengine::common {

absl::StatusOr<SyncSpec> ParseSyncSpec(absl::string_view spec) {
  SyncSpec out;
  if (spec == "always") {
    out.policy = SyncPolicy::kAlways;
    return out;
  }
  if (!absl::ParseDuration(spec, &out.interval) || out.interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sync must be \"always\" or a positive duration such as \"2m\", got \"", spec, "\""));
  }
  return out;
}

}  // namespace jsengine::common
