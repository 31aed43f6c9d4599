#include "common/file_io.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

namespace jsengine::common {
namespace {

class PosixFileIo final : public FileIo {
 public:
  int Open(const char* path, int flags, mode_t mode) override { return open(path, flags, mode); }
  int Close(int fd) override { return close(fd); }
  ssize_t Pread(int fd, void* buf, size_t n, off_t off) override { return pread(fd, buf, n, off); }
  ssize_t Pwrite(int fd, const void* buf, size_t n, off_t off) override {
    return pwrite(fd, buf, n, off);
  }
  int Fdatasync(int fd) override { return fdatasync(fd); }
  int Fsync(int fd) override { return fsync(fd); }
  int Ftruncate(int fd, off_t size) override { return ftruncate(fd, size); }
  int Rename(const char* from, const char* to) override { return rename(from, to); }
  int Unlink(const char* path) override { return unlink(path); }
};

}  // namespace

FileIo* FileIo::Posix() {
  static FileIo* const io = new PosixFileIo;
  return io;
}

}  // namespace jsengine::common
