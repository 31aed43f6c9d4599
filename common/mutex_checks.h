// Abseil Mutex checking in the shipped binaries.
//
// Debian builds libabsl without NDEBUG, so every absl::Mutex acquisition
// records the lock order in a process-wide graph and searches it for cycles
// (absl's debug deadlock detection). On a three-process synchronous publish
// that cost ~8 us of ~160 us here. The service binaries and benchmarks call
// SkipMutexDeadlockChecks() first thing in main(), before any thread starts;
// tests keep the checks.
#ifndef JSENGINE_COMMON_MUTEX_CHECKS_H_
#define JSENGINE_COMMON_MUTEX_CHECKS_H_

namespace jsengine::common {

void SkipMutexDeadlockChecks();

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_MUTEX_CHECKS_H_
