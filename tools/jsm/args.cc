#include "tools/jsm/args.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "tools/jsm/values.h"

namespace jsengine::tools::jsm {
namespace {

// Every flag jsm knows; true: it takes a value.
const std::map<std::string, bool>& KnownFlags() {
  static const auto* flags = new std::map<std::string, bool>{
      {"store", true},        {"consumer", true}, {"timeout", true},       {"json", false},
      {"help", false},        {"subjects", true}, {"max-msgs", true},      {"max-bytes", true},
      {"max-age", true},      {"storage", true},  {"retention", true},     {"durable", true},
      {"pull", false},        {"deliver", true},  {"deliver-all", false},  {"deliver-last", false},
      {"deliver-new", false}, {"ack", true},      {"replay", true},        {"filter", true},
      {"last", true},         {"server", true},   {"count", true},         {"history", true},
      {"from", true},         {"subject", true},  {"grpc-tls-cert", true}, {"grpc-tls-key", true},
      {"grpc-tls-ca", true},
  };
  return *flags;
}

struct VerbName {
  const char* group;  // "" for the seed's one-word verbs.
  const char* word;
  Verb verb;
};

constexpr VerbName kVerbs[] = {
    {"", "help", Verb::kHelp},
    {"", "add", Verb::kAdd},
    {"", "create", Verb::kAdd},
    {"", "list", Verb::kList},
    {"", "ls", Verb::kList},
    {"", "info", Verb::kInfo},
    {"", "rm", Verb::kRm},
    {"", "delete", Verb::kRm},
    {"", "purge", Verb::kPurge},
    {"", "get", Verb::kGet},
    {"", "rm-msg", Verb::kRmMsg},
    {"", "edit", Verb::kEdit},
    {"", "add-obs", Verb::kAddObs},
    {"", "create-obs", Verb::kAddObs},
    {"", "ls-obs", Verb::kLsObs},
    {"", "list-obs", Verb::kLsObs},
    {"", "info-obs", Verb::kInfoObs},
    {"", "rm-obs", Verb::kRmObs},
    {"", "delete-obs", Verb::kRmObs},
    {"stream", "add", Verb::kAdd},
    {"stream", "create", Verb::kAdd},
    {"stream", "ls", Verb::kList},
    {"stream", "list", Verb::kList},
    {"stream", "info", Verb::kInfo},
    {"stream", "rm", Verb::kRm},
    {"stream", "delete", Verb::kRm},
    {"stream", "purge", Verb::kPurge},
    {"stream", "get", Verb::kGet},
    {"stream", "rm-msg", Verb::kRmMsg},
    {"stream", "edit", Verb::kEdit},
    {"consumer", "add", Verb::kAddObs},
    {"consumer", "create", Verb::kAddObs},
    {"consumer", "ls", Verb::kLsObs},
    {"consumer", "list", Verb::kLsObs},
    {"consumer", "info", Verb::kInfoObs},
    {"consumer", "rm", Verb::kRmObs},
    {"consumer", "delete", Verb::kRmObs},
    {"", "next", Verb::kNext},
    {"consumer", "next", Verb::kNext},
    {"", "pub", Verb::kPub},
    {"", "sub", Verb::kSub},
    {"", "req", Verb::kReq},
    {"", "request", Verb::kReq},
    {"", "kv", Verb::kKv},
};

}  // namespace

std::string Args::Get(const std::string& flag) const {
  auto it = flags.find(flag);
  return it == flags.end() ? "" : it->second;
}

absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv) {
  Args args;
  std::vector<std::string> words;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "-h") {
      args.flags["help"] = "";
      continue;
    }
    if (arg == "-s") {  // The seed's jsm: -s <server URL>.
      if (i + 1 == argv.size()) return absl::InvalidArgumentError("flag -s needs a value");
      args.flags["server"] = argv[++i];
      continue;
    }
    absl::string_view body = arg;
    if (!absl::ConsumePrefix(&body, "--")) body.remove_prefix(1);
    std::string name(body.substr(0, body.find('=')));
    auto known = KnownFlags().find(name);
    if (known == KnownFlags().end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg, " (see jsm help)"));
    }
    const bool inline_value = body.find('=') != absl::string_view::npos;
    if (!known->second) {
      if (inline_value) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " takes no value"));
      }
      args.flags[name] = "";
    } else if (inline_value) {
      args.flags[name] = std::string(body.substr(body.find('=') + 1));
    } else if (i + 1 < argv.size()) {
      args.flags[name] = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
    }
  }

  if (words.empty() || args.Has("help")) {
    args.verb = Verb::kHelp;
    return args;
  }
  size_t used = 0;
  for (const VerbName& name : kVerbs) {
    const bool grouped = name.group[0] != '\0';
    if (grouped && words.size() >= 2 && words[0] == name.group && words[1] == name.word) {
      args.verb = name.verb;
      used = 2;
      break;
    }
    if (!grouped && words[0] == name.word) {
      args.verb = name.verb;
      used = 1;
      break;
    }
  }
  if (used == 0) {
    if (words[0] == "stream" || words[0] == "consumer") {
      return absl::InvalidArgumentError(absl::StrCat("unknown command \"", words[0],
                                                     words.size() > 1 ? " " + words[1] : "",
                                                     "\" (see jsm help)"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command \"", words[0], "\" (see jsm help)"));
  }
  args.positional.assign(words.begin() + used, words.end());
  return args;
}

