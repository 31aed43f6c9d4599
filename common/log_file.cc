#include "common/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace jsengine::common {

absl::StatusOr<std::unique_ptr<LogFile>> LogFile::Open(const std::string& path) {
  if (path.empty()) return nullptr;
  std::unique_ptr<LogFile> file(new LogFile(path));
  if (absl::Status s = file->Reopen(); !s.ok()) return s;
  return file;
}

absl::Status LogFile::Reopen() {
  const int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open log file ", path_, ": ", std::strerror(errno)));
  }
  std::fflush(stderr);
  const bool moved = dup2(fd, STDERR_FILENO) >= 0;
  const int err = errno;
  close(fd);
  if (!moved) {
    return absl::InternalError(
        absl::StrCat("cannot redirect stderr to ", path_, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace jsengine::common
