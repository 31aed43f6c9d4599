#include "gateway/engine.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/go_json_writer.h"
#include "common/host_ports.h"
#include "common/status.h"
#include "common/sync_spec.h"
#include "gateway/jetstream/consumer_aware_store_client.h"
#include "gateway/jetstream/consumer_json.h"
#include "gateway/jetstream/stream_json.h"
#include "gateway/jetstream/stream_list.h"
#include "glog/logging.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "storesvc/client/remote_store_client.h"
#include "storesvc/sync_spec.h"

namespace jsengine::gateway {

absl::Status ParseGatewayArgs(const std::vector<std::string>& args, EngineOptions* options) {
  std::vector<std::string> rest;
  JSE_RETURN_IF_ERROR(core::ParseServerArgs(args, &options->server, &rest));
  struct Flag {
    const char* name;
    std::string* value;
  };
  const Flag flags[] = {{"--store", &options->store_address},
                        {"--consumer", &options->consumer_address},
                        {"--grpc_listen", &options->grpc_listen},
                        {"--grpc_tls_cert", &options->grpc_tls.cert_file},
                        {"--grpc_tls_key", &options->grpc_tls.key_file},
                        {"--grpc_tls_ca", &options->grpc_tls.ca_file},
                        {"--sync", &options->sync}};
  // The config file's jetstream sync_interval; --sync overrides it.
  if (!options->server.jetstream_sync.empty()) options->sync = options->server.jetstream_sync;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& arg = rest[i];
    const Flag* match = nullptr;
    std::string value;
    for (const Flag& flag : flags) {
      if (arg == flag.name) {
        if (i + 1 == rest.size()) {
          return absl::InvalidArgumentError(absl::StrCat("flag ", arg, " needs a value"));
        }
        match = &flag;
        value = rest[++i];
      } else if (absl::StartsWith(arg, absl::StrCat(flag.name, "="))) {
        match = &flag;
        value = arg.substr(strlen(flag.name) + 1);
      }
      if (match != nullptr) break;
    }
    if (match == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    *match->value = value;
  }
  if (!options->server.jetstream &&
      (!options->store_address.empty() || !options->consumer_address.empty())) {
    return absl::InvalidArgumentError("--store and --consumer serve JetStream: add -js");
  }
  storesvc::StoreOptions probe;
  return storesvc::ApplySyncSpec(options->sync, &probe);
}

const char* GatewayUsage() {
  return "Gateway Options:\n"
         "        --store <host:port>          Use a separate storesvc (default: in-process)\n"
         "        --consumer <host:port>       Use a separate consumersvc (default: in-process)\n"
         "        --grpc_listen <host:port>    Serve in-process services over gRPC here\n"
         "                                     (default: 127.0.0.1:4250; port 0: any free,\n"
         "                                     see --ports_file_dir)\n"
         "        --sync <always|duration>     In-process store: fsync before every ack, or\n"
         "                                     every duration (default: 2m, as nats-server)\n"
         "        --grpc_tls_cert <file>       gRPC over TLS: certificate presented by the\n"
         "                                     --grpc_listen server and to --store/--consumer\n"
         "        --grpc_tls_key <file>        Private key of --grpc_tls_cert\n"
         "        --grpc_tls_ca <file>         CA verifying the services; the --grpc_listen\n"
         "                                     server then requires client certificates\n";
}

std::string DefaultStoreDir() {
  const char* tmp = getenv("TMPDIR");
  return absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/jsengine/jetstream");
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Start(EngineOptions options) {
  std::unique_ptr<Engine> engine(new Engine());
  absl::Status status = engine->Init(std::move(options));
  if (!status.ok()) {
    engine->Stop();
    return status;
  }
  return engine;
}

absl::Status Engine::Init(EngineOptions options) {
  JSE_ASSIGN_OR_RETURN(common::grpc::GrpcCredentials grpc_credentials,
                       common::grpc::GrpcCredentials::Load(options.grpc_tls));
  if (options.server.jetstream) {
    if (options.server.store_dir.empty()) options.server.store_dir = DefaultStoreDir();
    JSE_RETURN_IF_ERROR(StartJetStream(options, grpc_credentials));
  } else {
    // As nats-server without -js: nobody answers $JS.API requests, so
    // clients get no-responders.
    server_ = std::make_unique<core::Server>(options.server);
    LOG(INFO) << "JetStream is off (-js turns it on)";
  }
  JSE_RETURN_IF_ERROR(server_->Start());
  JSE_RETURN_IF_ERROR(StartMonitoring(options));
  JSE_RETURN_IF_ERROR(StartProfiler(options.server));
  // After the NATS listener: clients need not wait for gRPC to start (several
  // ms), which only admin tools use.
  if (!local_services_.empty()) {
    auto grpc_server =
        common::grpc::GrpcServer::Start(options.grpc_listen, local_services_, grpc_credentials);
    if (!grpc_server.ok()) {
      if (grpc_server.status().code() == absl::StatusCode::kInvalidArgument) {
        return grpc_server.status();
      }
      return absl::UnavailableError(
          absl::StrCat(grpc_server.status().message(), "; choose another with --grpc_listen"));
    }
    grpc_server_ = std::move(*grpc_server);
    LOG(INFO) << "in-process services on gRPC " << options.grpc_listen << " (port "
              << grpc_server_->port() << ", " << grpc_credentials.Describe() << ")";
  }
  return WritePortsFile(options);
}

absl::Status Engine::StartJetStream(const EngineOptions& options,
                                    const common::grpc::GrpcCredentials& grpc_credentials) {
  resources_ =
      storesvc::ResolveStoreLimits(options.server.jetstream_max_memory,
                                   options.server.jetstream_max_store, options.server.store_dir);
  if (options.store_address.empty()) {
    storesvc::StoreOptions store_options;
    store_options.data_dir = options.server.store_dir;
    store_options.max_memory = resources_.max_memory;
    store_options.max_storage = resources_.max_storage;
    JSE_RETURN_IF_ERROR(storesvc::ApplySyncSpec(options.sync, &store_options));
    JSE_ASSIGN_OR_RETURN(store_, storesvc::Store::Open(store_options));
    store_service_ = std::make_unique<storesvc::StoreServiceImpl>(store_.get());
    local_services_.push_back(store_service_.get());
    store_client_ = store_.get();
    LOG(INFO) << "store: in-process, data in " << options.server.store_dir << ", sync "
              << options.sync << ", max memory " << resources_.max_memory << " bytes, max storage "
              << resources_.max_storage << " bytes";
  } else {
    if (options.server.jetstream_max_memory >= 0 || options.server.jetstream_max_store >= 0) {
      return absl::InvalidArgumentError(
          "jetstream max_memory_store and max_file_store need the in-process store (no --store); "
          "give storesvc --max_memory_store and --max_file_store instead");
    }
    remote_store_ = std::make_unique<storesvc::client::RemoteStoreClient>(
        options.store_address, common::grpc::kUnaryDeadline, grpc_credentials);
    store_client_ = remote_store_.get();
    LOG(INFO) << "store: storesvc at " << options.store_address << " ("
              << grpc_credentials.Describe() << ")";
  }
  server_ = std::make_unique<core::Server>(options.server);
  if (options.consumer_address.empty()) {
    consumersvc::ConsumerEngineOptions consumer_options;
    consumer_options.data_dir = options.server.store_dir;
    consumer_options.limits.max_ack_pending = options.server.jetstream_max_ack_pending;
    consumer_options.limits.max_request_batch = options.server.jetstream_max_request_batch;
    JSE_ASSIGN_OR_RETURN(consumer_options.sync, common::ParseSyncSpec(options.sync));
    JSE_ASSIGN_OR_RETURN(consumers_,
                         consumersvc::ConsumerEngine::Start(consumer_options, store_client_));
    consumer_service_ = std::make_unique<consumersvc::ConsumerServiceImpl>(consumers_.get());
    local_services_.push_back(consumer_service_.get());
    consumer_client_ = consumers_.get();
    LOG(INFO) << "consumers: in-process, state in " << options.server.store_dir;
  } else {
    if (options.server.jetstream_max_ack_pending > 0 ||
        options.server.jetstream_max_request_batch > 0) {
      return absl::InvalidArgumentError(
          "jetstream limits need the in-process consumer service (no --consumer)");
    }
    remote_consumers_ = std::make_unique<consumersvc::client::RemoteConsumerClient>(
        options.consumer_address, common::grpc::kUnaryDeadline, grpc_credentials);
    consumer_client_ = remote_consumers_.get();
    LOG(INFO) << "consumers: consumersvc at " << options.consumer_address << " ("
              << grpc_credentials.Describe() << ")";
  }
  domain_ = options.server.jetstream_domain;
  // Every configured account, with JetStream or not: a reload may enable it.
  std::vector<std::string> accounts;
  for (const core::AccountOptions& a : options.server.accounts) accounts.push_back(a.name);
  data_plane_ =
      std::make_unique<jetstream::ConsumerDataPlane>(server_.get(), consumer_client_, accounts);
  data_plane_->Start();
  absl::MutexLock lock(&js_mu_);
  disabled_accounts_ = std::make_unique<jetstream::DisabledAccounts>(server_.get());
  if (options.server.accounts.empty()) {
    jetstream::JsApiOptions api_options;
    api_options.domain = domain_;
    api_options.consumers = consumer_client_;
    api_options.data_plane = data_plane_.get();
    JsAccount global;
    global.bridge = std::make_unique<jetstream::Bridge>(server_.get(), store_client_, api_options,
                                                        data_plane_.get());
    JSE_RETURN_IF_ERROR(global.bridge->Start());
    js_accounts_.push_back(std::move(global));
  } else {
    // As nats-server: once accounts are configured, JetStream serves those
    // that enable it, and the global account is not one of them.
    disabled_accounts_->Add(core::kGlobalAccount);
  }
  return ApplyJetStreamAccounts(options.server.accounts);
}

absl::Status Engine::StartJetStreamAccount(const core::AccountOptions& a) {
  jetstream::JsAccountScope scope(a.name);
  JsAccount account;
  account.name = a.name;
  account.limits = std::make_shared<jetstream::AccountLimits>(a.jetstream_limits);
  account.store =
      std::make_unique<jetstream::AccountStoreClient>(store_client_, scope, account.limits);
  account.consumers =
      std::make_unique<jetstream::AccountConsumerClient>(consumer_client_, scope, account.limits);
  account.data_plane = std::make_unique<jetstream::AccountDataPlane>(data_plane_.get(), scope);
  jetstream::JsApiOptions account_options;
  account_options.account = a.name;
  account_options.domain = domain_;
  account_options.limits = account.limits;
  account_options.consumers = account.consumers.get();
  account_options.data_plane = account.data_plane.get();
  account.bridge = std::make_unique<jetstream::Bridge>(server_.get(), account.store.get(),
                                                       account_options, account.data_plane.get());
  // The bridge takes $JS.API.> in the account from the 10039 replies.
  disabled_accounts_->Remove(a.name);
  absl::Status started = account.bridge->Start();
  if (!started.ok()) {
    account.bridge->Stop();
    disabled_accounts_->Add(a.name);
    return started;
  }
  js_accounts_.push_back(std::move(account));
  return absl::OkStatus();
}

absl::Status Engine::CheckAccountResources(const core::AccountOptions& account,
                                           const core::JetStreamLimits* old) {
  JSE_ASSIGN_OR_RETURN(jetstream::AccountUsage usage, jetstream::TotalAccountUsage(store_client_));
  jetstream::Reservation accounts;
  for (const JsAccount& js : js_accounts_) {
    const jetstream::Reservation r = jetstream::AccountReservation(jetstream::LimitsOf(js.limits));
    accounts.memory += r.memory;
    accounts.storage += r.storage;
  }
  const jetstream::Reservation streams{static_cast<int64_t>(usage.reserved_memory),
                                       static_cast<int64_t>(usage.reserved_storage)};
  absl::Status status = jetstream::CheckAccountResources(resources_, streams, accounts, old,
                                                         account.jetstream_limits);
  if (status.ok()) return status;
  // nats-server's words, with the error's code.
  const v1::ErrorDetail error = common::ToErrorDetail(status);
  return absl::Status(status.code(),
                      absl::StrCat("Error enabling jetstream on configured accounts: ",
                                   error.description(), " (", error.err_code(), ")"));
}

absl::Status Engine::ApplyJetStreamAccounts(const std::vector<core::AccountOptions>& accounts) {
  absl::Status status;
  for (const core::AccountOptions& a : accounts) {
    auto served = std::find_if(js_accounts_.begin(), js_accounts_.end(),
                               [&a](const JsAccount& js) { return js.name == a.name; });
    if (a.jetstream && served != js_accounts_.end()) {
      // As nats-server: limits the server cannot hold are not taken.
      const core::JetStreamLimits old = jetstream::LimitsOf(served->limits);
      absl::Status fits = CheckAccountResources(a, &old);
      if (fits.ok()) served->limits->Set(a.jetstream_limits);
      status.Update(fits);
    } else if (a.jetstream) {
      absl::Status started = CheckAccountResources(a, nullptr);
      if (started.ok()) {
        started = StartJetStreamAccount(a);
      } else {
        disabled_accounts_->Add(a.name);
      }
      if (started.ok()) LOG(INFO) << "JetStream enabled for account " << a.name;
      status.Update(started);
    } else if (served != js_accounts_.end()) {
      // As nats-server's DisableJetStream: the account's streams stay on
      // disk, its API answers 10039 until a reload enables it again.
      served->bridge->Stop();
      js_accounts_.erase(served);
      disabled_accounts_->Add(a.name);
      LOG(INFO) << "JetStream disabled for account " << a.name;
    } else {
      disabled_accounts_->Add(a.name);
    }
  }
  return status;
}

absl::Status Engine::Reload(const core::ServerOptions& options) {
  JSE_RETURN_IF_ERROR(server_->Reload(options));
  if (data_plane_ == nullptr || options.accounts.empty()) return absl::OkStatus();
  absl::MutexLock lock(&js_mu_);
  return ApplyJetStreamAccounts(options.accounts);
}

absl::StatusOr<std::vector<monitor::AccountJetStream>> Engine::JetStreamAccountDetails(
    bool with_streams, bool with_consumers) const {
  absl::MutexLock lock(&js_mu_);
  std::vector<monitor::AccountJetStream> details;
  for (const JsAccount& account : js_accounts_) {
    monitor::AccountJetStream detail;
    detail.name = account.name.empty() ? core::kGlobalAccount : account.name;
    detail.api = account.bridge->api_stats();
    detail.limits = jetstream::LimitsOf(account.limits);
    storesvc::client::StoreClient* raw_store =
        account.store != nullptr ? account.store.get() : store_client_;
    consumersvc::client::ConsumerClient* consumers =
        account.consumers != nullptr ? account.consumers.get() : consumer_client_;
    jetstream::ConsumerAwareStoreClient store(raw_store, consumers, nullptr);
    JSE_ASSIGN_OR_RETURN(detail.usage, jetstream::TotalAccountUsage(&store));
    if (with_streams) {
      JSE_ASSIGN_OR_RETURN(std::vector<v1::StreamInfo> infos, jetstream::ListAllStreams(&store));
      for (const v1::StreamInfo& info : infos) {
        monitor::AccountJetStream::Stream stream;
        common::GoJsonWriter stream_json(&stream.info);
        jetstream::WriteStreamInfo(info, &stream_json);
        if (with_consumers) {
          JSE_ASSIGN_OR_RETURN(std::vector<v1::ConsumerInfo> of_stream,
                               jetstream::ListAllConsumers(consumers, info.config().name()));
          for (const v1::ConsumerInfo& consumer : of_stream) {
            common::GoJsonWriter consumer_json(&stream.consumers.emplace_back());
            jetstream::WriteConsumerInfo(consumer, &consumer_json);
          }
        }
        detail.streams.push_back(std::move(stream));
      }
    }
    details.push_back(std::move(detail));
  }
  return details;
}

std::set<std::string> Engine::JetStreamAccounts() const {
  absl::MutexLock lock(&js_mu_);
  std::set<std::string> names;
  for (const JsAccount& account : js_accounts_) names.insert(account.name);
  return names;
}

absl::Status Engine::StartMonitoring(const EngineOptions& options) {
  const core::ServerOptions& o = options.server;
  if (o.http_port != 0 && o.https_port != 0) {
    return absl::InvalidArgumentError(absl::StrCat("can't specify both HTTP (", o.http_port,
                                                   ") and HTTPs (", o.https_port, ") ports"));
  }
  monitor::HttpMonitor::Tls tls{o.tls.cert_file, o.tls.key_file};
  const bool secure = o.https_port != 0;
  if (secure && !o.tls.enabled) {
    return absl::InvalidArgumentError("TLS cert and key required for HTTPS");
  }
  const std::string host = o.http_host.empty() ? o.host : o.http_host;
  const int requested = secure ? o.https_port : o.http_port;
  const int port = requested == core::kRandomPort ? 0 : requested;
  monitor::JetStreamView js;
  if (data_plane_ != nullptr) {
    js.enabled = true;
    js.store_dir = o.store_dir;
    js.max_memory = resources_.max_memory;
    js.max_storage = resources_.max_storage;
    // The durability of an in-process store; a remote one's is its own.
    absl::StatusOr<common::SyncSpec> sync = common::ParseSyncSpec(options.sync);
    if (options.store_address.empty() && sync.ok()) {
      const bool always = sync->policy == common::SyncPolicy::kAlways;
      js.sync_interval_ns = absl::ToInt64Nanoseconds(always ? absl::Minutes(2) : sync->interval);
      js.sync_always = always;
    }
    js.usage = [store = store_client_] { return jetstream::TotalAccountUsage(store); };
    js.api_stats = [this] {
      absl::MutexLock lock(&js_mu_);
      jetstream::JsApiStats total;
      for (const JsAccount& account : js_accounts_) {
        const jetstream::JsApiStats stats = account.bridge->api_stats();
        total.total += stats.total;
        total.errors += stats.errors;
      }
      return total;
    };
    js.accounts = [this] {
      std::vector<std::string> names;
      for (const std::string& name : JetStreamAccounts()) {
        names.push_back(name.empty() ? core::kGlobalAccount : name);
      }
      return names;
    };
    js.account_details = [this](bool streams, bool consumers) {
      return JetStreamAccountDetails(streams, consumers);
    };
    js.streams = [this,
                  store = store_client_]() -> absl::StatusOr<std::vector<monitor::StreamStats>> {
      const std::set<std::string> accounts = JetStreamAccounts();
      absl::StatusOr<std::vector<v1::StreamInfo>> infos = jetstream::ListAllStreams(store);
      if (!infos.ok()) return infos.status();
      std::vector<monitor::StreamStats> streams;
      for (const v1::StreamInfo& info : *infos) {
        jetstream::JsAccountScope::Located where =
            jetstream::JsAccountScope::LocateStream(info.config().name());
        if (accounts.count(info.config().account()) == 0 ||
            where.account != info.config().account()) {
          where = {"", info.config().name()};
        }
        streams.push_back({where.subject, info.state().messages(), info.state().bytes(),
                           info.state().first_seq(), info.state().last_seq(), info.failed(),
                           where.account});
      }
      return streams;
    };
    js.consumers = [consumers = consumer_client_](const monitor::StreamStats& stream)
        -> absl::StatusOr<std::vector<monitor::ConsumerStats>> {
      absl::StatusOr<std::vector<v1::ConsumerInfo>> infos = jetstream::ListAllConsumers(
          consumers, jetstream::JsAccountScope(stream.account).Stream(stream.name));
      if (!infos.ok()) return infos.status();
      std::vector<monitor::ConsumerStats> stats;
      for (const v1::ConsumerInfo& info : *infos) {
        stats.push_back(
            {info.name(), info.num_pending(), info.num_ack_pending(), info.num_redelivered()});
      }
      return stats;
    };
  }
  monitor_ = std::make_unique<monitor::Monitor>(server_.get(), std::move(js));
  system_account_ = std::make_unique<monitor::SystemAccount>(server_.get(), monitor_.get());
  JSE_RETURN_IF_ERROR(system_account_->Start());
  using ResolverType = core::ResolverOptions::Type;
  const ResolverType resolver = o.operator_mode.resolver.type;
  if (o.operator_mode.enabled() &&
      (resolver == ResolverType::kFull || resolver == ResolverType::kCache)) {
    claims_resolver_ = std::make_unique<monitor::ClaimsResolver>(
        server_.get(), [this](const core::ServerOptions& next) { return Reload(next); });
    JSE_RETURN_IF_ERROR(claims_resolver_->Start());
  }
  if (o.http_port == 0 && o.https_port == 0) return absl::OkStatus();
  JSE_ASSIGN_OR_RETURN(http_monitor_,
                       monitor::HttpMonitor::Start(host, port, o.http_base_path, monitor_.get(),
                                                   secure ? &tls : nullptr));
  LOG(INFO) << "Starting " << (secure ? "https" : "http") << " monitor on "
            << (secure ? "https://" : "http://") << host << ":" << http_monitor_->port();
  return absl::OkStatus();
}

absl::Status Engine::StartProfiler(const core::ServerOptions& o) {
  if (o.prof_port == 0) return absl::OkStatus();
  JSE_ASSIGN_OR_RETURN(
      http_profiler_,
      monitor::HttpProfiler::Start(o.host, o.prof_port == core::kRandomPort ? 0 : o.prof_port));
  LOG(INFO) << "profiling port: " << http_profiler_->port();
  return absl::OkStatus();
}

absl::Status Engine::WritePortsFile(const EngineOptions& options) {
  common::Ports ports;
  for (const std::string& host_port :
       common::ReachableHostPorts(options.server.host, server_->port())) {
    // As nats-server: the scheme says whether clients must use TLS.
    ports.nats.push_back((options.server.tls.enabled ? "tls://" : "nats://") + host_port);
  }
  if (http_monitor_ != nullptr) {
    const core::ServerOptions& o = options.server;
    for (const std::string& host_port : common::ReachableHostPorts(
             o.http_host.empty() ? o.host : o.http_host, http_monitor_->port())) {
      ports.monitoring.push_back((o.https_port != 0 ? "https://" : "http://") + host_port);
    }
  }
  if (http_profiler_ != nullptr) {
    for (const std::string& host_port :
         common::ReachableHostPorts(options.server.host, http_profiler_->port())) {
      ports.profile.push_back("http://" + host_port);
    }
  }
  if (grpc_server_ != nullptr) {
    ports.grpc = common::ReachableHostPorts(common::HostOfAddress(options.grpc_listen),
                                            grpc_server_->port());
  }
  JSE_ASSIGN_OR_RETURN(ports_file_, common::PortsFile::Write(options.server.ports_file_dir, ports));
  if (ports_file_ != nullptr) LOG(INFO) << "ports file " << ports_file_->path();
  return absl::OkStatus();
}

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  if (stopped_) return;
  stopped_ = true;
  ports_file_.reset();
  http_monitor_.reset();
  http_profiler_.reset();
  if (claims_resolver_ != nullptr) claims_resolver_->Stop();
  if (system_account_ != nullptr) system_account_->Stop();
  if (server_ != nullptr) server_->Shutdown();
  {
    absl::MutexLock lock(&js_mu_);
    for (JsAccount& account : js_accounts_) account.bridge->Stop();
    disabled_accounts_.reset();
  }
  if (grpc_server_ != nullptr) grpc_server_->Shutdown();
  {
    absl::MutexLock lock(&js_mu_);
    js_accounts_.clear();
  }
  if (data_plane_ != nullptr) data_plane_->Stop();
  if (consumers_ != nullptr) consumers_->Stop();
  data_plane_.reset();
  claims_resolver_.reset();
  system_account_.reset();
  monitor_.reset();
  server_.reset();
  consumers_.reset();
  remote_consumers_.reset();
  remote_store_.reset();
  grpc_server_.reset();
  store_service_.reset();
  consumer_service_.reset();
  store_.reset();
}

}  // namespace jsengine::gateway
