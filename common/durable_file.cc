#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace jsengine::common {
namespace {

absl::Status Errno(absl::string_view op, const std::string& path) {
  const int err = errno;
  std::string message = absl::StrCat(op, " ", path, ": ", std::strerror(err));
  return err == ENOENT ? absl::NotFoundError(message) : absl::InternalError(message);
}

absl::Status Internal(absl::Status status) {
  return status.ok() || !absl::IsNotFound(status) ? status : absl::InternalError(status.message());
}

}  // namespace

absl::Status WriteFully(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status SyncPath(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal(Errno("open", path));
  const int rc = fsync(fd);
  absl::Status status = rc == 0 ? absl::OkStatus() : Internal(Errno("fsync", path));
  close(fd);
  return status;
}

std::string ParentDir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  std::string file;
  // Room for the whole file at once: growing by doubling would need up to
  // three times its size while copying.
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) file.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const absl::Status status = Internal(Errno("read", path));
      close(fd);
      return status;
    }
    file.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return file;
}

absl::Status WriteFileSynced(const std::string& path, absl::string_view contents) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal(Errno("open", path));
  absl::Status status = WriteFully(fd, contents, path);
  if (status.ok() && fsync(fd) != 0) status = Errno("fsync", path);
  close(fd);
  return Internal(status);
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  const std::string tmp = path + ".tmp";
  absl::Status status = WriteFileSynced(tmp, contents);
  if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0)
    status = Internal(Errno("rename", tmp));
  if (!status.ok()) {
    unlink(tmp.c_str());
    return status;
  }
  return SyncPath(ParentDir(path));
}

absl::Status CreateDirsDurably(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::InternalError(absl::StrCat(dir, " exists and is not a directory"));
  }
  const std::string parent = ParentDir(dir);
  if (parent != dir) {
    if (absl::Status status = CreateDirsDurably(parent); !status.ok()) return status;
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Internal(Errno("mkdir", dir));
  return SyncPath(parent);
}

absl::Status RenameDurably(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) != 0) {
    return Internal(Errno("rename", absl::StrCat(from, " to ", to)));
  }
  const std::string to_dir = ParentDir(to);
  const std::string from_dir = ParentDir(from);
  if (absl::Status status = SyncPath(to_dir); !status.ok()) return status;
  return from_dir == to_dir ? absl::OkStatus() : SyncPath(from_dir);
}

}  // namespace jsengine::common
