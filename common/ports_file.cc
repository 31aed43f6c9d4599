#include "common/ports_file.h"

#include <errno.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/host_ports.h"
#include "nlohmann/json.hpp"

namespace jsengine::common {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", strerror(errno)));
}

absl::Status GetList(const nlohmann::json& root, const char* key, std::vector<std::string>* list) {
  auto it = root.find(key);
  if (it == root.end()) return absl::OkStatus();
  if (!it->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat("ports file: \"", key, "\" is not a list"));
  }
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("ports file: \"", key, "\" holds a non-string"));
    }
    list->push_back(item.get<std::string>());
  }
  return absl::OkStatus();
}

}  // namespace

std::string PortsFilePath(absl::string_view dir, absl::string_view executable, pid_t pid) {
  absl::string_view base = executable.substr(executable.rfind('/') + 1);
  return absl::StrCat(dir, "/", base, "_", pid, ".ports");
}

std::string FormatPorts(const Ports& ports) {
  nlohmann::json root = nlohmann::json::object();
  if (!ports.nats.empty()) root["nats"] = ports.nats;
  if (!ports.grpc.empty()) root["grpc"] = ports.grpc;
  if (!ports.monitoring.empty()) root["monitoring"] = ports.monitoring;
  if (!ports.profile.empty()) root["profile"] = ports.profile;
  return root.dump();
}

absl::StatusOr<Ports> ParsePorts(absl::string_view json) {
  nlohmann::json root =
      nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return absl::InvalidArgumentError("ports file: not a JSON object");
  Ports ports;
  if (absl::Status s = GetList(root, "nats", &ports.nats); !s.ok()) return s;
  if (absl::Status s = GetList(root, "grpc", &ports.grpc); !s.ok()) return s;
  if (absl::Status s = GetList(root, "monitoring", &ports.monitoring); !s.ok()) return s;
  if (absl::Status s = GetList(root, "profile", &ports.profile); !s.ok()) return s;
  return ports;
}

absl::StatusOr<Ports> ReadPortsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no ports file ", path));
    return ErrnoError("open", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParsePorts(text.str());
}

absl::StatusOr<int> PortOf(absl::string_view url) {
  size_t colon = url.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(url.substr(colon + 1), &port) ||
      port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("no port in \"", url, "\""));
  }
  return port;
}

Ports GrpcOnlyPorts(absl::string_view listen_address, int port) {
  Ports ports;
  ports.grpc = ReachableHostPorts(HostOfAddress(listen_address), port);
  return ports;
}

absl::StatusOr<std::unique_ptr<PortsFile>> PortsFile::Write(const std::string& dir,
                                                            const Ports& ports) {
  if (dir.empty()) return nullptr;
  std::string path = PortsFilePath(dir, program_invocation_short_name, getpid());
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << FormatPorts(ports);
    out.close();
    if (!out) return ErrnoError("write", temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status status = ErrnoError("rename", temp);
    std::remove(temp.c_str());
    return status;
  }
  return std::unique_ptr<PortsFile>(new PortsFile(std::move(path)));
}

PortsFile::~PortsFile() { std::remove(path_.c_str()); }

}  // namespace jsengine::common
