// FileLock: an exclusive flock(2) on a file, held until the FileLock is
// destroyed; how a service makes sure that it alone uses a data directory.
// The lock is per open file, so a second FileLock on the same path fails even
// in the same process.
//
// Thread-safety: a FileLock is immutable.
#ifndef JSENGINE_COMMON_FILE_LOCK_H_
#define JSENGINE_COMMON_FILE_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace jsengine::common {

class FileLock {
 public:
  // Locks `path`, creating the file if needed. FailedPrecondition when
  // somebody holds it; Internal when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();

  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  const int fd_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_FILE_LOCK_H_
