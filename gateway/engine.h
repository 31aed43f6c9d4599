// A whole gateway process: the core NATS server and, with JetStream on
// (server.jetstream, -js), the JetStream bridge and the services it talks to —
// embedded in-process (a complete single-node server, like nats-server -js)
// or remote over gRPC. With JetStream off it is a plain NATS server: no store
// is opened and $JS.API requests get no-responders, as from nats-server.
//
// Embedded services are called directly (no gRPC on the data path) and also
// served on loopback gRPC (`grpc_listen`) for the admin CLI and grpcurl.
//
//   EngineOptions options;
//   JSE_RETURN_IF_ERROR(ParseGatewayArgs(argv_vector, &options));
//   JSE_ASSIGN_OR_RETURN(auto engine, Engine::Start(std::move(options)));
//   ...
//   engine->Stop();
//
// Not thread-safe; Start and Stop from one thread.
#ifndef JSENGINE_GATEWAY_ENGINE_H_
#define JSENGINE_GATEWAY_ENGINE_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/tls_credentials.h"
#include "common/ports_file.h"
#include "consumersvc/client/consumer_client.h"
#include "consumersvc/client/remote_consumer_client.h"
#include "consumersvc/consumer_engine.h"
#include "consumersvc/consumer_service.h"
#include "gateway/core/options.h"
#include "gateway/core/server.h"
#include "gateway/jetstream/account_consumer_client.h"
#include "gateway/jetstream/account_limits.h"
#include "gateway/jetstream/account_store_client.h"
#include "gateway/jetstream/bridge.h"
#include "gateway/jetstream/consumer_data_plane.h"
#include "gateway/jetstream/disabled_accounts.h"
#include "gateway/jetstream/server_resources.h"
#include "gateway/monitor/claims_resolver.h"
#include "gateway/monitor/http_monitor.h"
#include "gateway/monitor/http_profiler.h"
#include "gateway/monitor/monitor.h"
#include "gateway/monitor/system_account.h"
#include "storesvc/client/remote_store_client.h"
#include "storesvc/client/store_client.h"
#include "storesvc/store.h"
#include "storesvc/store_resources.h"
#include "storesvc/store_service.h"

namespace jsengine::gateway {

struct EngineOptions {
  core::ServerOptions server;
  // Remote services ("host:port"); empty runs the service in-process.
  std::string store_address;
  std::string consumer_address;
  // Where in-process services are served over gRPC.
  std::string grpc_listen = "127.0.0.1:4250";
  // TLS for that listener and for the channels to remote services; all
  // empty: plaintext.
  common::grpc::GrpcTlsFiles grpc_tls;
  // Durability of an in-process store: "always" or an fsync interval.
  std::string sync = "2m";
};

// nats-server's flags (see core/options.h) plus the gateway's own:
// --store=ADDR, --consumer=ADDR, --grpc_listen=ADDR, --sync=always|DURATION,
// --grpc_tls_cert=PEM, --grpc_tls_key=PEM, --grpc_tls_ca=PEM (each also as
// "--flag VALUE"). Sets options->server.show_help for -h.
// --store and --consumer need JetStream on.
absl::Status ParseGatewayArgs(const std::vector<std::string>& args, EngineOptions* options);

// The gateway's own flags, for -h.
const char* GatewayUsage();

// The store directory nats-server would use without -sd: <tmp>/nats/jetstream
// there; <tmp>/jsengine/jetstream here.
std::string DefaultStoreDir();

class Engine {
 public:
  static absl::StatusOr<std::unique_ptr<Engine>> Start(EngineOptions options);
  ~Engine();

  // Stops taking connections, finishes in-flight work, closes the store.
  // Idempotent.
  void Stop();

  int nats_port() const { return server_->port(); }
  core::Server* server() const { return server_.get(); }
  // A configuration reload (SIGHUP): core::Server::Reload, then each
  // account's JetStream as nats-server's reload: enabled, disabled (10039
  // replies; its streams stay in the store) or its limits changed. Not
  // concurrently with Stop.
  absl::Status Reload(const core::ServerOptions& options);
  // 0 when every service is remote.
  int grpc_port() const { return grpc_server_ ? grpc_server_->port() : 0; }

