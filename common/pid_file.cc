#include "common/pid_file.h"

#include <unistd.h>

#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/durable_file.h"

namespace jsengine::common {

absl::StatusOr<std::unique_ptr<PidFile>> PidFile::Write(const std::string& path) {
  if (path.empty()) return nullptr;
  if (absl::Status s = WriteFileAtomically(path, absl::StrCat(getpid())); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot write pid file: ", s.message()));
  }
  return std::unique_ptr<PidFile>(new PidFile(path));
}

PidFile::~PidFile() { std::remove(path_.c_str()); }

}  // namespace jsengine::common
