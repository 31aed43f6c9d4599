#include "gateway/core/tcp_listen.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace jsengine::gateway::core {

absl::StatusOr<TcpListenSocket> ListenTcp(const std::string& host, int port, bool nonblocking,
                                          int backlog, const std::string& what) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port_text = std::to_string(port);
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &res);
      rc != 0) {
    return absl::InvalidArgumentError("cannot resolve " + what + " address " + host + ": " +
                                      gai_strerror(rc));
  }
  const int fd =
      socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
    const std::string err = std::strerror(errno);
    freeaddrinfo(res);
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError("cannot listen for " + what + " on " + host + ":" + port_text +
                                  ": " + err);
  }
  freeaddrinfo(res);
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  TcpListenSocket out;
  out.fd = fd;
  out.port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return out;
}

std::string JoinHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

bool IsAnyAddress(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

std::vector<std::string> ConnectUrls(const std::string& host, int port) {
  if (!IsAnyAddress(host)) return {JoinHostPort(host, port)};
  std::vector<std::string> urls;
  ifaddrs* addrs = nullptr;
  if (getifaddrs(&addrs) != 0) return urls;
  for (ifaddrs* a = addrs; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {0};
    if (a->ifa_addr->sa_family == AF_INET) {
      const in_addr ip = reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr;
      const uint32_t v = ntohl(ip.s_addr);
      if ((v >> 24) == 127 || v == 0 || (v >> 16) == 0xA9FE || (v >> 28) >= 0xE) continue;
      inet_ntop(AF_INET, &ip, text, sizeof(text));
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const in6_addr& ip = reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LOOPBACK(&ip) || IN6_IS_ADDR_LINKLOCAL(&ip) || IN6_IS_ADDR_MULTICAST(&ip) ||
          IN6_IS_ADDR_UNSPECIFIED(&ip)) {
        continue;
      }
      inet_ntop(AF_INET6, &ip, text, sizeof(text));
    } else {
      continue;
    }
    std::string url = JoinHostPort(text, port);
    if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(std::move(url));
  }
  freeifaddrs(addrs);
  return urls;
}

namespace {

// Waits until a connecting socket is writable or timeout_ms passes; a signal
// (the profiler's SIGPROF) does not cut the wait short.
bool WaitConnected(int fd, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pollfd p{fd, POLLOUT, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (n >= 0 || errno != EINTR) return n == 1;
  }
}

}  // namespace

int DialTcp(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? "127.0.0.1" : host.c_str(), service.c_str(), &hints, &res) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      int err = errno == EINPROGRESS ? 0 : errno;
      socklen_t len = sizeof(err);
      if (err != 0 || !WaitConnected(fd, timeout_ms) ||
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ::close(fd);
        fd = -1;
        continue;
      }
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  }
  freeaddrinfo(res);
  return fd;
}

}  // namespace jsengine::gateway::core
