// ListenTcp: a bound, listening TCP socket for the client and route ports.
//
// Thread-safety: a free function with no shared state.
#ifndef JSENGINE_GATEWAY_CORE_TCP_LISTEN_H_
#define JSENGINE_GATEWAY_CORE_TCP_LISTEN_H_

#include <string>

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

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_TCP_LISTEN_H_
