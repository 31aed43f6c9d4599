// Reader for the subset of nats-server's configuration file format the
// gateway supports (see docs/CONFIG.md):
//
//   port: 4222
//   listen: "127.0.0.1:4222"
//   max_payload: 1MB
//   ping_interval: "2m"
//   jetstream { store_dir: "/data" }
//   authorization {
//     users = [
//       {user: alice, password: "$2a$11$...", permissions: {publish: {allow: ["a.>"]}}}
//     ]
//   }
//
// Keys may be followed by `:`, `=` or nothing; maps use {}, arrays []; entries
// are separated by newlines, commas or semicolons; `#` and `//` start
// comments. A bare value `$name` is the value of the key `name` set earlier
// in the same or an enclosing block, or else of the environment variable
// `name`, as nats-server's variables. `include FILE` (no `:`) puts FILE's
// entries in place, FILE relative to the including file. Pure functions
// (but for reading included files), thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_CONFIG_H_
#define JSENGINE_GATEWAY_CORE_CONFIG_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

// A parsed configuration value. Scalars keep their text.
struct ConfigValue {
  enum class Kind { kScalar, kMap, kArray };
  Kind kind = Kind::kScalar;
  std::string text;
  bool quoted = false;
  int line = 0;
  std::vector<std::pair<std::string, ConfigValue>> entries;  // kMap, in file order
  std::vector<ConfigValue> items;                             // kArray
  // A `$name` value referred to this entry (a variable): as nats-server,
  // an unknown top-level key so used is not an error.
  bool used_as_variable = false;
};

// Parses a whole file's text into its top-level map. `include FILE` reads
// FILE relative to `base_dir` (empty: the working directory).
absl::StatusOr<ConfigValue> ParseConfigText(std::string_view text,
                                            const std::string& base_dir = "");

// Applies a parsed configuration (or a file's text, or a file) to `options`.
// Unknown keys and badly typed values are InvalidArgument errors that name
// the key and line.
absl::Status ApplyConfig(const ConfigValue& config, ServerOptions* options);
absl::Status ApplyConfigText(std::string_view text, ServerOptions* options,
                             const std::string& base_dir = "");
absl::Status ApplyConfigFile(const std::string& path, ServerOptions* options);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_CONFIG_H_
