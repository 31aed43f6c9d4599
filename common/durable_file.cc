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

FileIo* Or(FileIo* io) { return io != nullptr ? io : FileIo::Posix(); }

}  // namespace

absl::Status WriteFully(int fd, absl::string_view data, uint64_t offset, const std::string& path,
                        FileIo* io) {
  io = Or(io);
  while (!data.empty()) {
    const ssize_t n = io->Pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SyncPath(const std::string& path, FileIo* io) {
  io = Or(io);
  const int fd = io->Open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return Internal(Errno("open", path));
  const int rc = io->Fsync(fd);
  absl::Status status = rc == 0 ? absl::OkStatus() : Internal(Errno("fsync", path));
  io->Close(fd);
  return status;
}

std::string ParentDir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::StatusOr<std::string> ReadFile(const std::string& path, FileIo* io) {
  io = Or(io);
  const int fd = io->Open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return Errno("open", path);
  std::string file;
  // Room for the whole file at once: growing by doubling would need up to
  // three times its size while copying.
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) file.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = io->Pread(fd, buf, sizeof(buf), static_cast<off_t>(file.size()));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const absl::Status status = Internal(Errno("read", path));
      io->Close(fd);
      return status;
    }
    file.append(buf, static_cast<size_t>(n));
  }
  io->Close(fd);
  return file;
}

namespace {

absl::Status WriteFileMaybeSynced(const std::string& path, absl::string_view contents, bool sync,
                                  FileIo* io) {
  io = Or(io);
  const int fd = io->Open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal(Errno("open", path));
  absl::Status status = WriteFully(fd, contents, 0, path, io);
  if (status.ok() && sync && io->Fsync(fd) != 0) status = Errno("fsync", path);
  io->Close(fd);
  return Internal(status);
}

}  // namespace

absl::Status WriteFile(const std::string& path, absl::string_view contents, FileIo* io) {
  return WriteFileMaybeSynced(path, contents, /*sync=*/false, io);
}

absl::Status WriteFileSynced(const std::string& path, absl::string_view contents, FileIo* io) {
  return WriteFileMaybeSynced(path, contents, /*sync=*/true, io);
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents, FileIo* io) {
  io = Or(io);
  const std::string tmp = path + ".tmp";
  absl::Status status = WriteFileSynced(tmp, contents, io);
  if (status.ok() && io->Rename(tmp.c_str(), path.c_str()) != 0)
    status = Internal(Errno("rename", tmp));
  if (!status.ok()) {
    io->Unlink(tmp.c_str());
    return status;
  }
  return SyncPath(ParentDir(path), io);
}

absl::Status CreateDirsDurably(const std::string& dir, FileIo* io) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::InternalError(absl::StrCat(dir, " exists and is not a directory"));
  }
  const std::string parent = ParentDir(dir);
  if (parent != dir) {
    if (absl::Status status = CreateDirsDurably(parent, io); !status.ok()) return status;
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Internal(Errno("mkdir", dir));
  return SyncPath(parent, io);
}

absl::Status RenameDurably(const std::string& from, const std::string& to, FileIo* io) {
  io = Or(io);
  if (io->Rename(from.c_str(), to.c_str()) != 0) {
    return Internal(Errno("rename", absl::StrCat(from, " to ", to)));
  }
  const std::string to_dir = ParentDir(to);
  const std::string from_dir = ParentDir(from);
  if (absl::Status status = SyncPath(to_dir, io); !status.ok()) return status;
  return from_dir == to_dir ? absl::OkStatus() : SyncPath(from_dir, io);
}

}  // namespace jsengine::common
