#include "testing/harness/topology.h"

#include <signal.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(60);

// Debian installs nats-server in /usr/sbin.
std::string NatsServerBinary() {
  for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "nats-server";
}

}  // namespace

Topology::Topology(Kind kind, std::vector<std::string> extra_gateway_args,
                   std::vector<std::string> extra_store_args)
    : kind_(kind),
      extra_gateway_args_(std::move(extra_gateway_args)),
      extra_store_args_(std::move(extra_store_args)),
      nats_port_(FreePort()),
      store_address_(FreeLoopbackAddress()),
      consumer_address_(kind == kEmbedded ? store_address_ : FreeLoopbackAddress()),
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

std::string Topology::nats_url() const { return absl::StrCat("nats://127.0.0.1:", nats_port_); }

absl::Status Topology::Launch() {
  std::vector<std::string> gateway_args = {"-a", "127.0.0.1", "-p", absl::StrCat(nats_port_)};
  if (kind_ == kReference) {
    gateway_args.insert(gateway_args.end(), {"-js", "-sd", data_dir_});
    auto server = Process::Start(NatsServerBinary(), gateway_args);
    if (!server.ok()) return server.status();
    gateway_ = std::move(*server);
    return WaitForTcpPort(nats_port_, kStartTimeout);
  }
  if (kind_ == kEmbedded) {
    gateway_args.insert(gateway_args.end(),
                        {"-js", "-sd", data_dir_, "--grpc_listen=" + store_address_});
    gateway_args.insert(gateway_args.end(), extra_store_args_.begin(), extra_store_args_.end());
  } else {
    absl::Status status = StartStore();
    if (!status.ok()) return status;
    auto consumer = Process::Start(RunfilePath("consumersvc/consumersvc"),
                                   {"--listen=" + consumer_address_});
    if (!consumer.ok()) return consumer.status();
    consumer_ = std::move(*consumer);
    status = WaitForGrpcHealth(store_address_, kStartTimeout);
    if (!status.ok()) return status;
    status = WaitForGrpcHealth(consumer_address_, kStartTimeout);
    if (!status.ok()) return status;
    gateway_args.insert(gateway_args.end(),
                        {"--store=" + store_address_, "--consumer=" + consumer_address_});
  }
  gateway_args.insert(gateway_args.end(), extra_gateway_args_.begin(), extra_gateway_args_.end());
  auto gateway = Process::Start(RunfilePath("gateway/gateway"), gateway_args);
  if (!gateway.ok()) return gateway.status();
  gateway_ = std::move(*gateway);
  absl::Status status = WaitForTcpPort(nats_port_, kStartTimeout);
  if (!status.ok()) return status;
  if (kind_ == kEmbedded) return WaitForGrpcHealth(store_address_, kStartTimeout);
  return absl::OkStatus();
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

absl::Status Topology::RestartStore(const std::function<void()>& while_stopped) {
  if (kind_ != kSeparate) return absl::FailedPreconditionError("only kSeparate has a storesvc");
  store_->Stop(SIGTERM);
  store_.reset();
  if (while_stopped) while_stopped();
  absl::Status status = StartStore();
  if (!status.ok()) return status;
  return WaitForGrpcHealth(store_address_, kStartTimeout);
}

absl::Status Topology::StartStore() {
  std::vector<std::string> args = {"--listen=" + store_address_, "--data_dir=" + data_dir_};
  args.insert(args.end(), extra_store_args_.begin(), extra_store_args_.end());
  auto store = Process::Start(RunfilePath("storesvc/storesvc"), args);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  return absl::OkStatus();
}

absl::Status Topology::CrashAndRestart() {
  StopAll(SIGKILL);
  return Launch();
}

}  // namespace jsengine::testing
