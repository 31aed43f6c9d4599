// Starts the real binaries for integration tests and always tears them down.
//
//   int port = FreePort();
//   auto gateway = Process::Start(RunfilePath("gateway/gateway"),
//                                 {"-a", "127.0.0.1", "-p", absl::StrCat(port)});
//   ASSERT_TRUE(gateway.ok()) << gateway.status();
//   ASSERT_TRUE(WaitForTcpPort(port, absl::Seconds(20)).ok());
//
// Binaries come in as Bazel data deps. A Process is stopped (SIGTERM, then
// SIGKILL) when it is destroyed, and dies with the test process if that one
// crashes. Output goes to a log file per process, kept in the test outputs.
#ifndef JSENGINE_TESTING_HARNESS_HARNESS_H_
#define JSENGINE_TESTING_HARNESS_HARNESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jsengine::testing {

// A loopback TCP port that was free a moment ago.
int FreePort();

// "127.0.0.1:<FreePort()>".
std::string FreeLoopbackAddress();

// Absolute path of a file in the test's runfiles, e.g. "storesvc/storesvc".
std::string RunfilePath(const std::string& workspace_relative_path);

// A child process running a binary. Not thread-safe.
class Process {
 public:
  static absl::StatusOr<std::unique_ptr<Process>> Start(const std::string& binary,
                                                        const std::vector<std::string>& args);
  ~Process();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Sends `signal` and waits for the process to exit; returns its wait status.
  // After SIGTERM, escalates to SIGKILL when it takes longer than `grace`.
  int Stop(int signal, absl::Duration grace = absl::Seconds(10));

  // True while the process has not exited.
  bool Running();

 private:
  Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  std::string log_path_;
  bool exited_ = false;
  int wait_status_ = 0;
};

// Waits until something accepts TCP connections on 127.0.0.1:`port`.
absl::Status WaitForTcpPort(int port, absl::Duration timeout);

// Waits until the gRPC health service at `address` reports SERVING.
absl::Status WaitForGrpcHealth(const std::string& address, absl::Duration timeout);

// One gRPC health check, without waiting.
absl::Status CheckGrpcHealth(const std::string& address);

}  // namespace jsengine::testing

#endif  // JSENGINE_TESTING_HARNESS_HARNESS_H_
