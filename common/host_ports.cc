#include "common/host_ports.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "absl/strings/str_cat.h"

namespace jsengine::common {
namespace {

std::string JoinHostPort(absl::string_view host, int port) {
  if (host.find(':') != absl::string_view::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

std::vector<std::string> InterfaceHostPorts(bool with_ipv6, int port) {
  std::vector<std::string> host_ports;
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) != 0) return host_ports;
  for (const ifaddrs* i = interfaces; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN];
    const void* address = nullptr;
    if (i->ifa_addr->sa_family == AF_INET) {
      address = &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
    } else if (i->ifa_addr->sa_family == AF_INET6 && with_ipv6) {
      address = &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr;
    }
    if (address != nullptr && inet_ntop(i->ifa_addr->sa_family, address, text, sizeof(text))) {
      host_ports.push_back(JoinHostPort(text, port));
    }
  }
  freeifaddrs(interfaces);
  return host_ports;
}

}  // namespace

std::vector<std::string> ReachableHostPorts(absl::string_view host, int port) {
  if (host == "0.0.0.0") return InterfaceHostPorts(/*with_ipv6=*/false, port);
  if (host.empty() || host == "::") return InterfaceHostPorts(/*with_ipv6=*/true, port);
  return {JoinHostPort(host, port)};
}

std::string HostOfAddress(absl::string_view address) {
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    return std::string(address.substr(1, close == absl::string_view::npos ? close : close - 1));
  }
  size_t colon = address.rfind(':');
  return std::string(address.substr(0, colon));
}

}  // namespace jsengine::common
