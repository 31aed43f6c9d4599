// nats-server's log file (its -l/--log flag, `log_file` in its config): the
// process's standard error, where glog writes with --logtostderr, is
// redirected to an appended file, and Reopen() (on SIGUSR1, as nats-server
// does) starts writing to whatever file is at the path now, so logrotate can
// rename the old one away.
//
//   JSE_ASSIGN_OR_RETURN(auto log_file, LogFile::Open("/var/log/nats.log"));
//   ...                             // on SIGUSR1:
//   JSE_RETURN_IF_ERROR(log_file->Reopen());
//
// Crash reports written to stderr land in the file too. Thread-compatible;
// the redirection itself (dup2) is atomic for concurrent writers.
#ifndef JSENGINE_COMMON_LOG_FILE_H_
#define JSENGINE_COMMON_LOG_FILE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jsengine::common {

class LogFile {
 public:
  // Opens `path` for appending (creating it) and makes it stderr. An empty
  // path changes nothing and returns null.
  static absl::StatusOr<std::unique_ptr<LogFile>> Open(const std::string& path);

  // Opens the path again and makes it stderr; on failure stderr keeps the
  // file it had.
  absl::Status Reopen();

  const std::string& path() const { return path_; }

 private:
  explicit LogFile(std::string path) : path_(std::move(path)) {}

  const std::string path_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_LOG_FILE_H_
