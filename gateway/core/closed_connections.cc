#include "gateway/core/closed_connections.h"

#include <utility>

namespace jsengine::gateway::core {

std::string_view ClosedReasonText(std::string_view reason) {
  struct Name {
    std::string_view internal;
    std::string_view text;
  };
  static constexpr Name kNames[] = {
      {"client closed connection", "Client Closed"},
      {"read error", "Read Error"},
      {"write error", "Write Error"},
      {"auth timeout", "Authentication Timeout"},
      {"authentication failed", "Authentication Failure"},
      {"not authenticated", "Authentication Failure"},
      {"account not found", "Authentication Failure"},
      {"authorization revoked by reload", "Authentication Failure"},
      {"account changed by reload", "Authentication Failure"},
      {"stale connection", "Stale Connection"},
      {"server shutdown", "Server Shutdown"},
      {"protocol violation", "Protocol Violation"},
      {"malformed CONNECT", "Parse Error"},
      {"bad protocol", "Protocol Violation"},
      {"no responders without headers", "Protocol Violation"},
      {"HPUB without headers support", "Protocol Violation"},
      {"max connections", "Maximum Connections Exceeded"},
      {"max account connections", "Maximum Account Connections Exceeded"},
      {"max subscriptions", "Maximum Subscriptions Exceeded"},
      {"max payload", "Maximum Message Payload Exceeded"},
      {"slow consumer", "Slow Consumer (Pending Bytes)"},
      {"TLS handshake error", "TLS Handshake Failure"},
      {"TLS handshake timeout", "TLS Handshake Failure"},
  };
  for (const Name& name : kNames) {
    if (name.internal == reason) return name.text;
  }
  return reason;
}

void ClosedConnections::Add(ConnectionInfo info) {
  if (capacity_ == 0) return;
  common::MutexLock lock(&mu_);
  if (ring_.size() == capacity_) ring_.pop_front();
  ring_.push_back(std::move(info));
}

std::vector<ConnectionInfo> ClosedConnections::List() const {
  common::MutexLock lock(&mu_);
  return {ring_.begin(), ring_.end()};
}

}  // namespace jsengine::gateway::core
