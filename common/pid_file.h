// nats-server's pid file (its -P/--pid flag, `pid_file` in its config): the
// process id in decimal, no newline, written at start and removed at a clean
// stop, so service managers and scripts can signal the server.
//
//   JSE_ASSIGN_OR_RETURN(auto pid_file, PidFile::Write("/run/nats.pid"));
//   ...                        // the file says getpid() while pid_file lives
#ifndef JSENGINE_COMMON_PID_FILE_H_
#define JSENGINE_COMMON_PID_FILE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace jsengine::common {

// This process's pid file, from Write until destruction. Thread-compatible.
class PidFile {
 public:
  // Writes getpid() to `path`, replacing what is there (durable_file.h's
  // WriteFileAtomically). An empty path writes nothing and returns null.
  static absl::StatusOr<std::unique_ptr<PidFile>> Write(const std::string& path);
  // Removes the file.
  ~PidFile();

  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit PidFile(std::string path) : path_(std::move(path)) {}

  const std::string path_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_PID_FILE_H_
