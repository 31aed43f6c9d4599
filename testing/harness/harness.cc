#include "testing/harness/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/health.grpc.pb.h"

namespace jsengine::testing::harness {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string OutputDir() {
  return EnvOr("TEST_UNDECLARED_OUTPUTS_DIR", EnvOr("TEST_TMPDIR", "/tmp"));
}

}  // namespace

std::string RunfilePath(const std::string& workspace_relative_path) {
  const char* srcdir = getenv("TEST_SRCDIR");
  if (srcdir == nullptr) return workspace_relative_path;
  return absl::StrCat(srcdir, "/", EnvOr("TEST_WORKSPACE", "jsengine"), "/",
                      workspace_relative_path);
}

std::string NatsServerBinary() {
  const char* chosen = getenv("NATS_SERVER_BIN");
  if (chosen != nullptr && *chosen != '\0') return chosen;
  for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "nats-server";
}

ServerVersion NatsServerVersion() {
  static const ServerVersion version = [] {
    ServerVersion parsed;
    FILE* pipe = popen(absl::StrCat(NatsServerBinary(), " --version 2>&1").c_str(), "r");
    if (pipe == nullptr) return parsed;
    char line[256] = {0};
    const bool read = fgets(line, sizeof(line), pipe) != nullptr;
    pclose(pipe);
    const char* v = read ? strstr(line, " v") : nullptr;
    if (v == nullptr || sscanf(v, " v%d.%d.%d", &parsed.major, &parsed.minor, &parsed.patch) != 3) {
      return ServerVersion();
    }
    return parsed;
  }();
  return version;
}

bool NatsServerAtLeast(int major, int minor) {
  const ServerVersion v = NatsServerVersion();
  return v.major > major || (v.major == major && v.minor >= minor);
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(const std::string& binary,
                                                        const std::vector<std::string>& args) {
  static std::atomic<int> counter{0};
  std::string name = binary.substr(binary.find_last_of('/') + 1);
  std::string log_path = absl::StrCat(OutputDir(), "/", name, ".", getpid(), ".",
                                      counter.fetch_add(1), ".log");
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("open ", log_path, ": ", strerror(errno)));

  std::vector<std::string> argv_storage;
  argv_storage.push_back(binary);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    dprintf(STDERR_FILENO, "execv %s: %s\n", binary.c_str(), strerror(errno));
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<Process>(new Process(binary, pid, std::move(log_path)));
}

Process::~Process() { Stop(SIGTERM); }

bool Process::Running() {
  if (exited_) return false;
  if (waitpid(pid_, &wait_status_, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

int Process::Stop(int signal, absl::Duration grace) {
  if (!Running()) return wait_status_;
  kill(pid_, signal);
  absl::Time deadline = absl::Now() + grace;
  while (Running()) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &wait_status_, 0);
      exited_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return wait_status_;
}

absl::StatusOr<common::Ports> Process::WaitForPortsFile(const std::string& dir,
                                                        absl::Duration timeout) {
  const std::string path = common::PortsFilePath(dir, binary_, pid_);
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    // nats-server writes its file in place: a partial one fails to parse.
    absl::StatusOr<common::Ports> ports = common::ReadPortsFile(path);
    if (ports.ok()) return ports;
    if (!Running()) {
      return absl::FailedPreconditionError(
          absl::StrCat(binary_, " exited before writing ", path, "; log: ", log_path_));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no ports file ", path, " (", ports.status().message(), "); log: ", log_path_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

UnusedPort::UnusedPort() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port_ = ntohs(addr.sin_port);
  }
}

UnusedPort::~UnusedPort() {
  if (fd_ >= 0) close(fd_);
}

absl::Status CheckGrpcHealth(const std::string& address,
                             const common::grpc::GrpcCredentials& credentials) {
  auto channel = grpc::CreateChannel(address, credentials.ForChannel());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("health check of ", address, ": ", status.error_message()));
  }
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(absl::StrCat(address, " is not serving"));
  }
  return absl::OkStatus();
}

absl::Status WaitForGrpcHealth(const std::string& address, absl::Duration timeout,
                               const common::grpc::GrpcCredentials& credentials) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::Status status = CheckGrpcHealth(address, credentials);
    if (status.ok() || absl::Now() > deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace jsengine::testing::harness
