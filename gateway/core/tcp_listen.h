// TCP helpers for the client, route and leaf node ports: ListenTcp (a
// bound, listening socket), DialTcp, and the host:port text servers
// announce.
//
// Thread-safety: a free function with no shared state.
#ifndef JSENGINE_GATEWAY_CORE_TCP_LISTEN_H_
#define JSENGINE_GATEWAY_CORE_TCP_LISTEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace jsengine::gateway::core {

struct TcpListenSocket {
  int fd = -1;   // owned by the caller
  int port = 0;  // the bound port (the one the system picked for 0)
};

// Listens on `host` (empty: every address) and `port` (0: any free one),
// with SO_REUSEADDR and close-on-exec. `what` names the listener in errors
// ("cannot listen for <what> on host:port: ...").
absl::StatusOr<TcpListenSocket> ListenTcp(const std::string& host, int port, bool nonblocking,
                                          int backlog, const std::string& what);

// Connects to host:port (empty host: 127.0.0.1) within `timeout_ms`; the
// blocking, close-on-exec socket, or -1 on failure.
int DialTcp(const std::string& host, int port, int timeout_ms);

// "host:port", with brackets around an IPv6 host.
std::string JoinHostPort(const std::string& host, int port);
// An empty host, 0.0.0.0 or ::.
bool IsAnyAddress(const std::string& host);
// As nats-server's getConnectURLs: host:port, or for an "any" host one URL
// per global unicast address of the interfaces.
std::vector<std::string> ConnectUrls(const std::string& host, int port);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_TCP_LISTEN_H_
