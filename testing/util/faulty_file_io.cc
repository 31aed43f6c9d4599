#include "testing/util/faulty_file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace jsengine::testing::util {
namespace {

constexpr uint64_t kPage = 4096;

uint64_t SizeOf(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

void FaultyFileIo::Inject(Fault fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(Armed{std::move(fault)});
}

void FaultyFileIo::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
  fail_next_write_.clear();
}

int FaultyFileIo::failures() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

const FaultyFileIo::Fault* FaultyFileIo::Match(Op op, const std::string& path) {
  if (crashed_) {
    ++failed_;
    errno = EIO;
    static const Fault kCrashed;
    return &kCrashed;
  }
  for (Armed& a : faults_) {
    if (a.fault.op != op) continue;
    if (!a.fault.path_contains.empty() && path.find(a.fault.path_contains) == std::string::npos) {
      continue;
    }
    if (a.seen++ < a.fault.skip) continue;
    if (a.fault.times >= 0 && a.failed >= a.fault.times) continue;
    ++a.failed;
    ++failed_;
    errno = a.fault.err;
    return &a.fault;
  }
  return nullptr;
}

std::string FaultyFileIo::PathOf(int fd) const {
  auto it = paths_.find(fd);
  return it == paths_.end() ? std::string() : it->second;
}

int FaultyFileIo::Open(const char* path, int flags, mode_t mode) {
  absl::MutexLock lock(&mu_);
  if (Match(Op::kOpen, path) != nullptr) return -1;
  const bool existed = access(path, F_OK) == 0;
  const int fd = open(path, flags, mode);
  if (fd < 0) return fd;
  paths_[fd] = path;
  if ((flags & O_TRUNC) != 0 || !existed) {
    synced_[path] = 0;
  } else if (synced_.count(path) == 0) {
    synced_[path] = SizeOf(path);
  }
  return fd;
}

int FaultyFileIo::Close(int fd) {
  absl::MutexLock lock(&mu_);
  paths_.erase(fd);
  fail_next_write_.erase(fd);
  return close(fd);
}

ssize_t FaultyFileIo::Pread(int fd, void* buf, size_t n, off_t off) {
  {
    absl::MutexLock lock(&mu_);
    if (Match(Op::kPread, PathOf(fd)) != nullptr) return -1;
  }
  return pread(fd, buf, n, off);
}

ssize_t FaultyFileIo::Pwrite(int fd, const void* buf, size_t n, off_t off) {
  absl::MutexLock lock(&mu_);
  if (auto it = fail_next_write_.find(fd); it != fail_next_write_.end()) {
    ++failed_;
    errno = it->second;
    fail_next_write_.erase(it);
    return -1;
  }
  if (const Fault* f = Match(Op::kPwrite, PathOf(fd)); f != nullptr) {
    if (crashed_ || f->short_bytes == 0) return -1;
    fail_next_write_[fd] = f->err;
    return pwrite(fd, buf, std::min(n, f->short_bytes), off);
  }
  return pwrite(fd, buf, n, off);
}

int FaultyFileIo::Sync(int fd, Op op) {
  std::string path;
  {
    absl::MutexLock lock(&mu_);
    path = PathOf(fd);
    if (const Fault* f = Match(op, path); f != nullptr) {
      const int err = errno;
      if (f->drop_unsynced && synced_.count(path) > 0) {
        (void)!truncate(path.c_str(), static_cast<off_t>(synced_[path]));
      }
      errno = err;
      return -1;
    }
  }
  const int r = op == Op::kFsync ? fsync(fd) : fdatasync(fd);
  if (r == 0 && !path.empty()) {
    absl::MutexLock lock(&mu_);
    struct stat st;
    if (!crashed_ && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      synced_[path] = static_cast<uint64_t>(st.st_size);
    }
  }
  return r;
}

int FaultyFileIo::Fdatasync(int fd) { return Sync(fd, Op::kFdatasync); }

int FaultyFileIo::Fsync(int fd) { return Sync(fd, Op::kFsync); }

int FaultyFileIo::Ftruncate(int fd, off_t size) {
  absl::MutexLock lock(&mu_);
  const std::string path = PathOf(fd);
  if (Match(Op::kFtruncate, path) != nullptr) return -1;
  const int r = ftruncate(fd, size);
  if (r == 0 && synced_.count(path) > 0) {
    synced_[path] = std::min<uint64_t>(synced_[path], static_cast<uint64_t>(size));
  }
  return r;
}

int FaultyFileIo::Rename(const char* from, const char* to) {
  absl::MutexLock lock(&mu_);
  if (Match(Op::kRename, from) != nullptr) return -1;
  const int r = rename(from, to);
  if (r == 0) {
    auto it = synced_.find(from);
    if (it != synced_.end()) {
      synced_[to] = it->second;
      synced_.erase(from);
    } else {
      synced_.erase(to);
    }
    for (auto& [fd, path] : paths_) {
      if (path == from) path = to;
    }
  }
  return r;
}

int FaultyFileIo::Unlink(const char* path) {
  absl::MutexLock lock(&mu_);
  if (Match(Op::kUnlink, path) != nullptr) return -1;
  const int r = unlink(path);
  if (r == 0) synced_.erase(path);
  return r;
}

void FaultyFileIo::Crash(bool tear) {
  absl::MutexLock lock(&mu_);
  crashed_ = true;
  for (const auto& [path, synced] : synced_) {
    const uint64_t size = SizeOf(path);
    if (size <= synced) continue;
    uint64_t keep = synced;
    if (tear) keep = std::min(size, (synced / kPage + 1) * kPage);
    if (truncate(path.c_str(), static_cast<off_t>(keep)) != 0) continue;
    const uint64_t torn_from = synced + (keep - synced) / 2;
    if (keep > torn_from) {
      const std::string garbage(keep - torn_from, '\xa5');
      const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) continue;
      (void)!pwrite(fd, garbage.data(), garbage.size(), static_cast<off_t>(torn_from));
      close(fd);
    }
  }
}

void FaultyFileIo::Restart() {
  absl::MutexLock lock(&mu_);
  crashed_ = false;
  faults_.clear();
  fail_next_write_.clear();
  for (auto& [path, synced] : synced_) synced = SizeOf(path);
}

}  // namespace jsengine::testing::util
