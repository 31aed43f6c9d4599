#include "testing/harness/topology.h"

#include <signal.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::harness {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(60);

// Where a server listens: where it listened before, or any free port.
std::string ListenAddress(const std::string& learned) {
  return learned.empty() ? "127.0.0.1:0" : learned;
}

absl::StatusOr<std::string> FirstOf(const std::vector<std::string>& list, const char* key,
                                    const Process& process) {
  if (list.empty()) {
    return absl::InternalError(
        absl::StrCat("no \"", key, "\" in the ports file; log: ", process.log_path()));
  }
  return list.front();
}

}  // namespace

Topology::Topology(Kind kind, std::vector<std::string> extra_gateway_args,
                   std::vector<std::string> extra_store_args)
    : kind_(kind),
      extra_gateway_args_(std::move(extra_gateway_args)),
      extra_store_args_(std::move(extra_store_args)),
      ports_dir_(util::MakeTempDir("ports-")),
      data_dir_(util::MakeTempDir("jsengine-data-")) {}

absl::StatusOr<std::unique_ptr<Topology>> Topology::Start(
    Kind kind, std::vector<std::string> extra_gateway_args,
    std::vector<std::string> extra_store_args) {
  std::unique_ptr<Topology> topology(
      new Topology(kind, std::move(extra_gateway_args), std::move(extra_store_args)));
  absl::Status status = topology->Launch();
  if (!status.ok()) return status;
  return topology;
}

absl::StatusOr<std::unique_ptr<Topology>> Topology::StartWithGrpcTls(
    Kind kind, const common::grpc::GrpcTlsFiles& files) {
  if (kind == kReference) return absl::InvalidArgumentError("nats-server has no gRPC");
  std::unique_ptr<Topology> topology(new Topology(kind, {}, {}));
  topology->grpc_tls_ = files;
  JSE_ASSIGN_OR_RETURN(topology->grpc_credentials_, common::grpc::GrpcCredentials::Load(files));
  JSE_RETURN_IF_ERROR(topology->Launch());
  return topology;
}

std::vector<std::string> Topology::GrpcTlsArgs() const {
  std::vector<std::string> args;
  if (!grpc_tls_.cert_file.empty()) args.push_back("--grpc_tls_cert=" + grpc_tls_.cert_file);
  if (!grpc_tls_.key_file.empty()) args.push_back("--grpc_tls_key=" + grpc_tls_.key_file);
  if (!grpc_tls_.ca_file.empty()) args.push_back("--grpc_tls_ca=" + grpc_tls_.ca_file);
  return args;
}

std::string Topology::nats_url() const { return absl::StrCat("nats://127.0.0.1:", nats_port_); }

absl::StatusOr<common::Ports> Topology::StartServer(const std::string& binary,
                                                    std::vector<std::string> args,
                                                    std::unique_ptr<Process>* process) {
  args.insert(args.end(), {"--ports_file_dir", ports_dir_});
  JSE_ASSIGN_OR_RETURN(*process, Process::Start(binary, args));
  return (*process)->WaitForPortsFile(ports_dir_, kStartTimeout);
}

