// Server settings, and nats-server-compatible ways of setting them: command
// line flags (ParseServerArgs) and a configuration file (see config.h and
// docs/CONFIG.md). Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/core/account_options.h"
#include "gateway/core/cluster_options.h"
#include "gateway/core/gateway_options.h"
#include "gateway/core/leafnode_options.h"
#include "gateway/core/operator_options.h"
#include "gateway/core/permission_options.h"
#include "gateway/core/tls_options.h"

namespace jsengine::gateway::core {

struct UserAccount {
  std::string user;
  std::string password;  // plain text, or a bcrypt hash ("$2a$...")
  // An nkey user ("U..." public key) instead of user/password.
  std::string nkey;
  UserPermissions permissions;
  std::string account;  // empty: the global account (kGlobalAccount)
  // Whether the config gave `permissions` (default_permissions fill the
  // others').
  bool permissions_set = false;
};

// nats-server's -p value for "any free port"; ServerOptions.port says 0.
constexpr int kRandomPort = -1;

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 4222;  // 0: any free port
  std::string server_name;
  bool jetstream = false;
  std::string store_dir;
  // JetStream domain: named in PubAcks and $JS.API.INFO; the API also
  // answers on $JS.<domain>.API.>. Empty: none.
  std::string jetstream_domain;
  // nats-server's `jetstream { limits {} }`: the most a consumer may ask
  // for; 0 means no limit. Applied by the in-process consumer service.
  int jetstream_max_ack_pending = 0;
  int jetstream_max_request_batch = 0;
  std::string config_file;
  // Monitoring over HTTP (/varz, /connz, ...): 0 is off, kRandomPort any
  // free port. An empty host is `host`'s.
  std::string http_host;
  int http_port = 0;
  // HTTPS monitoring (-ms), with the tls{} certificate; not with http_port.
  int https_port = 0;
  // Where the monitoring endpoints are served ("/nats": /nats/varz, ...), as
  // nats-server's http_base_path; empty is "/".
  std::string http_base_path;
  // Where the gateway writes its ports file (common/ports_file.h); empty: no
  // file.
  std::string ports_file_dir;

  int64_t max_payload = 1024 * 1024;
  size_t max_control_line = 4096;
  int max_connections = 64 * 1024;
  int64_t max_pending = 64 * 1024 * 1024;  // outbound bytes per client
  absl::Duration ping_interval = absl::Minutes(2);
  int ping_max = 2;
  absl::Duration auth_timeout = absl::Seconds(2);
  int event_loops = 0;  // 0: one per hardware thread

  std::string username;
  std::string password;
  std::string token;
  std::vector<UserAccount> users;
  // Accounts other than the global one; their users are in `users`.
  std::vector<AccountOptions> accounts;
  // The global account's subject mappings (top-level `mappings {}`).
  std::vector<SubjectMappingOptions> mappings;
  std::string no_auth_user;    // clients without credentials are this user
  std::string system_account;  // accepted; served as an ordinary account

  TlsOptions tls;
  ClusterOptions cluster;

  bool debug = false;
  bool trace = false;
  bool logtime = true;   // timestamps on log lines (-T)
  std::string log_file;  // empty: stderr
  bool syslog = false;   // log to the local syslog instead (-s)
  // Log to this syslog server instead (-r): udp://host:port, tcp://host:port
  // or unix:///path (common/remote_syslog.h); a log file wins over it, it
  // wins over `syslog`.
  std::string remote_syslog;
  std::string pid_file;  // empty: none
  // Lame duck mode (SIGUSR2): clients are closed over `lame_duck_duration`,
  // starting after `lame_duck_grace_period`.
  absl::Duration lame_duck_duration = absl::Minutes(2);
  absl::Duration lame_duck_grace_period = absl::Seconds(10);

  // nats-server settings accepted for compatibility that have no effect on
  // this single-node gateway (see docs/CONFIG.md, "Accepted without effect").
  struct Compatibility {
    absl::Duration write_deadline = absl::Seconds(10);
    int max_traced_msg_len = 0;
    int connect_error_reports = 0;
    int reconnect_error_reports = 0;
    bool disable_sublist_cache = false;
    int max_closed_clients = 0;
    std::vector<std::string> server_tags;
    std::string jetstream_unique_tag;
    int64_t jetstream_max_outstanding_catchup = 0;
  } compatibility;
  // JetStream `sync_interval`: "always" or a duration for the in-process
  // store (as --sync); empty: unset.
  std::string jetstream_sync;
  // JetStream `max_memory_store` and `max_file_store` in bytes: the
  // server-wide limits (storesvc/store_resources.h); negative: unset, which
  // takes nats-server's defaults (jetstream/server_resources.h).
  int64_t jetstream_max_memory = -1;
  int64_t jetstream_max_store = -1;
  // Subscriptions a connection may have; 0: no limit. One more is refused
  // with -ERR 'maximum subscriptions exceeded' (the connection stays).
  int max_subscriptions = 0;
  // no_header_support: INFO says "headers":false and HPUB is refused.
  bool no_header_support = false;
  // nats-server's prof_port (--profile): a CPU profile over HTTP at
  // /debug/pprof/profile on `host` (gateway/monitor/pprof_handler.h); 0 is
  // off, kRandomPort any free port.
  int prof_port = 0;

  // What the command line asks for instead of (or before) serving.
  bool show_help = false;
  bool show_version = false;  // -v: print VersionLine() and exit
  bool check_config = false;  // -t: check the configuration and exit
  std::string signal;         // --signal: send this to a running server and exit
  // `gateway {}`: read and checked; the server refuses to start with a
  // gateway configured (super-cluster connections are not implemented).
  GatewayOptions gateway;

  // Operator mode (operator_options.h): clients authenticate with user JWTs
  // and accounts come from account JWTs.
  OperatorOptions operator_mode;
  // `leafnodes {}`.
  LeafNodeOptions leafnodes;
};

// Parses nats-server style arguments (without argv[0]) into `options`,
// loading a config file given with -c first so flags override it. Arguments
// it does not know are appended to `unrecognized` (with their values when
// they use the --flag=value form). Errors are InvalidArgument.
absl::Status ParseServerArgs(const std::vector<std::string>& args, ServerOptions* options,
                             std::vector<std::string>* unrecognized);

// The usage text printed for -h.
const char* ServerUsage();

// What -v prints, as nats-server does: "nats-server: v2.10.22", the version
// the server announces in INFO.
std::string VersionLine();

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_OPTIONS_H_
