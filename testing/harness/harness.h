// Starts the real binaries for integration tests and always tears them down.
//
//   std::string ports_dir = util::MakeTempDir("ports-");
//   auto gateway = Process::Start(RunfilePath("gateway/gateway"),
//                                 {"-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", ports_dir});
//   ASSERT_TRUE(gateway.ok()) << gateway.status();
//   auto ports = (*gateway)->WaitForPortsFile(ports_dir, absl::Seconds(20));
//   ASSERT_TRUE(ports.ok()) << ports.status();
//   // ports->nats: {"nats://127.0.0.1:<the port it got>"}
//
// Servers start on port 0 (nats-server: -1) and say which port they got in
// their ports file (common/ports_file.h): no port is guessed beforehand, so
// none can be taken by another process in between.
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
#include "common/grpc/tls_credentials.h"
#include "common/ports_file.h"

namespace jsengine::testing::harness {

// Absolute path of a file in the test's runfiles, e.g. "storesvc/storesvc".
std::string RunfilePath(const std::string& workspace_relative_path);

// The reference nats-server: $NATS_SERVER_BIN when set (e.g. another
// release, `bazel test --test_env=NATS_SERVER_BIN=...`), else Debian's
// (/usr/sbin/nats-server, 2.9.10).
std::string NatsServerBinary();

// The reference's release, read once from its `--version` line
// ("nats-server: v2.9.10"); {0, 0, 0} when it cannot be read.
struct ServerVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
};
ServerVersion NatsServerVersion();

// True when the reference is release `major`.`minor` or later: for the
// expectations where nats-server 2.10 changed 2.9's rules.
bool NatsServerAtLeast(int major, int minor);

// A child process running a binary. Not thread-safe.
class Process {
 public:
  static absl::StatusOr<std::unique_ptr<Process>> Start(const std::string& binary,
                                                        const std::vector<std::string>& args);
  ~Process();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Waits until the process has written its ports file in `dir` and returns
  // what the file lists; fails at once when the process exits first.
  absl::StatusOr<common::Ports> WaitForPortsFile(const std::string& dir, absl::Duration timeout);

  // Sends `signal` and waits for the process to exit; returns its wait status.
  // After SIGTERM, escalates to SIGKILL when it takes longer than `grace`.
  int Stop(int signal, absl::Duration grace = absl::Seconds(10));

  // True while the process has not exited.
  bool Running();

 private:
  Process(std::string binary, pid_t pid, std::string log_path)
      : binary_(std::move(binary)), pid_(pid), log_path_(std::move(log_path)) {}

  std::string binary_;
  pid_t pid_;
  std::string log_path_;
  bool exited_ = false;
  int wait_status_ = 0;
};

// A loopback port nothing listens on, for tests of what fails without a
// server: bound but not listening for the object's lifetime, so connections
// are refused and no other process can take it. Not thread-safe.
class UnusedPort {
 public:
  UnusedPort();
  ~UnusedPort();
  UnusedPort(const UnusedPort&) = delete;
  UnusedPort& operator=(const UnusedPort&) = delete;

  // 0 when no port could be bound.
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Waits until the gRPC health service at `address`, reached over
// `credentials`, reports SERVING.
absl::Status WaitForGrpcHealth(
    const std::string& address, absl::Duration timeout,
    const common::grpc::GrpcCredentials& credentials = common::grpc::GrpcCredentials());

// One gRPC health check, without waiting; the error keeps gRPC's code.
absl::Status CheckGrpcHealth(
    const std::string& address,
    const common::grpc::GrpcCredentials& credentials = common::grpc::GrpcCredentials());

}  // namespace jsengine::testing::harness

#endif  // JSENGINE_TESTING_HARNESS_HARNESS_H_
