#include "common/remote_syslog.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace jsengine::common {
namespace {

constexpr char kForms[] = "udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH";

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

absl::StatusOr<int> ConnectInet(const RemoteSyslogAddress& a) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = a.network == RemoteSyslogAddress::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int e = getaddrinfo(a.host.c_str(), a.port.c_str(), &hints, &found); e != 0) {
    return absl::UnavailableError(
        absl::StrCat("remote syslog: cannot resolve ", a.host, ": ", gai_strerror(e)));
  }
  int fd = -1;
  int error = 0;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      error = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("remote syslog: cannot connect to ", a.host, ":",
                                               a.port, ": ", strerror(error)));
  }
  return fd;
}

// A stream socket as nats-server dials it; a datagram one (the local
// daemon's /dev/log) when the socket is of that kind.
absl::StatusOr<int> ConnectUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat("remote syslog: path too long: ", path));
  }
  memcpy(addr.sun_path, path.data(), path.size());
  int error = 0;
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
    error = errno;
    close(fd);
    if (error != EPROTOTYPE) break;
  }
  return absl::UnavailableError(
      absl::StrCat("remote syslog: cannot connect to ", path, ": ", strerror(error)));
}

}  // namespace

absl::StatusOr<RemoteSyslogAddress> ParseRemoteSyslogAddress(absl::string_view url) {
  RemoteSyslogAddress a;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "unix://")) {
    a.network = RemoteSyslogAddress::kUnix;
    a.path = std::string(rest);
    if (!a.path.empty()) return a;
  } else if (absl::ConsumePrefix(&rest, "udp://") || absl::ConsumePrefix(&rest, "tcp://")) {
    a.network =
        absl::StartsWith(url, "udp") ? RemoteSyslogAddress::kUdp : RemoteSyslogAddress::kTcp;
    absl::string_view host = rest;
    if (absl::ConsumePrefix(&host, "[")) {  // [IPv6]:port
      size_t close = host.find(']');
      if (close != absl::string_view::npos && absl::StartsWith(host.substr(close + 1), ":")) {
        a.host = std::string(host.substr(0, close));
        a.port = std::string(host.substr(close + 2));
      }
    } else if (size_t colon = rest.rfind(':'); colon != absl::string_view::npos) {
      a.host = std::string(rest.substr(0, colon));
      a.port = std::string(rest.substr(colon + 1));
    }
    int port = 0;
    if (!a.host.empty() && absl::SimpleAtoi(a.port, &port) && port > 0 && port < 65536) return a;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("remote syslog address \"", url, "\": expected ", kForms));
}

std::string FormatRemoteSyslogLine(int severity, absl::Time time, absl::TimeZone zone,
                                   absl::string_view hostname, absl::string_view tag, int pid,
                                   absl::string_view message) {
  const bool utc = zone.At(time).offset == 0;
  std::string stamp =
      absl::FormatTime(utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S%Ez", time, zone);
  return absl::StrCat("<", severity & 7, ">", stamp, " ", hostname, " ", tag, "[", pid,
                      "]: ", message, absl::EndsWith(message, "\n") ? "" : "\n");
}

absl::StatusOr<std::unique_ptr<RemoteSyslog>> RemoteSyslog::Connect(absl::string_view url,
                                                                    std::string tag) {
  absl::StatusOr<RemoteSyslogAddress> address = ParseRemoteSyslogAddress(url);
  if (!address.ok()) return address.status();
  std::unique_ptr<RemoteSyslog> remote(new RemoteSyslog(std::move(*address), std::move(tag)));
  absl::MutexLock lock(&remote->mu_);
  absl::Status connected = remote->Reconnect();
  if (!connected.ok()) return connected;
  return remote;
}

RemoteSyslog::RemoteSyslog(RemoteSyslogAddress address, std::string tag)
    : address_(std::move(address)), tag_(std::move(tag)), hostname_(Hostname()) {}

RemoteSyslog::~RemoteSyslog() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) close(fd_);
}

absl::Status RemoteSyslog::Reconnect() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  absl::StatusOr<int> fd = address_.network == RemoteSyslogAddress::kUnix
                               ? ConnectUnix(address_.path)
                               : ConnectInet(address_);
  if (!fd.ok()) return fd.status();
  fd_ = *fd;
  return absl::OkStatus();
}

bool RemoteSyslog::Write(absl::string_view line) {
  if (fd_ < 0) return false;
  while (!line.empty()) {
    ssize_t n = send(fd_, line.data(), line.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    line.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RemoteSyslog::Send(int severity, absl::string_view message) {
  if (severity == LOG_INFO) severity = LOG_NOTICE;
  const std::string line = FormatRemoteSyslogLine(severity, absl::Now(), absl::LocalTimeZone(),
                                                  hostname_, tag_, getpid(), message);
  absl::MutexLock lock(&mu_);
  if (Write(line) || address_.network == RemoteSyslogAddress::kUdp) return;
  // As Go's syslog writer: one new connection and one more try.
  if (Reconnect().ok()) Write(line);
}

}  // namespace jsengine::common