 private:
  Engine() = default;
  absl::Status Init(EngineOptions options);
  // Opens or connects (over `grpc_credentials`) the store and consumer
  // services and the bridge.
  absl::Status StartJetStream(const EngineOptions& options,
                              const common::grpc::GrpcCredentials& grpc_credentials);
  // Serves JetStream in a configured account.
  absl::Status StartJetStreamAccount(const core::AccountOptions& account)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(js_mu_);
  // nats-server's sufficientResources for `account` going from `old` limits
  // (null: not enabled yet) to its configured ones
  // (jetstream/server_resources.h).
  absl::Status CheckAccountResources(const core::AccountOptions& account,
                                     const core::JetStreamLimits* old)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(js_mu_);
  // Brings the accounts' JetStream to what `accounts` configure; an account
  // whose limits the server cannot hold keeps its old ones (or stays
  // without JetStream).
  absl::Status ApplyJetStreamAccounts(const std::vector<core::AccountOptions>& accounts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(js_mu_);
  // The accounts JetStream serves now ("" for the global one).
  std::set<std::string> JetStreamAccounts() const ABSL_LOCKS_EXCLUDED(js_mu_);
  // Those accounts for /jsz's account_details; blocks on the services.
  absl::StatusOr<std::vector<monitor::AccountJetStream>> JetStreamAccountDetails(
      bool with_streams, bool with_consumers) const ABSL_LOCKS_EXCLUDED(js_mu_);
  // The system account's requests and events, and nats-server's HTTP
  // monitoring with -m/--http_port.
  absl::Status StartMonitoring(const EngineOptions& options);
  // nats-server's prof_port: CPU profiles over HTTP on the client host.
  absl::Status StartProfiler(const core::ServerOptions& o);
  absl::Status WritePortsFile(const EngineOptions& options);

  std::unique_ptr<storesvc::Store> store_;
  std::unique_ptr<storesvc::StoreServiceImpl> store_service_;
  std::unique_ptr<consumersvc::ConsumerEngine> consumers_;
  std::unique_ptr<consumersvc::ConsumerServiceImpl> consumer_service_;
  std::unique_ptr<consumersvc::client::RemoteConsumerClient> remote_consumers_;
  // consumers_ or remote_consumers_.
  consumersvc::client::ConsumerClient* consumer_client_ = nullptr;
  std::unique_ptr<jetstream::ConsumerDataPlane> data_plane_;
  // The in-process services, served over gRPC once the NATS port is open.
  std::vector<grpc::Service*> local_services_;
  std::unique_ptr<common::grpc::GrpcServer> grpc_server_;
  std::unique_ptr<storesvc::client::RemoteStoreClient> remote_store_;
  // store_ or remote_store_.
  storesvc::client::StoreClient* store_client_ = nullptr;
  std::unique_ptr<core::Server> server_;
  // The global account's bridge when no account is configured; else one per
  // account with JetStream, over the services as that account sees them.
  struct JsAccount {
    std::string name;  // empty: the global account
    std::shared_ptr<jetstream::AccountLimits> limits;
    std::unique_ptr<jetstream::AccountStoreClient> store;
    std::unique_ptr<jetstream::AccountConsumerClient> consumers;
    std::unique_ptr<jetstream::AccountDataPlane> data_plane;
    std::unique_ptr<jetstream::Bridge> bridge;
  };
  std::string domain_;
  // The server-wide JetStream limits, fixed at startup.
  storesvc::StoreLimits resources_;
  // Guards the two below: a reload changes them while monitoring reads.
  mutable absl::Mutex js_mu_;
  std::vector<JsAccount> js_accounts_ ABSL_GUARDED_BY(js_mu_);
  // 10039 replies in the accounts without JetStream (the global one too once
  // accounts are configured, as nats-server).
  std::unique_ptr<jetstream::DisabledAccounts> disabled_accounts_ ABSL_GUARDED_BY(js_mu_);
  std::unique_ptr<monitor::Monitor> monitor_;
  std::unique_ptr<monitor::HttpMonitor> http_monitor_;
  // prof_port's CPU profiles (nats-server's pprof port).
  std::unique_ptr<monitor::HttpProfiler> http_profiler_;
  // The system account's requests and events ($SYS), over monitor_.
  std::unique_ptr<monitor::SystemAccount> system_account_;
  // Operator mode with a full or cache resolver: account JWT updates.
  std::unique_ptr<monitor::ClaimsResolver> claims_resolver_;
  std::unique_ptr<common::PortsFile> ports_file_;
  bool stopped_ = false;
};

}  // namespace jsengine::gateway

#endif  // JSENGINE_GATEWAY_ENGINE_H_
