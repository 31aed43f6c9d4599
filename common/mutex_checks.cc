#include "common/mutex_checks.h"

#include "absl/synchronization/mutex.h"

namespace jsengine::common {

void SkipMutexDeadlockChecks() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace jsengine::common
