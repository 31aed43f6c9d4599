// nats-server's ports file (its --ports_file_dir flag): once a server
// listens, it writes where it can be reached to
// <dir>/<executable>_<pid>.ports, and removes the file when it stops. A test
// harness starts servers on random ports and learns them from the file.
//
//   {"nats":["nats://127.0.0.1:39751"],"grpc":["127.0.0.1:41003"]}
//
// nats-server writes "nats" and, when enabled, "monitoring", "cluster",
// "profile" and "websocket"; the gateway writes "nats", "monitoring" with
// -m, "profile" with prof_port, and "grpc" for the services it embeds; storesvc and consumersvc
// write "grpc". Readers ignore keys they do not know. nats-server writes the file in place; ours
// appear whole (written aside, then renamed).
#ifndef JSENGINE_COMMON_PORTS_FILE_H_
#define JSENGINE_COMMON_PORTS_FILE_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

struct Ports {
  std::vector<std::string> nats;  // "nats://host:port"
  std::vector<std::string> grpc;  // "host:port"
  std::vector<std::string> monitoring;  // "http://host:port" or "https://host:port"
  std::vector<std::string> profile;     // "http://host:port" (prof_port)
};

// "<dir>/<basename of executable>_<pid>.ports".
std::string PortsFilePath(absl::string_view dir, absl::string_view executable, pid_t pid);

std::string FormatPorts(const Ports& ports);

// InvalidArgument for text that is not a whole ports file, as when read
// while nats-server is still writing it.
absl::StatusOr<Ports> ParsePorts(absl::string_view json);

// NotFound while the file does not exist.
absl::StatusOr<Ports> ReadPortsFile(const std::string& path);

// The port of "nats://host:port" or "host:port".
absl::StatusOr<int> PortOf(absl::string_view url);

// What a process serving only gRPC writes: where `listen_address` ("host:port"
// as given to --listen) with its port bound to `port` can be reached.
Ports GrpcOnlyPorts(absl::string_view listen_address, int port);

// This process's ports file, from Write until destruction. Thread-compatible.
class PortsFile {
 public:
  // Writes `ports` to PortsFilePath(dir, <this executable>, getpid()); for
  // an empty `dir` (no --ports_file_dir), nothing and returns null.
  static absl::StatusOr<std::unique_ptr<PortsFile>> Write(const std::string& dir,
                                                          const Ports& ports);
  // Removes the file.
  ~PortsFile();

  PortsFile(const PortsFile&) = delete;
  PortsFile& operator=(const PortsFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit PortsFile(std::string path) : path_(std::move(path)) {}

  const std::string path_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_PORTS_FILE_H_
