// Publish and subscribe permissions, as configured for users (`permissions`
// in `authorization`/`accounts`) and for routes (`cluster { permissions }`).
// Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_PERMISSION_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_PERMISSION_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace jsengine::gateway::core {

// Subjects a user may publish or subscribe to. An empty allow list allows
// everything; deny wins over allow.
struct SubjectPermission {
  std::vector<std::string> allow;
  std::vector<std::string> deny;
};

// allow_responses: a user may publish to the reply subject of a message it
// received, `max_msgs` times (negative: no limit) within `expires`
// (negative: forever), as nats-server's ResponsePermission. With it, an
// empty publish allow list allows nothing (only responses).
struct ResponsePermission {
  bool enabled = false;
  int max_msgs = 1;
  absl::Duration expires = absl::Minutes(2);
};

struct UserPermissions {
  SubjectPermission publish;
  SubjectPermission subscribe;
  ResponsePermission responses;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_PERMISSION_OPTIONS_H_