absl::Status Topology::Launch() {
  std::vector<std::string> gateway_args = {"-a", "127.0.0.1", "-p",
                                           nats_port_ == 0 ? "-1" : absl::StrCat(nats_port_)};
  std::string binary = RunfilePath("gateway/gateway");
  if (kind_ == kReference) {
    gateway_args.insert(gateway_args.end(), {"-js", "-sd", data_dir_});
    binary = NatsServerBinary();
  } else if (kind_ == kEmbedded) {
    gateway_args.insert(gateway_args.end(), {"-js", "-sd", data_dir_,
                                             "--grpc_listen=" + ListenAddress(store_address_)});
    gateway_args.insert(gateway_args.end(), extra_store_args_.begin(), extra_store_args_.end());
  } else {
    JSE_RETURN_IF_ERROR(StartStore());
    JSE_RETURN_IF_ERROR(StartConsumers());
    JSE_RETURN_IF_ERROR(WaitForGrpcHealth(store_address_, kStartTimeout, grpc_credentials_));
    JSE_RETURN_IF_ERROR(WaitForGrpcHealth(consumer_address_, kStartTimeout, grpc_credentials_));
    gateway_args.insert(gateway_args.end(),
                        {"-js", "--store=" + store_address_, "--consumer=" + consumer_address_});
  }
  if (kind_ != kReference) {
    gateway_args.insert(gateway_args.end(), extra_gateway_args_.begin(), extra_gateway_args_.end());
    for (std::string& arg : GrpcTlsArgs()) gateway_args.push_back(std::move(arg));
  }
  JSE_ASSIGN_OR_RETURN(common::Ports ports, StartServer(binary, gateway_args, &gateway_));
  JSE_ASSIGN_OR_RETURN(std::string nats_url, FirstOf(ports.nats, "nats", *gateway_));
  JSE_ASSIGN_OR_RETURN(nats_port_, common::PortOf(nats_url));
  if (kind_ != kEmbedded) return absl::OkStatus();
  JSE_ASSIGN_OR_RETURN(store_address_, FirstOf(ports.grpc, "grpc", *gateway_));
  consumer_address_ = store_address_;
  return WaitForGrpcHealth(store_address_, kStartTimeout, grpc_credentials_);
}

void Topology::StopAll(int signal) {
  if (gateway_ != nullptr) gateway_->Stop(signal);
  if (consumer_ != nullptr) consumer_->Stop(signal);
  if (store_ != nullptr) store_->Stop(signal);
  gateway_.reset();
  consumer_.reset();
  store_.reset();
}

absl::Status Topology::Restart() {
  StopAll(SIGTERM);
  return Launch();
}

absl::Status Topology::RestartStore(const std::function<void()>& while_stopped, int signal) {
  if (kind_ != kSeparate) return absl::FailedPreconditionError("only kSeparate has a storesvc");
  store_->Stop(signal);
  store_.reset();
  if (while_stopped) while_stopped();
  absl::Status status = StartStore();
  if (!status.ok()) return status;
  return WaitForGrpcHealth(store_address_, kStartTimeout, grpc_credentials_);
}

absl::Status Topology::StartStore() {
  std::vector<std::string> args = {"--listen=" + ListenAddress(store_address_),
                                   "--data_dir=" + data_dir_};
  args.insert(args.end(), extra_store_args_.begin(), extra_store_args_.end());
  for (std::string& arg : GrpcTlsArgs()) args.push_back(std::move(arg));
  JSE_ASSIGN_OR_RETURN(common::Ports ports,
                       StartServer(RunfilePath("storesvc/storesvc"), std::move(args), &store_));
  JSE_ASSIGN_OR_RETURN(store_address_, FirstOf(ports.grpc, "grpc", *store_));
  return absl::OkStatus();
}

absl::Status Topology::RestartConsumers() {
  if (kind_ != kSeparate) return absl::FailedPreconditionError("only kSeparate has a consumersvc");
  consumer_->Stop(SIGTERM);
  consumer_.reset();
  JSE_RETURN_IF_ERROR(StartConsumers());
  return WaitForGrpcHealth(consumer_address_, kStartTimeout, grpc_credentials_);
}

absl::Status Topology::StartConsumers() {
  std::vector<std::string> args = {"--listen=" + ListenAddress(consumer_address_),
                                   "--store=" + store_address_, "--data_dir=" + data_dir_};
  for (const std::string& arg : extra_store_args_) {
    if (absl::StartsWith(arg, "--sync")) args.push_back(arg);
  }
  for (std::string& arg : GrpcTlsArgs()) args.push_back(std::move(arg));
  JSE_ASSIGN_OR_RETURN(common::Ports ports, StartServer(RunfilePath("consumersvc/consumersvc"),
                                                        std::move(args), &consumer_));
  JSE_ASSIGN_OR_RETURN(consumer_address_, FirstOf(ports.grpc, "grpc", *consumer_));
  return absl::OkStatus();
}

absl::Status Topology::CrashAndRestart() {
  StopAll(SIGKILL);
  return Launch();
}

}  // namespace jsengine::testing::harness
