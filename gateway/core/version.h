// The nats-server release whose behaviour the gateway reproduces: announced
// in INFO (so clients enable the same features), printed by -v, reported by
// monitoring.
#ifndef JSENGINE_GATEWAY_CORE_VERSION_H_
#define JSENGINE_GATEWAY_CORE_VERSION_H_

namespace jsengine::gateway::core {

inline constexpr char kServerVersion[] = "2.10.22";
inline constexpr char kGoVersion[] = "go1.22.8";

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_VERSION_H_
