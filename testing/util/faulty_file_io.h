// FaultyFileIo: a common::FileIo for tests that fails chosen calls and
// simulates a crash that loses unsynced writes, as LevelDB's
// FaultInjectionTestEnv does; the calls themselves go to the real file
// system.
//
// Faults: Inject() fails the matching calls of one kind (optionally only on
// paths containing a string, after letting some pass) with an errno, or
// makes a pwrite short: it writes part of the buffer, returns that count,
// and the next pwrite of that file fails with the errno (a disk filling up
// mid-write).
//
// Crash(): every file written through this object is cut back to the size
// it had at its last successful fsync/fdatasync (a file created or
// truncated since counts as synced empty); with `tear`, the first 4 KiB
// page past that point survives torn: its first half as written, the rest
// garbage. From then on every call fails with EIO, so the store still open
// cannot write its way out; Restart() ends that and clears the faults.
// Limits: an overwrite of bytes below the synced size is not undone, and
// directory entries are not modelled (testing/util/power_cut.h does those).
//
//   FaultyFileIo io;
//   options.io = &io;
//   io.Inject({.op = FaultyFileIo::Op::kPwrite, .err = ENOSPC, .times = -1});
//   ... appends fail with ENOSPC ...
//   io.ClearFaults();
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_TESTING_UTIL_FAULTY_FILE_IO_H_
#define JSENGINE_TESTING_UTIL_FAULTY_FILE_IO_H_

#include <cerrno>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/file_io.h"

namespace jsengine::testing::util {

class FaultyFileIo final : public common::FileIo {
 public:
  enum class Op { kOpen, kPread, kPwrite, kFdatasync, kFsync, kFtruncate, kRename, kUnlink };

  struct Fault {
    Op op = Op::kPwrite;
    std::string path_contains;  // Empty: any path.
    int skip = 0;               // Matching calls that pass first.
    int times = 1;              // Calls that fail; -1: until cleared.
    int err = EIO;
    // kPwrite: when > 0, write this many bytes (at most the buffer) and
    // return that count instead; the next pwrite of the file fails.
    size_t short_bytes = 0;
    // kFsync, kFdatasync: the failed call also cuts the file back to its
    // synced size, as a kernel may drop pages whose writeback failed.
    bool drop_unsynced = false;
  };

  FaultyFileIo() = default;
  FaultyFileIo(const FaultyFileIo&) = delete;
  FaultyFileIo& operator=(const FaultyFileIo&) = delete;

  void Inject(Fault fault) ABSL_LOCKS_EXCLUDED(mu_);
  void ClearFaults() ABSL_LOCKS_EXCLUDED(mu_);
  // How many calls failed (or were cut short) by a fault or a crash.
  int failures() const ABSL_LOCKS_EXCLUDED(mu_);

  void Crash(bool tear) ABSL_LOCKS_EXCLUDED(mu_);
  void Restart() ABSL_LOCKS_EXCLUDED(mu_);

  int Open(const char* path, int flags, mode_t mode) override;
  int Close(int fd) override;
  ssize_t Pread(int fd, void* buf, size_t n, off_t off) override;
  ssize_t Pwrite(int fd, const void* buf, size_t n, off_t off) override;
  int Fdatasync(int fd) override;
  int Fsync(int fd) override;
  int Ftruncate(int fd, off_t size) override;
  int Rename(const char* from, const char* to) override;
  int Unlink(const char* path) override;

 private:
  struct Armed {
    Fault fault;
    int seen = 0;
    int failed = 0;
  };

  // The fault that fails this call, or null (and errno set) to let it run;
  // counts the call against every matching fault.
  const Fault* Match(Op op, const std::string& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string PathOf(int fd) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int Sync(int fd, Op op) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Armed> faults_ ABSL_GUARDED_BY(mu_);
  std::map<int, std::string> paths_ ABSL_GUARDED_BY(mu_);        // Open fds.
  std::map<std::string, uint64_t> synced_ ABSL_GUARDED_BY(mu_);  // Synced size per path.
  std::map<int, int> fail_next_write_ ABSL_GUARDED_BY(mu_);  // fd -> errno, after a short write.
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_FAULTY_FILE_IO_H_
