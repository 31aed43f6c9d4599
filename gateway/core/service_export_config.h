// The service-only keys of an export in the `accounts {}` block, as
// nats-server reads them: `response_type` (or `response`: singleton, stream,
// chunked) and `latency` (a subject, or `{sampling: 50 | "50%" | "headers",
// subject: ...}`). Kept apart from account_config.cc, which calls it for
// each key of an export. Pure functions; thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_SERVICE_EXPORT_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_SERVICE_EXPORT_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "gateway/core/account_options.h"
#include "gateway/core/config.h"

namespace jsengine::gateway::core {

bool IsServiceExportKey(const std::string& key);

// Applies one of those keys to `e`. InvalidArgument with nats-server's
// wording for a bad value.
absl::Status ApplyServiceExportKey(const std::string& key, const ConfigValue& v, AccountExport* e);

// InvalidArgument if a stream export was given a service-only key.
absl::Status CheckStreamExport(const ConfigValue& v);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SERVICE_EXPORT_CONFIG_H_
