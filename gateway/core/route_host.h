// What a Route connection (route.h) asks of the side of the server that
// owns it: the cluster (routes between servers of a cluster) or the leaf
// nodes (leaf connections to a hub or from leaf servers). The route calls
// these on its own thread; implementations are thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_ROUTE_HOST_H_
#define JSENGINE_GATEWAY_CORE_ROUTE_HOST_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "gateway/core/cert_identity.h"
#include "gateway/core/subscription.h"

namespace jsengine::gateway::core {

class Route;
struct RoutedMessage;

class RouteHost {
 public:
  virtual ~RouteHost() = default;

  virtual const std::string& server_id() const = 0;
  virtual bool stopping() const = 0;
  // How long a TLS handshake may take.
  virtual absl::Duration tls_timeout() const = 0;
  // The INFO this server sends on `route`.
  virtual std::string RouteInfoJson(const Route& route) const = 0;
  // The CONNECT a solicited `route` sends (its credentials).
  virtual std::string RouteConnectJson(const Route& route) const = 0;
  // Checks a CONNECT received on an accepted route; the -ERR text if
  // refused. `cert`: what the route's certificate names (TLS routes).
  virtual std::string CheckConnect(Route* route, std::string_view json,
                                   const CertIdentity* cert) = 0;
  // Checks the first INFO of a solicited route; the reason if refused.
  virtual std::string CheckInfo(Route* route, std::string_view json) = 0;
  // Makes `route` serve its remote server; false when refused.
  virtual bool Register(const std::shared_ptr<Route>& route) = 0;
  virtual void Unregister(Route* route) = 0;
  // An INFO about another server received on a registered route.
  virtual void OnGossip(std::string_view json) = 0;
  virtual void OnRemoteUrlsChanged() = 0;
  // Whether the remote's interest in `subject` is served (route `export`
  // permissions, a leaf remote's deny_exports).
  virtual bool CanExport(const Route& route, std::string_view subject) const = 0;
  // The remote's interest `sub` in `account` was added or removed (after
  // the route recorded it); the -ERR text to close the connection with, or
  // empty.
  virtual std::string OnRemoteInterest(Route* route, std::string_view account,
                                       const SubscriptionPtr& sub, bool added) = 0;
  virtual void DeliverRouted(Route* route, const RoutedMessage& msg) = 0;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ROUTE_HOST_H_
