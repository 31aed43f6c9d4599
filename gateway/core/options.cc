#include "gateway/core/options.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/core/cluster_config.h"
#include "gateway/core/config.h"
#include "gateway/core/version.h"

namespace jsengine::gateway::core {
namespace {

enum class Flag {
  kAddr,
  kPort,
  kName,
  kJetStream,
  kStoreDir,
  kConfig,
  kUser,
  kPass,
  kAuth,
  kDebug,
  kTrace,
  kDebugTrace,
  kHelp,
  kVersion,
  kCheckConfig,
  kPidFile,
  kLogFile,
  kLogtime,
  kMaxPayload,
  kPortsFileDir,
  kHttpPort,
  kHttpsPort,
  kProfPort,
  kTls,
  kTlsCert,
  kTlsKey,
  kTlsCaCert,
  kTlsVerify,
  kSignal,
  kSyslog,
  kRemoteSyslog,
  kUnknown
};

struct FlagSpec {
  const char* name;
  Flag flag;
  bool takes_value;
};

// Spellings as nats-server accepts them, without leading dashes.
constexpr FlagSpec kFlags[] = {
    {"a", Flag::kAddr, true},
    {"addr", Flag::kAddr, true},
    {"net", Flag::kAddr, true},
    {"p", Flag::kPort, true},
    {"port", Flag::kPort, true},
    {"n", Flag::kName, true},
    {"name", Flag::kName, true},
    {"server_name", Flag::kName, true},
    {"js", Flag::kJetStream, false},
    {"jetstream", Flag::kJetStream, false},
    {"sd", Flag::kStoreDir, true},
    {"store_dir", Flag::kStoreDir, true},
    {"c", Flag::kConfig, true},
    {"config", Flag::kConfig, true},
    {"user", Flag::kUser, true},
    {"pass", Flag::kPass, true},
    {"auth", Flag::kAuth, true},
    {"D", Flag::kDebug, false},
    {"debug", Flag::kDebug, false},
    {"V", Flag::kTrace, false},
    {"trace", Flag::kTrace, false},
    {"DV", Flag::kDebugTrace, false},
    {"h", Flag::kHelp, false},
    {"help", Flag::kHelp, false},
    {"v", Flag::kVersion, false},
    {"version", Flag::kVersion, false},
    {"t", Flag::kCheckConfig, false},
    {"P", Flag::kPidFile, true},
    {"pid", Flag::kPidFile, true},
    {"l", Flag::kLogFile, true},
    {"log", Flag::kLogFile, true},
    {"T", Flag::kLogtime, false},
    {"logtime", Flag::kLogtime, false},
    {"max_payload", Flag::kMaxPayload, true},
    {"ports_file_dir", Flag::kPortsFileDir, true},
    {"m", Flag::kHttpPort, true},
    {"http_port", Flag::kHttpPort, true},
    {"ms", Flag::kHttpsPort, true},
    {"https_port", Flag::kHttpsPort, true},
    {"profile", Flag::kProfPort, true},
    {"tls", Flag::kTls, false},
    {"tlscert", Flag::kTlsCert, true},
    {"tlskey", Flag::kTlsKey, true},
    {"tlscacert", Flag::kTlsCaCert, true},
    {"tlsverify", Flag::kTlsVerify, false},
    {"sl", Flag::kSignal, true},
    {"signal", Flag::kSignal, true},
    {"s", Flag::kSyslog, false},
    {"syslog", Flag::kSyslog, false},
    {"r", Flag::kRemoteSyslog, true},
    {"remote_syslog", Flag::kRemoteSyslog, true},
};

const FlagSpec* Lookup(const std::string& name) {
  for (const FlagSpec& spec : kFlags) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

// Splits "-x", "--x", "-x=v", "--x=v" into name and inline value.
bool SplitFlag(const std::string& arg, std::string* name, std::string* value, bool* has_value) {
  if (arg.size() < 2 || arg[0] != '-') return false;
  size_t start = arg[1] == '-' ? 2 : 1;
  size_t eq = arg.find('=', start);
  *has_value = eq != std::string::npos;
  *name = arg.substr(start, *has_value ? eq - start : std::string::npos);
  if (*has_value) *value = arg.substr(eq + 1);
  return !name->empty();
}

// A boolean flag is on unless written "-x=false" (Go's flag package syntax).
absl::Status BoolFlagValue(const std::string& spelled, const std::string& value, bool has_value,
                           bool* on) {
  if (!has_value) {
    *on = true;
    return absl::OkStatus();
  }
  if (value == "true" || value == "1" || value == "t" || value == "TRUE" || value == "True") {
    *on = true;
  } else if (value == "false" || value == "0" || value == "f" || value == "FALSE" ||
             value == "False") {
    *on = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("invalid boolean value for ", spelled));
  }
  return absl::OkStatus();
}

struct Parsed {
  Flag flag;
  std::string value;
  bool on;  // boolean flags
};

// As nats-server: any --tls* flag replaces the configuration file's TLS
// settings (keeping its timeout and min_version) and turns TLS on, unless
// --tls=false is given, which turns TLS off whatever else is set.
absl::Status ApplyTlsFlags(const std::vector<Parsed>& parsed, TlsOptions* tls) {
  bool any = false;
  TlsOptions flags;
  flags.timeout = tls->timeout;
  flags.min_version = tls->min_version;
  for (const Parsed& p : parsed) {
    switch (p.flag) {
      case Flag::kTls:
        if (!p.on) {
          tls->enabled = false;
          return absl::OkStatus();
        }
        break;
      case Flag::kTlsCert:
        flags.cert_file = p.value;
        break;
      case Flag::kTlsKey:
        flags.key_file = p.value;
        break;
      case Flag::kTlsCaCert:
        flags.ca_file = p.value;
        break;
      case Flag::kTlsVerify:
        flags.verify = p.on;
        break;
      default:
        continue;
    }
    any = true;
  }
  if (!any) return absl::OkStatus();
  if (flags.cert_file.empty()) {
    return absl::InvalidArgumentError("TLS Server certificate must be present and valid");
  }
  if (flags.key_file.empty()) {
    return absl::InvalidArgumentError("TLS Server private key must be present and valid");
  }
  flags.enabled = true;
  *tls = flags;
  return absl::OkStatus();
}

}  // namespace

const char* ServerUsage() {
  return R"(Usage: gateway [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222, -1: any free)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -c, --config <file>              Configuration file (see docs/CONFIG.md)
    -P, --pid <file>                 File to store PID (removed at a clean stop)
    -t                               Test configuration and exit
    -sl, --signal <signal>[=<pid>]   Send signal to a gateway process (ldm, stop, quit,
                                     term, reopen, reload); pid is a PID or the path
                                     to a PID file (default: the -P file)
        --max_payload <size>         Maximum message payload (default: 1MB)
        --ports_file_dir <dir>       Creates a ports file in the specified directory
                                     (<executable_name>_<pid>.ports): JSON listing
                                     where clients ("nats"), monitoring
                                     ("monitoring"), profiling ("profile") and
                                     the in-process services ("grpc") are served
    -m, --http_port <port>           Use port for http monitoring (-1: any free)
    -ms,--https_port <port>          Use port for https monitoring (the TLS certificate)

Logging Options:
    -l, --log <file>                 File to redirect log output (SIGUSR1 reopens it)
    -T, --logtime                    Timestamp log entries (default: true; -T=false)
    -s, --syslog                     Log to the local syslog instead of stderr
    -r, --remote_syslog <addr>       Syslog server addr (udp://127.0.0.1:514)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and trace

JetStream Options:
    -js, --jetstream                 Enable JetStream functionality (default: off;
                                     `bazel run //gateway` passes it)
    -sd, --store_dir <dir>           Set the storage directory
                                     (default: $TMPDIR/jsengine/jetstream)

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

TLS Options (any of them replaces the configuration file's tls block):
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Cluster Options (core NATS routes; JetStream is not clustered):
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_name <string>      Cluster Name, if not set one will be dynamically generated
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries

Profiling Options:
        --profile <port>             Profiling HTTP port: a CPU profile at
                                     /debug/pprof/profile (-1: any free)

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
)";
}

std::string VersionLine() { return absl::StrCat("nats-server: v", kServerVersion); }

absl::Status ParseServerArgs(const std::vector<std::string>& args, ServerOptions* options,
                             std::vector<std::string>* unrecognized) {
  std::vector<Parsed> parsed;
  std::vector<std::tuple<std::string, std::string, bool>> cluster_flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name, value;
    bool has_value = false;
    if (!SplitFlag(args[i], &name, &value, &has_value)) {
      unrecognized->push_back(args[i]);
      continue;
    }
    const FlagSpec* spec = Lookup(name);
    bool cluster_takes_value = false;
    if (spec == nullptr && IsClusterFlag(name, &cluster_takes_value)) {
      if (cluster_takes_value && !has_value) {
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(absl::StrCat("flag ", args[i], " needs a value"));
        }
        value = args[++i];
      }
      bool on = true;
      if (!cluster_takes_value) {
        if (absl::Status s = BoolFlagValue(args[i], value, has_value, &on); !s.ok()) return s;
      }
      cluster_flags.push_back({name, value, on});
      continue;
    }
    if (spec == nullptr) {
      unrecognized->push_back(args[i]);
      continue;
    }
    bool on = true;
    if (spec->takes_value && !has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag ", args[i], " needs a value"));
      }
      value = args[++i];
    } else if (!spec->takes_value) {
      if (absl::Status s = BoolFlagValue(args[i], value, has_value, &on); !s.ok()) return s;
    }
    if (spec->flag == Flag::kConfig) {
      config_file = value;
    } else {
      parsed.push_back({spec->flag, value, on});
    }
  }
  const bool exits_at_once = std::any_of(parsed.begin(), parsed.end(), [](const Parsed& p) {
    return p.flag == Flag::kHelp || p.flag == Flag::kVersion;
  });
  if (!config_file.empty() && !exits_at_once) {
    if (absl::Status s = ApplyConfigFile(config_file, options); !s.ok()) return s;
    if (options->port == kRandomPort) options->port = 0;
  }
  if (absl::Status s = ApplyTlsFlags(parsed, &options->tls); !s.ok()) return s;
  for (const auto& [name, value, on] : cluster_flags) {
    if (absl::Status s = ApplyClusterFlag(name, value, on, &options->cluster); !s.ok()) return s;
  }
  for (const Parsed& p : parsed) {
    switch (p.flag) {
      case Flag::kAddr:
        options->host = p.value;
        break;
      case Flag::kPort:
        if (!absl::SimpleAtoi(p.value, &options->port) || options->port < kRandomPort ||
            options->port > 65535) {
          return absl::InvalidArgumentError("invalid port: " + p.value);
        }
        if (options->port == kRandomPort) options->port = 0;
        break;
      case Flag::kHttpPort:
        if (!absl::SimpleAtoi(p.value, &options->http_port) || options->http_port < kRandomPort ||
            options->http_port > 65535) {
          return absl::InvalidArgumentError("invalid http port: " + p.value);
        }
        break;
      case Flag::kHttpsPort:
        if (!absl::SimpleAtoi(p.value, &options->https_port) || options->https_port < kRandomPort ||
            options->https_port > 65535) {
          return absl::InvalidArgumentError("invalid https port: " + p.value);
        }
        break;
      case Flag::kProfPort:
        if (!absl::SimpleAtoi(p.value, &options->prof_port) || options->prof_port < kRandomPort ||
            options->prof_port > 65535) {
          return absl::InvalidArgumentError("invalid profiling port: " + p.value);
        }
        break;
      case Flag::kPortsFileDir:
        options->ports_file_dir = p.value;
        break;
      case Flag::kMaxPayload: {
        std::string cfg = "max_payload: " + p.value;
        if (absl::Status s = ApplyConfigText(cfg, options); !s.ok()) {
          return absl::InvalidArgumentError("invalid --max_payload: " + p.value);
        }
        break;
      }
      case Flag::kName:
        options->server_name = p.value;
        break;
      case Flag::kJetStream:
        options->jetstream = p.on;
        break;
      case Flag::kStoreDir:
        options->store_dir = p.value;
        break;
      case Flag::kUser:
        options->username = p.value;
        break;
      case Flag::kPass:
        options->password = p.value;
        break;
      case Flag::kAuth:
        options->token = p.value;
        break;
      case Flag::kDebug:
        options->debug = p.on;
        break;
      case Flag::kTrace:
        options->trace = p.on;
        break;
      case Flag::kDebugTrace:
        options->debug = options->trace = p.on;
        break;
      case Flag::kLogtime:
        options->logtime = p.on;
        break;
      case Flag::kLogFile:
        options->log_file = p.value;
        break;
      case Flag::kPidFile:
        options->pid_file = p.value;
        break;
      case Flag::kSignal:
        options->signal = p.value;
        break;
      case Flag::kSyslog:
        options->syslog = p.on;
        break;
      case Flag::kRemoteSyslog:
        options->remote_syslog = p.value;
        break;
      case Flag::kHelp:
        options->show_help = p.on;
        break;
      case Flag::kVersion:
        options->show_version = p.on;
        break;
      case Flag::kCheckConfig:
        options->check_config = p.on;
        break;
      case Flag::kTls:
      case Flag::kTlsCert:
      case Flag::kTlsKey:
      case Flag::kTlsCaCert:
      case Flag::kTlsVerify:
      case Flag::kConfig:
      case Flag::kUnknown:
        break;
    }
  }
  if (!options->username.empty() && options->password.empty()) {
    return absl::InvalidArgumentError("--user needs --pass");
  }
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
