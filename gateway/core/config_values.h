// Typed readers of configuration values, shared by the parts of the config
// reader (config.cc, account_config.cc). Each returns an InvalidArgument
// error naming the key and its line. Pure functions, thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CONFIG_VALUES_H_
#define JSENGINE_GATEWAY_CORE_CONFIG_VALUES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/core/config.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

absl::Status ValueError(const std::string& key, const ConfigValue& v, const std::string& what);
// "config line N: 'key' is not supported (why)": a nats-server key refused by
// name rather than ignored.
absl::Status NotSupported(const std::string& key, const ConfigValue& v, const std::string& why);
// OK (the key is skipped) when other values used it as a variable.
absl::Status UnknownKey(const std::string& where, const std::string& key, const ConfigValue& v);
absl::Status GetString(const std::string& key, const ConfigValue& v, std::string* out);
absl::Status GetBool(const std::string& key, const ConfigValue& v, bool* out);
absl::Status GetSize(const std::string& key, const ConfigValue& v, int64_t* out);
absl::Status GetInt(const std::string& key, const ConfigValue& v, int* out);
// A number of seconds, or a duration such as "2m", "10s", "500ms".
absl::Status GetDuration(const std::string& key, const ConfigValue& v, absl::Duration* out);
absl::Status GetStringList(const std::string& key, const ConfigValue& v,
                           std::vector<std::string>* out);
// A port number, or -1 (kRandomPort) for any free port, stored as `random`
// (0 for the client and cluster ports, kRandomPort for monitoring), as the
// -p/-m flags take it.
absl::Status GetPort(const std::string& key, const ConfigValue& v, int random, int* port);
// `host:port`, `host` or `:port` (`listen`, `http`); a bare number is a port,
// read as GetPort does.
absl::Status ApplyHostPort(const std::string& key, const ConfigValue& v, std::string* host,
                           int* port, int random);
// A `users` list (entries {user, password, nkey, permissions}), appended to
// `users`.
absl::Status ApplyUsers(const std::string& key, const ConfigValue& v,
                        std::vector<UserAccount>* users);
// `mappings { "src.*": "dst.$1", "x": [{destination: y, weight: 50%}] }`,
// checked as nats-server checks them and appended to `mappings`.
absl::Status ApplyMappings(const std::string& key, const ConfigValue& v,
                           std::vector<SubjectMappingOptions>* mappings);
// A `tls {}` block, the client port's or (`cluster`) the cluster's, as
// nats-server 2.9 reads it: cert_file and key_file required.
absl::Status ApplyTls(const ConfigValue& v, bool cluster, TlsOptions* tls);
// `permissions: {publish: ..., subscribe: ...}`.
absl::Status ApplyPermissions(const ConfigValue& v, UserPermissions* p);
// As nats-server's default_permissions: the users from `first` on that the
// config gave no permissions get `defaults`.
void ApplyDefaultPermissions(const UserPermissions& defaults, size_t first,
                             std::vector<UserAccount>* users);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CONFIG_VALUES_H_
