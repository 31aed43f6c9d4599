// What the core server tells an observer of its connections, so that the
// system account (gateway/monitor/system_account.h) can publish
// nats-server's connect, disconnect and authentication error advisories and
// lame duck events. Only connection-level changes are reported; nothing is
// called per message.
#ifndef JSENGINE_GATEWAY_CORE_SERVER_EVENTS_H_
#define JSENGINE_GATEWAY_CORE_SERVER_EVENTS_H_

#include <string>

#include "gateway/core/stats.h"

namespace jsengine::gateway::core {

// Called on the thread of the change (a connection's event loop, or the
// caller of Server::EnterLameDuckMode) with no lock of the server held.
// Implementations must not block: hand the work off.
class ServerEventListener {
 public:
  virtual ~ServerEventListener() = default;
  // Whether OnClientConnected wants the connections of `account` (so the
  // server describes a connection only for a listener that uses it).
  virtual bool WantsConnectEvents(const std::string& account) = 0;
  // A client's CONNECT was accepted (once per connection).
  virtual void OnClientConnected(const ConnectionInfo& info) = 0;
  // A connection closed; info.stop and info.reason are set.
  virtual void OnClientClosed(const ConnectionInfo& info) = 0;
  // A client failed to authenticate (it is being closed).
  virtual void OnAuthenticationError(const ConnectionInfo& info) = 0;
  virtual void OnLameDuckMode() = 0;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SERVER_EVENTS_H_