absl::Status ExpectPositional(const Args& args, size_t count, absl::string_view usage) {
  if (args.positional.size() == count) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(args.positional.size() < count ? "missing arguments" : "too many arguments",
                   ": jsm ", usage));
}

absl::StatusOr<Endpoints> ResolveEndpoints(
    const Args& args, const std::function<std::string(const std::string&)>& getenv) {
  Endpoints endpoints;
  endpoints.store = args.Has("store") ? args.Get("store") : getenv("JSM_STORE");
  if (endpoints.store.empty()) endpoints.store = kDefaultAddress;
  endpoints.consumer = args.Has("consumer") ? args.Get("consumer") : getenv("JSM_CONSUMER");
  if (endpoints.consumer.empty()) endpoints.consumer = kDefaultAddress;
  endpoints.nats = args.Has("server") ? args.Get("server") : getenv("JSM_SERVER");
  if (endpoints.nats.empty()) endpoints.nats = kDefaultNatsUrl;
  auto flag_or_env = [&](const std::string& flag, const std::string& env) {
    return args.Has(flag) ? args.Get(flag) : getenv(env);
  };
  endpoints.grpc_tls_cert = flag_or_env("grpc-tls-cert", "JSM_GRPC_TLS_CERT");
  endpoints.grpc_tls_key = flag_or_env("grpc-tls-key", "JSM_GRPC_TLS_KEY");
  endpoints.grpc_tls_ca = flag_or_env("grpc-tls-ca", "JSM_GRPC_TLS_CA");
  endpoints.timeout = kDefaultTimeout;
  if (args.Has("timeout")) {
    absl::StatusOr<absl::Duration> timeout = ParseTimeout(args.Get("timeout"));
    if (!timeout.ok()) return timeout.status();
    endpoints.timeout = absl::ToChronoMilliseconds(*timeout);
  }
  return endpoints;
}

const char kUsage[] =
    R"(Usage: jsm [--store host:port] [--consumer host:port] [-s nats://host:port]
           [--timeout 5s] [--json] [--grpc-tls-ca ca.pem
           [--grpc-tls-cert cert.pem --grpc-tls-key key.pem]] <command>

Manages the engine's message sets (streams) and observables (consumers)
over gRPC. Addresses: --store / --consumer, else $JSM_STORE / $JSM_CONSUMER,
else 127.0.0.1:4250 (the embedded gateway's services). pub, req, sub and
next go through the gateway's NATS port: -s / --server, else $JSM_SERVER,
else nats://127.0.0.1:4222. With --grpc-tls-ca (else $JSM_GRPC_TLS_CA) gRPC
goes over TLS, verifying the services against that CA; --grpc-tls-cert and
--grpc-tls-key (else $JSM_GRPC_TLS_CERT, $JSM_GRPC_TLS_KEY) are the client
certificate services started with --grpc_tls_ca require.

Message sets (streams):
  add | stream add [name]              Add a message set; asks for what no flag gives
        --subjects a,b --max-msgs N --max-bytes SIZE --max-age AGE
        --storage file|memory --retention limits|interest|workqueue
  list | ls | stream ls                List message sets
  info | stream info <name>            Messages, bytes, first and last sequence
  info                                 Memory and file storage used, message sets
  edit | stream edit <name>            Change --subjects, --max-msgs, --max-bytes, --max-age
  rm | stream rm <name>                Delete a message set and its messages
  purge | stream purge <name>          Remove every message (--filter SUBJECT: only those)
  get | stream get <name> <seq>        Show a stored message
  get <name> --last <subject>          Show the newest message on a subject
  get <name> --from <seq>              Show stored messages as they are read, up to the
        [--count N] [--subject S]      last one when it starts, N of them, or Ctrl-C;
                                       --json: one message per line
  rm-msg | stream rm-msg <name> <seq>  Delete one message

Observables (consumers):
  add-obs | consumer add [set] [name]  Add a durable observable; asks for what no flag gives
        --durable NAME --pull | --deliver SUBJECT
        --deliver-all | --deliver-last | --deliver-new
        --ack none|all|explicit --replay instant|original --filter SUBJECT
  ls-obs | consumer ls <set>           List a message set's observables
  info-obs | consumer info <set> <name>
                                       Delivered, ack floor, pending, redelivered
  rm-obs | consumer rm <set> <name>    Delete an observable
  next | consumer next <set> <name>    Pull one message from a pull observable and ack it

Key-value buckets (as the NATS clients make them):
  kv add <bucket> [--history N]        Add a bucket keeping N values a key (default 1)
  kv put <bucket> <key> <value>        Store a value; prints its revision
  kv get <bucket> <key>                The latest value
  kv ls <bucket>                       Keys that have a value
  kv history <bucket> <key>            Every revision kept
  kv rm <bucket> <key>                 Delete a key (its history stays)

Quick checks through NATS:
  pub <subject> <data>                 Publish a message
  req <subject> <data>                 Send a request and print the reply (a stored
                                       message's PubAck)
  sub <subject> [--count N]            Print messages as they come, until Ctrl-C or N

Sizes take units (1MB, 64KiB), ages Go durations or 2d, 1M, 1y; -1 or
"unlimited" for no limit. --json prints the service's answer as JSON.
)";

}  // namespace jsengine::tools::jsm
