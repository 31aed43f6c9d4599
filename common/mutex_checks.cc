#include "common/mutex_checks.h"

#include "absl/synchronization/mutex.h"

namespace jsengine {

void SkipMutexDeadlockChecks() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace jsengine
