// The jsm command line, parsed: which verb, its positional arguments and its
// flags, with no service contacted yet.
//
// Every verb has the seed article's name and today's beside it, e.g.
// `jsm add` and `jsm stream add`, `jsm ls-obs` and `jsm consumer ls`:
//
//   absl::StatusOr<Args> args = ParseArgs({"info", "devices-events", "--json"});
//   // args->verb == Verb::kInfo, args->positional == {"devices-events"},
//   // args->Has("json")
//
// Flags are `--name value`, `--name=value` or, for switches, `--name`, and
// may come anywhere on the line; an unknown one is an error.
//
// Thread-safety: plain values.
#ifndef JSENGINE_TOOLS_JSM_ARGS_H_
#define JSENGINE_TOOLS_JSM_ARGS_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::tools::jsm {

enum class Verb {
  kHelp,
  kAdd,      // add, stream add
  kList,     // list, ls, stream ls
  kInfo,     // info, stream info
  kRm,       // rm, stream rm
  kPurge,    // purge, stream purge
  kGet,      // get, stream get
  kRmMsg,    // rm-msg, stream rm-msg
  kEdit,     // edit, stream edit
  kAddObs,   // add-obs, consumer add
  kLsObs,    // ls-obs, consumer ls
  kInfoObs,  // info-obs, consumer info
  kRmObs,    // rm-obs, consumer rm
  kNext,     // next, consumer next: pull one message and ack it
  kPub,      // pub: through the NATS port
  kSub,      // sub
  kReq,      // req, request
  kKv,       // kv add|put|get|ls|history|rm: key-value buckets
};

// True for the verbs that talk NATS to the gateway rather than gRPC.
inline bool IsNatsVerb(Verb verb) {
  return verb == Verb::kNext || verb == Verb::kPub || verb == Verb::kSub || verb == Verb::kReq;
}

struct Args {
  Verb verb = Verb::kHelp;
  std::vector<std::string> positional;       // After the verb's words.
  std::map<std::string, std::string> flags;  // Without the dashes; switches map to "".

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  // The flag's value, or "" when not given.
  std::string Get(const std::string& flag) const;
};

// `argv` without the program name.
absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv);

// InvalidArgument, quoting `usage` ("info <message set>"), unless `args`
// has exactly `count` positional arguments.
absl::Status ExpectPositional(const Args& args, size_t count, absl::string_view usage);

// Where the services are and how long a call may take.
struct Endpoints {
  std::string store;
  std::string consumer;
  std::string nats;  // The gateway's NATS URL.
  std::chrono::milliseconds timeout;
  // PEM files for gRPC over TLS (common/grpc/tls_credentials.h); all empty:
  // plaintext.
  std::string grpc_tls_cert;
  std::string grpc_tls_key;
  std::string grpc_tls_ca;
};

// The embedded gateway's address (its --grpc_listen default).
inline constexpr char kDefaultAddress[] = "127.0.0.1:4250";
inline constexpr char kDefaultNatsUrl[] = "nats://127.0.0.1:4222";
inline constexpr std::chrono::seconds kDefaultTimeout{5};

// From --store / --consumer / --server (-s) / --timeout / --grpc-tls-cert /
// --grpc-tls-key / --grpc-tls-ca, else the environment (JSM_STORE,
// JSM_CONSUMER, JSM_SERVER, JSM_GRPC_TLS_CERT, JSM_GRPC_TLS_KEY,
// JSM_GRPC_TLS_CA, looked up by `getenv`, which returns "" for unset), else
// the defaults.
absl::StatusOr<Endpoints> ResolveEndpoints(
    const Args& args, const std::function<std::string(const std::string&)>& getenv);

// What `jsm help` prints.
extern const char kUsage[];

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_ARGS_H_
