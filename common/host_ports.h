// Where a listening socket can be reached, written as nats-server writes it
// in its ports file: "host:port", or "[host]:port" for IPv6.
//
//   ReachableHostPorts("127.0.0.1", 4222)   {"127.0.0.1:4222"}
//   ReachableHostPorts("0.0.0.0", 4222)     {"127.0.0.1:4222", "10.1.2.3:4222"}
//
// Thread-safe.
#ifndef JSENGINE_COMMON_HOST_PORTS_H_
#define JSENGINE_COMMON_HOST_PORTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace jsengine::common {

// For a listener bound to `host` and `port`: `host` itself, or for a wildcard
// host ("0.0.0.0", "::", "") the address of every interface (IPv4 only for
// "0.0.0.0").
std::vector<std::string> ReachableHostPorts(absl::string_view host, int port);

// The host of a listen address: "h" for "h:p", "v6" for "[v6]:p".
std::string HostOfAddress(absl::string_view address);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_HOST_PORTS_H_
