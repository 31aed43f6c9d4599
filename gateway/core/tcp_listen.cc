#include "gateway/core/tcp_listen.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"

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

}  // namespace jsengine::gateway::core
