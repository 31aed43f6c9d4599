// FileIo: the file-system calls the storage code makes (storesvc's
// FileStore, consumersvc's consumer state, common/durable_file.h), behind
// one interface, so tests can fail chosen calls or lose unsynced writes
// (testing/util/faulty_file_io.h) without a real faulty disk.
//
// Each method has the contract of the POSIX call it is named after: it
// returns what that call returns and sets errno on failure. Posix() is the
// real thing and the default wherever an io may be given.
//
//   FileIo* io = FileIo::Posix();
//   int fd = io->Open(path.c_str(), O_RDWR | O_CREAT, 0644);
//
// Thread-safety: implementations are thread-safe.
#ifndef JSENGINE_COMMON_FILE_IO_H_
#define JSENGINE_COMMON_FILE_IO_H_

#include <sys/types.h>

#include <cstddef>

namespace jsengine::common {

class FileIo {
 public:
  virtual ~FileIo() = default;

  virtual int Open(const char* path, int flags, mode_t mode) = 0;
  virtual int Close(int fd) = 0;
  virtual ssize_t Pread(int fd, void* buf, size_t n, off_t off) = 0;
  virtual ssize_t Pwrite(int fd, const void* buf, size_t n, off_t off) = 0;
  virtual int Fdatasync(int fd) = 0;
  virtual int Fsync(int fd) = 0;
  virtual int Ftruncate(int fd, off_t size) = 0;
  virtual int Rename(const char* from, const char* to) = 0;
  virtual int Unlink(const char* path) = 0;

  // The process-wide POSIX implementation; never deleted.
  static FileIo* Posix();
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_FILE_IO_H_
